import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { configureRunner, type RunnerTimings } from "@/lib/runner/config";
import { drainExecutions } from "@/lib/runner/execute";
import { cancelRun, completeManualStep, confirmAndStart, createRun, type RunActor } from "@/lib/runner/runs";
import type { Plan } from "@/lib/runner/types";
import { listenToRuns } from "@/lib/alerts/scheduler";
import { saveAlertChannelCommand } from "@/lib/alerts/commands";
import { deliveriesSettled } from "@/lib/alerts/deliveries";
import { startHttpReceiver } from "./receivers";

// The real runner tells the alerts when a run waits for a person, goes on, fails and is
// cancelled (lib/runner/events.ts), through the same listener start-up registers.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomUUID().slice(0, 8);
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let actor: RunActor;
let defaults: RunnerTimings;
let stopListening: () => void;

beforeAll(async () => {
  defaults = configureRunner({ renewMs: 200, leaseMs: 5_000, waitPollMs: 100 });
  http = await startHttpReceiver();
  const user = await db.user.create({ data: { email: `ra-${tag}@example.test`, name: "RA", role: "admin" } });
  session.user = { id: user.id, email: user.email, name: user.name, role: "admin" };
  actor = { id: user.id, email: user.email };
  stopListening = listenToRuns();
});

afterAll(async () => {
  stopListening();
  await drainExecutions();
  configureRunner(defaults);
  await deliveriesSettled();
  await http.close();
});

async function until(what: string, ok: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("waiting for a person, going on, failing and being cancelled: each alert once, each resolved once", async () => {
  const database = await db.database.create({
    data: { name: `ra-${tag}`, host: "127.0.0.1", dbName: `ra_${tag}`, user: "lifeboat" },
  });
  const saved = await saveAlertChannelCommand({
    name: `ra-${tag}`,
    events: ["restore_failed", "restore_waiting"],
    allDatabases: false,
    databaseIds: [database.id],
    config: { kind: "webhook", url: http.url(`/ra-${tag}`), signingSecret: `ra-secret-${tag}-0000000` },
  });
  if (!saved.ok) throw new Error(saved.error);

  const plan: Plan = {
    scenarioId: "database-corruption",
    scenarioVersion: 1,
    summary: { target: database.dbName },
    steps: [
      { key: "tick", title: "Tell the team", kind: "manual", command: null, description: "A person does it." },
      {
        key: "restore",
        title: "Restore",
        kind: "automatic",
        command: null,
        description: "Fails.",
        run: async () => {
          throw new UserError("disk full on the console.");
        },
      },
    ],
  };
  const { runId, planHash } = await createRun({
    plan,
    scenarioId: plan.scenarioId,
    databaseId: database.id,
    backupId: null,
    options: {},
    createdBy: actor,
  });
  const { done } = await confirmAndStart({
    runId,
    typedName: database.dbName,
    expectedName: database.dbName,
    planHash,
    actor,
    resolvePlan: async () => plan,
  });
  const seen = () => http.requests.map((r) => JSON.parse(r.body) as { type: string; event: string; message: string });
  const settledSeen = async (n: number) => {
    await until(`${n} messages`, async () => {
      await deliveriesSettled();
      return seen().length >= n;
    });
    return seen().map((m) => `${m.type} ${m.event}`);
  };

  expect(await settledSeen(1)).toEqual(["alert restore_waiting"]);
  expect(seen()[0]!.message).toContain("waits for a person at step 1: Tell the team");

  await completeManualStep({ runId, stepIndex: 0, actor });
  await done;
  const afterFail = await settledSeen(3);
  expect(afterFail.sort()).toEqual(["alert restore_failed", "alert restore_waiting", "resolved restore_waiting"]);
  expect(seen().find((m) => m.event === "restore_failed")!.message).toContain(
    "failed: Step 2 (Restore) failed: disk full on the console. Open the run",
  );

  await cancelRun({ runId, actor });
  expect((await settledSeen(4)).at(-1)).toBe("resolved restore_failed");
  await new Promise((r) => setTimeout(r, 300));
  await deliveriesSettled();
  expect(seen()).toHaveLength(4);
});
