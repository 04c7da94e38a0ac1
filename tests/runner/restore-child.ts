// A console process for lib/restores/kill-restore.test.ts: it confirms a real restore run
// (the database-corruption plan, against the test PostgreSQL) that the test created, executes
// it, and is killed (SIGKILL: no clean-up code runs, as when a server dies) during the
// scratch restore.
// Run as: node --conditions=import --require ./scripts/allow-server-only.cjs --require tsx/cjs
// tests/runner/restore-child.ts runId planHash userId email leaseMs renewMs tmpDir
//
// restorePlanFrom() is also what the test's resumeRun uses: both processes rebuild the plan
// from the run's stored options (the same target, backup and `now`, so the same step keys,
// commands and database names), as a real console does from its catalog.
import { z } from "zod";
import { db } from "@/lib/db";
import { parseStoredJson } from "@/lib/stored-json";
import { manifestSchema } from "@/lib/backups/manifest";
import { testConnection } from "@/lib/postgres/test-support";
import { planFor } from "@/lib/restores/plans";
import { configureRunner } from "@/lib/runner/config";
import type { ResolvePlan } from "@/lib/runner/execute";
import { confirmAndStart } from "@/lib/runner/runs";
import type { Plan } from "@/lib/runner/types";
import { createStorage } from "@/lib/storage/create-storage";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";

/** Run.options of the kill-restore run: no password (the connection comes from TEST_PG_*). */
export type KillRestoreOptions = {
  /** The target database on the test server. */
  database: string;
  /** The plan's `now` (ISO): it names the scratch database and the old copy. */
  now: string;
  /** The local storage folder holding the backup, and the backup's key and size in it. */
  storageDir: string;
  key: string;
  size: number;
  manifest: unknown;
  workDir: string;
};

export function restorePlanFrom(options: unknown): Plan {
  const o = options as KillRestoreOptions;
  const conn = testConnection(o.database);
  return planFor({
    scenarioId: "database-corruption",
    target: {
      name: o.database,
      environment: "production",
      conn,
      migrationHead: DEFAULT_HEAD_SOURCE,
    },
    backup: {
      storage: createStorage({ kind: "local", path: o.storageDir, prefix: "" }),
      key: o.key,
      size: o.size,
      format: "custom",
      manifest: manifestSchema.parse(o.manifest),
      locationName: "test folder",
    },
    now: new Date(o.now),
    options: { workDir: o.workDir },
  });
}

export const resolveKillRestorePlan: ResolvePlan = async (run) => restorePlanFrom(run.options);

async function main() {
  const [runId, planHash, userId, email, leaseMs, renewMs, tmpDir] = process.argv.slice(2);
  if (!runId || !planHash || !userId || !email || !tmpDir)
    throw new Error("usage: restore-child.ts runId planHash userId email leaseMs renewMs tmpDir");
  // The test's own temp folder: what a killed process cannot clean up (the passfile of the
  // pg_restore it was running, in the private folder under it) is swept from there by the test.
  process.env.TMPDIR = tmpDir;
  configureRunner({ leaseMs: Number(leaseMs), renewMs: Number(renewMs) });
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { options: true } });
  const { database } = parseStoredJson(run.options, z.object({ database: z.string() }), "run options");
  const { done } = await confirmAndStart({
    runId,
    typedName: database,
    expectedName: database,
    planHash,
    actor: { id: userId, email },
    resolvePlan: resolveKillRestorePlan,
  });
  process.stdout.write(`CONFIRMED ${runId}\n`);
  await done;
  // Reached only when the test did not kill this process in time: the run ended here.
  const after = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
  process.stdout.write(`ENDED ${after.status}\n`);
  process.exit(0);
}

// Only when run as the child (the test imports this file for restorePlanFrom).
if (/restore-child\.ts$/.test(process.argv[1] ?? "")) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
