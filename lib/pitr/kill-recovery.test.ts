import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { db } from "@/lib/db";
import type { PgConnection } from "@/lib/postgres/connection";
import { runPsqlQuery } from "@/lib/postgres/run";
import { recoverInterruptedRuns } from "@/lib/runner/lease";
import { completeManualStep, resumeRun } from "@/lib/runner/runs";
import { prepareRun, resolvePlan } from "@/lib/restores/prepare";
import { pitrConnection } from "@/lib/pitr/test-support";
import { isPostmasterOf, readPostmasterPid } from "./recovery-files";
import {
  listRecoveryInstances,
  recoveryConnection,
  removeRecoveryInstance,
  startRecoveryInstance,
  sweepRecoveryInstances,
  type RecoveryTarget,
} from "./recovery";
import { archivedTestDatabase, newestBaseBackupBefore, switchWalAndWait } from "./recovery-test-support";

// Acceptance 4 of point-in-time recovery: a console process killed (SIGKILL) while a recovery
// instance starts leaves the run interrupted, production untouched and the instance listed;
// resuming the run finishes the restore, and removing the instance (clean-up) stops its
// PostgreSQL and deletes its folder, after which the engine starts a new one.

const ROOT = path.resolve(import.meta.dirname, "../..");
const LEASE_MS = 1_500;
const RENEW_MS = 250;
const children: ReturnType<typeof spawn>[] = [];
const instancesOf: string[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  const left = await db.recoveryInstance.findMany({
    where: { databaseId: { in: instancesOf }, status: { not: "removed" } },
  });
  for (const r of left) await removeRecoveryInstance(r.id).catch(() => {});
});

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function spawnChild(args: string[]) {
  // tsx as a require hook, not its CLI: the CLI runs the script in a second node process,
  // which a SIGKILL of the first would not stop.
  const proc = spawn(
    process.execPath,
    [
      "--conditions=import",
      "--require",
      "./scripts/allow-server-only.cjs",
      "--require",
      "tsx/cjs",
      "tests/runner/pitr-child.ts",
      ...args,
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(proc);
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  let gone: string | null = null;
  void exited.then((e) => (gone = `the child exited (${e.code ?? e.signal}) on its own: ${out}`));
  return { proc, exited, output: () => out, gone: () => gone };
}

/** 100 rows, a time noted, 40 deleted, the WAL archived: the time target gives the 100 back. */
async function deletedRows(conn: PgConnection): Promise<RecoveryTarget> {
  await runPsqlQuery(conn, "CREATE TABLE items (id int PRIMARY KEY, note text)");
  await runPsqlQuery(conn, "INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 100) g");
  await new Promise((r) => setTimeout(r, 1100));
  const at = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 1100));
  await runPsqlQuery(conn, "DELETE FROM items WHERE id > 60");
  await switchWalAndWait(conn);
  return { kind: "time", at };
}

const count = async (conn: PgConnection) => Number((await runPsqlQuery(conn, "SELECT count(*) FROM items"))[0]?.[0]);

/** Production as it must stay: its rows, a primary, and no new timeline pushed into its repository. */
async function productionState(conn: PgConnection) {
  // eslint-disable-next-line no-restricted-properties -- test-only: the shared repository's path
  const repo = process.env.TEST_PITR_REPO_PATH ?? "";
  const histories = fs
    .readdirSync(repo, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".history"));
  return {
    rows: await count(conn),
    inRecovery: (await runPsqlQuery(pitrConnection(), "SELECT pg_is_in_recovery()"))[0]?.[0],
    histories,
  };
}

test("a console killed while the recovery instance starts leaves the run interrupted, production untouched and the instance listed; resuming the run uses the instance once it promoted and finishes", async () => {
  const t0 = Date.now();
  const { databaseId, conn } = await archivedTestDatabase("kill_pitr_run");
  instancesOf.push(databaseId);
  const target = await deletedRows(conn);
  const user = await db.user.create({
    data: { email: `kill-pitr-${randomUUID()}@example.test`, name: "Kill PITR Test", role: "approver" },
  });
  const actor = { id: user.id, email: user.email, name: user.name, role: "approver" as const };
  const { runId } = await prepareRun(
    {
      scenarioId: "accidental-deletion",
      databaseId,
      backupId: "",
      pitr: { target, keepHours: 0 },
      input: { table: "public.items", idColumn: "id", ids: "1-100" },
    },
    actor,
  );
  const planned = await db.run.findUniqueOrThrow({
    where: { id: runId },
    include: { steps: { orderBy: { index: "asc" } } },
  });
  const keys = planned.steps.map((s) => s.key);
  const restoreIndex = keys.indexOf("restore-to-moment");
  expect(restoreIndex).toBeGreaterThan(0);
  const before = await productionState(conn);
  expect(before.rows).toBe(60);

  // The child confirms and executes the run; killed once PostgreSQL of the instance runs and recovers.
  const child = spawnChild(["run", runId, planned.planHash, user.id, user.email, String(LEASE_MS), String(RENEW_MS)]);
  const starting = await waitFor(
    "the recovery instance recovering in the child",
    async () => {
      if (child.gone()) throw new Error(child.gone()!);
      return db.recoveryInstance.findFirst({ where: { runId } });
    },
    (row) => row?.status === "recovering" && row.pid !== null,
    180_000,
  );
  child.proc.kill("SIGKILL");
  expect((await child.exited).signal).toBe("SIGKILL");
  const killedAt = Date.now();
  const instanceId = starting!.id;

  // The run: still "running" under the dead console's lease, then interrupted, never succeeded.
  const afterKill = await db.run.findUniqueOrThrow({ where: { id: runId } });
  expect(afterKill.status).toBe("running");
  await waitFor(
    "the lease to expire",
    async () => Date.now(),
    (now) => now > afterKill.leaseExpiresAt!.getTime(),
    LEASE_MS * 3,
  );
  expect((await recoverInterruptedRuns()).interrupted).toContain(runId);
  const run = await db.run.findUniqueOrThrow({
    where: { id: runId },
    include: { steps: { orderBy: { index: "asc" } } },
  });
  expect(run.status).toBe("interrupted");
  expect(run.steps[restoreIndex]!.status).toBe("interrupted");
  expect(run.steps.slice(restoreIndex + 1).every((s) => s.status === "pending")).toBe(true);

  // The instance: listed as interrupted by the start-up sweep, never deleted.
  expect((await sweepRecoveryInstances()).interrupted).toContain(instanceId);
  const listed = (await listRecoveryInstances()).find((i) => i.id === instanceId);
  expect(listed).toMatchObject({ status: "interrupted", runId, port: starting!.port });
  expect(fs.existsSync(listed!.dataDir)).toBe(true);

  // Production untouched: its rows, a primary, no timeline pushed into its repository.
  expect(await productionState(conn)).toEqual(before);

  // The killed console's PostgreSQL goes on and promotes by itself; the resume finds it there.
  await waitFor(
    "the orphaned recovery instance to promote",
    async () => (await readPostmasterPid(listed!.dataDir))?.status ?? null,
    (status) => status === "ready",
    240_000,
  );

  // Resumed here: the restore step runs again and the run finishes; the confirmation is ticked.
  const resumed = await resumeRun({ runId, actor, resolvePlan });
  expect(resumed.fromStep).toBe(restoreIndex);
  let finished = false;
  void resumed.done.finally(() => (finished = true));
  while (!finished) {
    const waiting = await db.runStep.findFirst({ where: { runId, status: "waiting" } });
    if (waiting) await completeManualStep({ runId, stepIndex: waiting.index, note: "ticked by the kill test", actor });
    else await new Promise((r) => setTimeout(r, 50));
  }
  await resumed.done;
  const done = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true, logs: true } });
  expect(
    done.steps.filter((s) => s.status !== "succeeded").map((s) => `${s.key}: ${s.status} ${s.error ?? ""}`),
  ).toEqual([]);
  expect(done.status).toBe("succeeded");
  expect(await count(conn)).toBe(100);
  // Every instance of the run is removed at the end, the killed one included.
  const ofRun = await db.recoveryInstance.findMany({ where: { runId } });
  expect(ofRun.map((r) => r.status)).toEqual(ofRun.map(() => "removed"));
  expect(fs.existsSync(path.dirname(listed!.dataDir))).toBe(false);
  const reused = done.logs.some((l) => /using the recovery instance this run already started/.test(l.text));
  // It used the instance the killed console had started instead of restoring again.
  expect(reused).toBe(true);
  expect(ofRun.map((r) => r.id)).toEqual([instanceId]);
  console.log(
    `[kill-recovery test] run: killed ${killedAt - starting!.createdAt.getTime()} ms after the instance row; the resume used the instance the killed console had started; total ${Date.now() - t0} ms`,
  );
}, 300_000);

test("the engine alone: killed while recovering, the instance is listed, clean-up stops and deletes it, and a new start works", async () => {
  const { databaseId, conn } = await archivedTestDatabase("kill_pitr_engine");
  instancesOf.push(databaseId);
  const before = new Date();
  const target = await deletedRows(conn);
  const label = await newestBaseBackupBefore(before);
  const production = await productionState(conn);

  const child = spawnChild(["engine", databaseId, label, JSON.stringify(target)]);
  const starting = await waitFor(
    "the recovery instance recovering in the child",
    async () => {
      if (child.gone()) throw new Error(child.gone()!);
      return db.recoveryInstance.findFirst({ where: { databaseId } });
    },
    (row) => row?.status === "recovering" && row.pid !== null,
    180_000,
  );
  child.proc.kill("SIGKILL");
  expect((await child.exited).signal).toBe("SIGKILL");

  expect((await sweepRecoveryInstances()).interrupted).toEqual(expect.arrayContaining([starting!.id]));
  const listed = (await listRecoveryInstances({ databaseId }))[0];
  expect(listed).toMatchObject({ id: starting!.id, status: "interrupted" });
  expect(await productionState(conn)).toEqual(production);

  // Clean-up: its PostgreSQL (which outlived the console) is stopped and its folder deleted.
  const pm = await readPostmasterPid(listed!.dataDir);
  expect(await removeRecoveryInstance(starting!.id)).toEqual({ removed: true, folderDeleted: true });
  if (pm) expect(await isPostmasterOf(pm.pid, listed!.dataDir)).toBe(false);
  expect(fs.existsSync(path.dirname(listed!.dataDir))).toBe(false);
  expect(await listRecoveryInstances({ databaseId })).toEqual([]);

  // The engine starts afresh in this process.
  const again = await startRecoveryInstance({ databaseId, runId: null, target, baseBackupLabel: label });
  expect(await count(await recoveryConnection(again.instanceId, conn.database))).toBe(100);
  expect(await removeRecoveryInstance(again.instanceId)).toEqual({ removed: true, folderDeleted: true });
  expect(await productionState(conn)).toEqual(production);
}, 300_000);
