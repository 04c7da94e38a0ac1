// A console process for tests/security/switchover-kill.test.ts: it confirms a run whose plan
// is the real switch-over step (against the test PostgreSQL), executes it, and stops at one
// point of the switch-over, where the test kills it with SIGKILL (no clean-up code runs, as
// when a server dies).
// Run as: node --conditions=import --require ./scripts/allow-server-only.cjs --require tsx/cjs
// tests/runner/switchover-child.ts runId planHash userId email leaseMs renewMs tmpDir point
//
// switchOverPlanFrom() is also what the test's resumeRun uses (without a pause point): both
// processes rebuild the same plan from the run's stored options.
import { z } from "zod";
import { db } from "@/lib/db";
import { parseStoredJson } from "@/lib/stored-json";
import { testConnection } from "@/lib/postgres/test-support";
import { planFor } from "@/lib/restores/plans";
import type { PauseAt } from "@/lib/restores/database-admin";
import { configureRunner } from "@/lib/runner/config";
import type { ResolvePlan } from "@/lib/runner/execute";
import { confirmAndStart } from "@/lib/runner/runs";
import type { Plan } from "@/lib/runner/types";
import type { BackupStorage } from "@/lib/storage/provider";

/** Run.options of the switch-over run: the target on the test server and the plan's `now`. */
export type SwitchOverRunOptions = { database: string; now: string };

const unused = () => Promise.reject(new Error("the switch-over never reads the backup"));
const UNUSED_STORAGE: BackupStorage = {
  kind: "local",
  description: "unused",
  list: unused,
  stat: unused,
  read: unused,
  write: unused,
  delete: unused,
  signedDownloadUrl: unused,
  probe: unused,
};

/** The database-corruption plan's switch-over step alone (nothing of it reads the backup). */
export function switchOverPlanFrom(options: unknown, pauseAt?: PauseAt): Plan {
  const o = options as SwitchOverRunOptions;
  const plan = planFor({
    scenarioId: "database-corruption",
    target: { name: o.database, environment: "production", conn: testConnection(o.database) },
    backup: {
      storage: UNUSED_STORAGE,
      key: "unused.dump",
      size: 0,
      format: "custom",
      manifest: null,
      locationName: "unused",
    },
    now: new Date(o.now),
    options: { pauseAt },
  });
  return { ...plan, steps: plan.steps.filter((s) => s.key === "switch-over") };
}

export const resolveSwitchOverPlan: ResolvePlan = async (run) => switchOverPlanFrom(run.options);

async function main() {
  const [runId, planHash, userId, email, leaseMs, renewMs, tmpDir, point] = process.argv.slice(2);
  if (!runId || !planHash || !userId || !email || !tmpDir || !point)
    throw new Error("usage: switchover-child.ts runId planHash userId email leaseMs renewMs tmpDir point");
  // What the killed process cannot clean up (psql's passfile) stays in the test's own folder.
  process.env.TMPDIR = tmpDir;
  configureRunner({ leaseMs: Number(leaseMs), renewMs: Number(renewMs) });
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { options: true } });
  const { database } = parseStoredJson(run.options, z.object({ database: z.string() }), "run options");
  const pauseAt: PauseAt = async (p) => {
    if (p !== point) return;
    process.stdout.write(`PAUSED ${p}\n`);
    await new Promise(() => {});
  };
  const { done } = await confirmAndStart({
    runId,
    typedName: database,
    expectedName: database,
    planHash,
    actor: { id: userId, email },
    resolvePlan: async (r) => switchOverPlanFrom(r.options, pauseAt),
  });
  await done;
  const after = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
  process.stdout.write(`ENDED ${after.status}\n`);
  process.exit(0);
}

if (/switchover-child\.ts$/.test(process.argv[1] ?? "")) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
