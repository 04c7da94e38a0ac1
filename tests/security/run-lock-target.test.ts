import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, test } from "vitest";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { drainExecutions } from "@/lib/runner/execute";
import { lockTarget } from "@/lib/runner/lock";
import { activeRunFor } from "@/lib/runner/queries";
import { cancelRun, confirmAndStart, createRun } from "@/lib/runner/runs";
import type { Plan } from "@/lib/runner/types";

// One run at a time per server database, whatever Lifeboat entry points at it: two entries for
// the same host, port and database (an admin added it twice, or as "localhost" and
// "127.0.0.1") must not restore over each other at the same time. The lock used to be keyed
// by Lifeboat's row id, so the second entry's run started.

const tag = randomUUID().slice(0, 8);
const actor = { id: "lock-test", email: `lock-${tag}@example.test` };
const created: string[] = [];

afterAll(async () => {
  await drainExecutions();
  await db.run.deleteMany({ where: { databaseId: { in: created } } });
  await db.database.deleteMany({ where: { id: { in: created } } });
});

/** A plan that waits for an operator, so its run holds the database until it is cancelled. */
const waitingPlan: Plan = {
  scenarioId: "corruption",
  scenarioVersion: 1,
  summary: {},
  steps: [{ key: "wait", title: "Wait for an operator", kind: "manual", command: null, description: "Waits." }],
};

async function entry(name: string, host: string, dbName: string) {
  const d = await db.database.create({
    data: { name: `${name}-${tag}`, environment: "staging", host, port: 5432, dbName, user: "lifeboat" },
  });
  created.push(d.id);
  return d;
}

async function start(database: { id: string; dbName: string }) {
  const { runId, planHash } = await createRun({
    plan: waitingPlan,
    scenarioId: "corruption",
    databaseId: database.id,
    backupId: null,
    options: {},
    createdBy: actor,
  });
  const started = await confirmAndStart({
    runId,
    typedName: database.dbName,
    expectedName: database.dbName,
    planHash,
    actor,
    resolvePlan: async () => waitingPlan,
  }).then(
    () => null,
    (e: unknown) => e,
  );
  return { runId, refused: started };
}

const waiting = (runId: string) =>
  expect
    .poll(async () => (await db.run.findUniqueOrThrow({ where: { id: runId } })).status, { timeout: 10_000 })
    .toBe("waiting");

describe("the run lock is the server database, not the Lifeboat entry", () => {
  test("the key: host case, a trailing dot and the loopback spellings are one server; the database name is exact", () => {
    const k = (host: string, dbName = "amani", port = 5432) => lockTarget({ host, port, dbName });
    expect(k("DB.Example.com.")).toBe(k("db.example.com"));
    expect(k("127.0.0.1")).toBe(k("localhost"));
    expect(k("::1")).toBe(k("LOCALHOST"));
    expect(k("db.example.com", "Amani")).not.toBe(k("db.example.com", "amani"));
    expect(k("db.example.com", "amani", 5433)).not.toBe(k("db.example.com"));
    expect(k("db1.example.com")).not.toBe(k("db2.example.com"));
  });

  test("two entries pointing at the same database cannot run at once; the refusal names both", async () => {
    const dbName = `lock_${tag}`;
    const first = await entry("lock-first", "127.0.0.1", dbName);
    const second = await entry("lock-second", "LocalHost", dbName);

    const a = await start(first);
    expect(a.refused).toBeNull();
    await waiting(a.runId);

    const b = await start(second);
    expect(b.refused).toBeInstanceOf(UserError);
    expect((b.refused as UserError).message).toMatch(
      new RegExp(
        `^A run is already active on lock-second-${tag}'s database localhost:5432/${dbName} \\(through the Lifeboat entry lock-first-${tag}, which points at the same database\\): .*\\(run ${a.runId}, waiting\\)\\. Nothing was started\\.$`,
      ),
    );
    expect((await db.run.findUniqueOrThrow({ where: { id: b.runId } })).status).toBe("planned");
    // The second entry's pages show the run that holds its database.
    expect(await activeRunFor(second.id)).toMatchObject({ runId: a.runId, databaseId: first.id });

    // Once the first run ends, the second entry's run may start.
    await cancelRun({ runId: a.runId, actor });
    await expect.poll(async () => activeRunFor(second.id), { timeout: 10_000 }).toBeNull();
    const c = await start(second);
    expect(c.refused).toBeNull();
    await waiting(c.runId);
    await cancelRun({ runId: c.runId, actor });
  });

  test("another database on the same server is another lock", async () => {
    const one = await entry("lock-one", "db.lock.test", `one_${tag}`);
    const two = await entry("lock-two", "db.lock.test", `two_${tag}`);
    const a = await start(one);
    const b = await start(two);
    expect(a.refused).toBeNull();
    expect(b.refused).toBeNull();
    await waiting(a.runId);
    await waiting(b.runId);
    await cancelRun({ runId: a.runId, actor });
    await cancelRun({ runId: b.runId, actor });
  });
});
