import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { createBackup } from "@/lib/backups/create-backup";
import { seal } from "@/lib/crypto/key";
import { db } from "@/lib/db";
import type { PgConnection } from "@/lib/postgres/connection";
import { runPsqlQuery } from "@/lib/postgres/run";
import { privateRoot, secretDirsOf, sweepSecretDirs } from "@/lib/postgres/private-dir";
import { createFixtureDatabase, dropDatabase, testConnection } from "@/lib/postgres/test-support";
import { recoverInterruptedRuns } from "@/lib/runner/lease";
import { completeManualStep, createRun, resumeRun } from "@/lib/runner/runs";
import { createStorage } from "@/lib/storage/create-storage";
import { restorePlanFrom, resolveKillRestorePlan, type KillRestoreOptions } from "@/tests/runner/restore-child";
import { existingDatabases, sessionsOn, userTableCount } from "./database-admin";
import { cleanUpRun, sweepLeftovers } from "./leftovers";
import { countsOf } from "./test-support";

// Acceptance 3 of the restore issue: a console process running a real database-corruption
// restore (the runner, the real plan, pg_restore into the test PostgreSQL) is killed with
// SIGKILL while the scratch restore runs. The run must end up "interrupted" (never
// "succeeded"), production must be exactly as it was (same tables, same row counts, same
// name), and resuming the run here must finish the restore and the switch-over. What the
// killed console could not remove goes at the next start-up: its passfiles at once, the
// download and scratch database once the run has ended (an interrupted run keeps them).

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Big enough that pg_restore takes a few seconds here, so the kill lands in the middle of it. */
const SCALE = 25;
const LEASE_MS = 1_500;
const RENEW_MS = 250;
/** How long the restore step must have been running (pg_restore connected) before the kill. */
const RUNNING_FOR_MS = 500;

let storageDir: string;
let workDir: string;
/** The child's TMPDIR. */
let childTmp: string;
let child: ReturnType<typeof spawn> | undefined;
const toDrop: string[] = [];

beforeAll(() => {
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-kill-restore-"));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-kill-restore-work-"));
  childTmp = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-kill-restore-tmp-"));
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const name of toDrop) await dropDatabase(name);
  if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true });
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  if (childTmp) fs.rmSync(childTmp, { recursive: true, force: true });
});

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
  everyMs = 25,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** What "production" is: its tables with their row counts, and whether it takes connections under its name. */
async function stateOf(conn: PgConnection) {
  const found = await existingDatabases(testConnection(), [conn.database]);
  return {
    exists: found.has(conn.database),
    allowConnections: found.get(conn.database)?.allowConnections ?? null,
    counts: await countsOf(conn),
  };
}

const ms = (from: number) => Date.now() - from;

test("a console killed during the scratch restore leaves the run interrupted and production untouched; resuming completes it", async () => {
  const t0 = Date.now();
  const timing: Record<string, number> = {};

  // 1. The fixture, its backup, then the damage.
  const conn = await createFixtureDatabase("killrst", SCALE);
  toDrop.push(conn.database);
  const original = await countsOf(conn);
  expect(Object.keys(original)).toHaveLength(8);
  expect(original["public.transactions"]).toBe(20_000 * SCALE);
  timing.fixture = ms(t0);

  let t = Date.now();
  const storage = createStorage({ kind: "local", path: storageDir, prefix: "" });
  const key = `${conn.database}/backup.dump`;
  const backup = await createBackup({ conn, storage, key, format: "custom" });
  expect(backup.manifest.tables.map((x) => x.rows).reduce((a, b) => a + b, 0)).toBe(
    Object.values(original).reduce((a, b) => a + b, 0),
  );
  timing.backup = ms(t);

  await runPsqlQuery(conn, "DROP TABLE wallet_events");
  const productionBefore = await stateOf(conn);
  expect(productionBefore.exists).toBe(true);
  expect(productionBefore.allowConnections).toBe(true);
  expect(productionBefore.counts["public.wallet_events"]).toBeUndefined();
  expect(Object.keys(productionBefore.counts)).toHaveLength(7);

  // 2. The run, planned in this process.
  const user = await db.user.create({
    data: { email: `kill-restore-${randomUUID()}@example.test`, name: "Kill Restore Test", role: "operator" },
  });
  const actor = { id: user.id, email: user.email };
  // With its password, as a real one: the clean-up connects to drop what the run left.
  const database = await db.database.create({
    data: {
      name: `kill-restore-${randomUUID().slice(0, 8)}`,
      host: conn.host,
      port: conn.port,
      dbName: conn.database,
      user: conn.user,
      passwordEnc: seal(conn.password ?? ""),
      sslmode: "disable",
    },
  });
  const options: KillRestoreOptions = {
    database: conn.database,
    now: new Date().toISOString(),
    storageDir,
    key,
    size: backup.size,
    manifest: backup.manifest,
    workDir,
  };
  const plan = restorePlanFrom(options);
  const { scratchDatabase, oldCopy } = plan.summary as { scratchDatabase: string; oldCopy: string };
  toDrop.push(scratchDatabase, oldCopy);
  const { runId, planHash } = await createRun({
    plan,
    scenarioId: "database-corruption",
    databaseId: database.id,
    backupId: null,
    options,
    createdBy: actor,
  });
  const keys = plan.steps.map((s) => s.key);
  const restoreIndex = keys.indexOf("restore-scratch");
  expect(restoreIndex).toBeGreaterThan(0);

  // 3. A console process confirms and executes it, and is killed during the scratch restore.
  // scripts/lib.sh run_ts's flags, but with tsx as a require hook instead of its CLI: the CLI
  // runs the script in a second node process, which a SIGKILL of the first would not stop.
  t = Date.now();
  const proc = spawn(
    process.execPath,
    [
      "--conditions=import",
      "--require",
      "./scripts/allow-server-only.cjs",
      "--require",
      "tsx/cjs",
      "tests/runner/restore-child.ts",
      runId,
      planHash,
      user.id,
      user.email,
      String(LEASE_MS),
      String(RENEW_MS),
      childTmp,
    ],
    // The environment is inherited: the same Lifeboat database and TEST_PG_* server as this test.
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  child = proc;
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  let childGone: string | null = null;
  void exited.then((e) => (childGone = `the child exited (${e.code ?? e.signal}) on its own: ${stdout}${stderr}`));

  const restoreStep = () => db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index: restoreIndex } } });
  const running = await waitFor(
    "the scratch restore running in the child",
    async () => {
      if (childGone) throw new Error(childGone);
      const step = await restoreStep();
      if (step.status !== "running" && step.status !== "pending") {
        throw new Error(
          `the restore step is ${step.status} before the kill: raise SCALE so that it runs long enough to be killed. ${stdout}${stderr}`,
        );
      }
      return step;
    },
    (s) => s.status === "running",
    30_000,
  );
  timing.childToRestore = ms(t);
  // pg_restore connected to the scratch database and working for a moment.
  await waitFor(
    "pg_restore connected to the scratch database",
    async () => ({
      sessions: (await sessionsOn(testConnection(), scratchDatabase)).length,
      runningMs: Date.now() - running.startedAt!.getTime(),
    }),
    (v) => v.sessions > 0 && v.runningMs >= RUNNING_FOR_MS,
    10_000,
  );
  const stillRunning = await restoreStep();
  expect(stillRunning.status, "the restore step finished before the kill: raise SCALE").toBe("running");

  proc.kill("SIGKILL");
  expect((await exited).signal).toBe("SIGKILL");
  const killedAt = Date.now();
  timing.restoreRanBeforeKill = killedAt - running.startedAt!.getTime();

  // 4. Nothing touched it since: still "running" under the dead instance's lease, never succeeded.
  const afterKill = await db.run.findUniqueOrThrow({ where: { id: runId } });
  expect(afterKill.status).toBe("running");
  expect((await restoreStep()).status).toBe("running");
  await waitFor(
    "the dead instance's lease to expire",
    async () => Date.now(),
    (now) => now > afterKill.leaseExpiresAt!.getTime(),
    LEASE_MS * 3,
  );
  const { interrupted } = await recoverInterruptedRuns();
  expect(interrupted).toContain(runId);
  timing.killToInterrupted = ms(killedAt);

  const run = await db.run.findUniqueOrThrow({
    where: { id: runId },
    include: { steps: { orderBy: { index: "asc" } } },
  });
  expect(run.status).toBe("interrupted");
  expect(run.verdict).toBeNull();
  expect(run.steps.map((s) => s.status)).toEqual(
    keys.map((_, i) => (i < restoreIndex ? "succeeded" : i === restoreIndex ? "interrupted" : "pending")),
  );
  expect(run.steps[restoreIndex]!.note).toMatch(/The console stopped during this step/);

  // Production is exactly as it was: same name, same tables, same counts, still taking connections.
  expect(await stateOf(conn)).toEqual(productionBefore);
  const left = await existingDatabases(testConnection(), [scratchDatabase, oldCopy]);
  expect(left.has(oldCopy)).toBe(false);
  // The scratch database may be there, half restored: that is fine.
  const scratchTables = left.has(scratchDatabase) ? await userTableCount({ ...conn, database: scratchDatabase }) : null;
  // For the record: how far the killed restore got, and whether its pg_restore outlived the console.
  const lastTable = await db.runLog.findFirst({
    where: { runId, stepIndex: restoreIndex, text: { startsWith: "restoring data of" } },
    orderBy: { id: "desc" },
  });
  const orphanSessions = left.has(scratchDatabase) ? (await sessionsOn(testConnection(), scratchDatabase)).length : 0;
  // The killed console could not remove the passfile of the pg_restore it ran; its download is
  // kept for the resume (the run is interrupted, not ended).
  const leftPassfiles = (await secretDirsOf(proc.pid!, childTmp)).length;
  expect(leftPassfiles).toBeGreaterThan(0);
  const downloadPath = z
    .object({ path: z.string() })
    .parse(JSON.parse(run.steps[keys.indexOf("download")]!.result ?? "null")).path;
  expect(fs.existsSync(downloadPath)).toBe(true);
  expect((await cleanUpRun(runId)).applied).toBe(false);
  expect(fs.existsSync(downloadPath)).toBe(true);
  // The next start-up (here: of a console with the child's temp folder) empties the passfiles.
  const swept = await sweepSecretDirs(childTmp);
  expect(swept.length).toBe(leftPassfiles);
  expect(await secretDirsOf(proc.pid!, childTmp)).toEqual([]);
  expect(fs.readdirSync(privateRoot(childTmp))).toEqual([]);

  // 5. Resumed here: from the restore step, which starts afresh; operators tick the confirmation and manual steps.
  t = Date.now();
  const resumed = await resumeRun({ runId, actor, resolvePlan: resolveKillRestorePlan });
  expect(resumed.fromStep).toBe(restoreIndex);
  let finished = false;
  void resumed.done.finally(() => (finished = true));
  const ticked: string[] = [];
  while (!finished) {
    const waiting = await db.runStep.findFirst({ where: { runId, status: "waiting" } });
    if (waiting) {
      await completeManualStep({ runId, stepIndex: waiting.index, note: "ticked by the kill-restore test", actor });
      ticked.push(waiting.key);
    } else {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await resumed.done;
  timing.resume = ms(t);

  const done = await db.run.findUniqueOrThrow({
    where: { id: runId },
    include: { steps: { orderBy: { index: "asc" } } },
  });
  const failedSteps = done.steps
    .filter((s) => s.status !== "succeeded")
    .map((s) => `${s.key}: ${s.status} ${s.error ?? ""}`);
  expect(failedSteps, done.verdict ?? "").toEqual([]);
  expect(done.status).toBe("succeeded");
  expect(ticked).toEqual(plan.steps.filter((s) => s.kind !== "automatic").map((s) => s.key));
  const restored = z.record(z.string(), z.unknown()).parse(JSON.parse(done.steps[restoreIndex]!.result ?? "null"));
  expect(restored).toMatchObject({ database: scratchDatabase, tool: "pg_restore", tablesWithData: 8 });
  if (scratchTables) expect(restored.recreated).toBe(true);
  expect(done.verdict).toMatch(/8 tables, .* rows, row counts match the backup's manifest/);

  // Every table has the fixture's rows again; the old copy is the damaged database, as it was.
  expect(await countsOf(conn)).toEqual(original);
  expect(await countsOf({ ...conn, database: oldCopy })).toEqual(productionBefore.counts);
  const after = await existingDatabases(testConnection(), [conn.database, scratchDatabase, oldCopy]);
  expect([...after.keys()].sort()).toEqual([conn.database, oldCopy].sort());
  // The download was kept for the resumed restore and removed at the end.
  expect(fs.existsSync(downloadPath)).toBe(false);
  // The start-up sweep finds this run ended without its clean-up (it was resumed through the
  // runner directly): nothing is left, and the run records it.
  await sweepLeftovers();
  const cleaned = await db.run.findUniqueOrThrow({ where: { id: runId } });
  expect(cleaned.cleanedUpAt).not.toBeNull();
  expect(cleaned.cleanupNote).toMatch(/the download folder was already gone; the scratch database .* is gone/);
  expect(await secretDirsOf(process.pid)).toEqual([]);

  console.log(
    `[kill-restore test] scale ${SCALE}: fixture ${timing.fixture} ms, backup ${timing.backup} ms, child start to restore running ${timing.childToRestore} ms, ` +
      `restore ran ${timing.restoreRanBeforeKill} ms before the kill (scratch had ${scratchTables ?? "no database"} tables; last log: ${lastTable?.text ?? "none"}; ${orphanSessions} session(s) left on it at recovery; the killed child left ${leftPassfiles} passfile folder(s)), kill to interrupted ${timing.killToInterrupted} ms, ` +
      `resume to succeeded ${timing.resume} ms (resumed restore ${String(restored.durationMs)} ms); total ${ms(t0)} ms`,
  );
}, 120_000);
