import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { db } from "@/lib/db";
import type { PgConnection } from "@/lib/postgres/connection";
import { runPsqlQuery } from "@/lib/postgres/run";
import { removeRecoveryInstance, stopRecoveryInstance, type RecoveryTarget } from "@/lib/pitr/recovery";
import { archivedTestDatabase, switchWalAndWait } from "@/lib/pitr/recovery-test-support";
import { createRestorePoint, switchWal } from "@/lib/pitr/mutations";
import { parseStoredPlan } from "@/lib/runner/plan";
import { prepareRun, resolvePlan } from "./prepare";
import { PitrRefusal } from "./pitr-window";
import { executePlan } from "./test-support";
import { cleanUpRun } from "./leftovers";

// Point-in-time restores end to end on the shared archiving cluster (never stopped or
// reconfigured: each test works in its own database inside it). Rows are inserted, a moment
// noted (time, named restore point or LSN), rows deleted and the WAL archived; the wizard's
// plan (prepareRun) and the run's steps bring the deleted rows back into production through the
// copy-back from a recovery instance, with exact counts, and remove the instance afterwards.

const TIMEOUT = 240_000;
const actor = { id: "pitr-test", email: "pitr-test@example.test", name: "PITR test", role: "operator" as const };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let databaseId: string;
let conn: PgConnection;
const runs: string[] = [];

beforeAll(async () => {
  ({ databaseId, conn } = await archivedTestDatabase("pitr_wizard"));
}, TIMEOUT);

afterAll(async () => {
  const left = await db.recoveryInstance.findMany({ where: { runId: { in: runs } } });
  for (const r of left) await removeRecoveryInstance(r.id).catch(() => {});
});

async function ids(table: string): Promise<number[]> {
  return (await runPsqlQuery(conn, `SELECT id FROM ${table} ORDER BY id`)).map((r) => Number(r[0]));
}

async function currentLsn(): Promise<string> {
  const [[lsn = ""] = []] = await runPsqlQuery(conn, "SELECT pg_current_wal_insert_lsn()::text");
  return lsn;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function plan(table: string, target: RecoveryTarget, keepHours = 0) {
  const { runId } = await prepareRun(
    {
      scenarioId: "accidental-deletion",
      databaseId,
      backupId: "",
      pitr: { target, keepHours },
      input: { table, idColumn: "id", ids: "1-100" },
    },
    actor,
  );
  runs.push(runId);
  const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
  return {
    runId,
    plan: await resolvePlan({ ...run, options: JSON.parse(run.options) as unknown, plan: parseStoredPlan(run.plan) }),
  };
}

/** The wizard's plan, then the run's steps as the runner executes them (confirmation ticked). */
async function planAndRun(table: string, target: RecoveryTarget) {
  const { runId } = await prepareRun(
    {
      scenarioId: "accidental-deletion",
      databaseId,
      backupId: "",
      pitr: { target, keepHours: 0 },
      input: { table, idColumn: "id", ids: "1-100" },
    },
    actor,
  );
  runs.push(runId);
  const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
  expect(run.backupId).toBeNull();
  const stored = parseStoredPlan(run.plan);
  const plan = await resolvePlan({ ...run, options: JSON.parse(run.options) as unknown, plan: stored });
  const executed = await executePlan(plan, { runId });
  if (executed.failed)
    throw new Error(
      `step ${executed.failed.key} failed: ${executed.failed.error.message}\n${executed.logs.join("\n")}`,
    );
  return { runId, plan, stored, executed };
}

async function expectBack(table: string, r: Awaited<ReturnType<typeof planAndRun>>) {
  expect(await ids(table)).toEqual(range(1, 100));
  const copied = r.executed.results["copy-back"] as { inserted: number; skipped: number };
  expect(copied.inserted).toBe(40);
  expect(copied.skipped).toBe(0);
  const preview = r.executed.results["preview-rows"] as { missing: number; inBackup: number; inProduction: number };
  expect(preview).toMatchObject({ missing: 40, inBackup: 100, inProduction: 60 });
  // The plan names the base backup pgBackRest used, and the run passed exactly that one.
  const summary = r.stored.summary as { pitr?: { baseBackup: { label: string } } };
  const label = summary.pitr?.baseBackup.label ?? "";
  expect(label).toMatch(/^\d{8}-\d{6}F/);
  const restore = r.plan.steps.find((s) => s.key === "restore-to-moment");
  expect(restore?.command).toContain(`--set=${label}`);
  const instance = await db.recoveryInstance.findFirstOrThrow({ where: { runId: r.runId } });
  expect(instance.target).toContain(label);
  // Stopped and removed at the end.
  expect(instance.status).toBe("removed");
}

async function insertThenDelete(table: string, mark: () => Promise<RecoveryTarget>): Promise<RecoveryTarget> {
  await runPsqlQuery(conn, `CREATE TABLE ${table} (id int PRIMARY KEY, note text)`);
  await runPsqlQuery(conn, `INSERT INTO ${table} SELECT g, 'row ' || g FROM generate_series(1, 100) g`);
  const target = await mark();
  await runPsqlQuery(conn, `DELETE FROM ${table} WHERE id > 60`);
  await switchWalAndWait(conn);
  expect(await ids(table)).toEqual(range(1, 60));
  return target;
}

describe("a point-in-time restore brings deleted rows back into production through the copy-back", () => {
  test(
    "to a time",
    async () => {
      const target = await insertThenDelete("items_time", async () => {
        await sleep(1100);
        const at = new Date().toISOString();
        await sleep(1100);
        return { kind: "time", at };
      });
      const r = await planAndRun("public.items_time", target);
      await expectBack("public.items_time", r);
      expect(r.executed.logs.join("\n")).toMatch(/reached .* and was promoted in/);
    },
    TIMEOUT,
  );

  test(
    "to a named restore point",
    async () => {
      const name = `before-delete-${Date.now()}`;
      const target = await insertThenDelete("items_named", async () => {
        await createRestorePoint({ databaseId, name }, { email: actor.email, source: "console" });
        return { kind: "name", name };
      });
      const r = await planAndRun("public.items_named", target);
      await expectBack("public.items_named", r);
    },
    TIMEOUT,
  );

  test(
    "to an LSN",
    async () => {
      const target = await insertThenDelete("items_lsn", async () => {
        return { kind: "lsn", lsn: await currentLsn() };
      });
      const r = await planAndRun("public.items_lsn", target);
      await expectBack("public.items_lsn", r);
    },
    TIMEOUT,
  );
});

describe("database corruption restored to a moment", () => {
  test(
    "dumps the recovered database and switches it into place through the scratch copy; the old copy is kept",
    async () => {
      const own = await archivedTestDatabase("pitr_corrupt");
      const c = own.conn;
      await runPsqlQuery(c, "CREATE TABLE ledger (id int PRIMARY KEY, amount int)");
      await runPsqlQuery(c, "INSERT INTO ledger SELECT g, g * 10 FROM generate_series(1, 50) g");
      await sleep(1100);
      const at = new Date().toISOString();
      await sleep(1100);
      await runPsqlQuery(c, "DROP TABLE ledger");
      await switchWalAndWait(c);
      const { runId } = await prepareRun(
        {
          scenarioId: "database-corruption",
          databaseId: own.databaseId,
          backupId: "",
          pitr: { target: { kind: "time", at }, keepHours: 0 },
          input: {},
        },
        actor,
      );
      runs.push(runId);
      const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
      const p = await resolvePlan({
        ...run,
        options: JSON.parse(run.options) as unknown,
        plan: parseStoredPlan(run.plan),
      });
      const executed = await executePlan(p, { runId });
      if (executed.failed)
        throw new Error(`${executed.failed.key}: ${executed.failed.error.message}\n${executed.logs.join("\n")}`);
      expect(executed.steps.map((s) => s.key)).toEqual(
        expect.arrayContaining([
          "restore-to-moment",
          "dump-recovered",
          "stop-recovery",
          "restore-scratch",
          "switch-over",
        ]),
      );
      // The scratch copy was compared with the recovered database's counts, table by table.
      expect((executed.results["verify-scratch"] as { matches: string | null }).matches).toBe("the recovered database");
      expect(await runPsqlQuery(c, "SELECT count(*), sum(amount) FROM ledger")).toEqual([["50", "12750"]]);
      const oldCopy = (parseStoredPlan(run.plan).summary as { oldCopy: string }).oldCopy;
      const [[kept = ""] = []] = await runPsqlQuery(
        c,
        `SELECT count(*) FROM pg_database WHERE datname = '${oldCopy.replace(/'/g, "''")}'`,
      );
      expect(kept).toBe("1");
      expect((await db.recoveryInstance.findFirstOrThrow({ where: { runId } })).status).toBe("removed");
      await runPsqlQuery({ ...c, database: "postgres" }, `DROP DATABASE IF EXISTS "${oldCopy.replace(/"/g, '""')}"`);
    },
    TIMEOUT,
  );
});

describe("a resumed point-in-time run", () => {
  test(
    "whose recovery instance stopped says so, restores again to the same moment, finishes, and keeps the instance when asked",
    async () => {
      const target = await insertThenDelete("items_resume", async () => {
        await sleep(1100);
        const at = new Date().toISOString();
        await sleep(1100);
        return { kind: "time", at };
      });
      const { runId, plan: p } = await plan("public.items_resume", target, 1);
      const first = await executePlan(p, { runId, until: "preview-rows" });
      expect(first.failed).toBeNull();
      const { instanceId } = first.results["restore-to-moment"] as { instanceId: string };
      // The console went away and the instance's PostgreSQL with it.
      await stopRecoveryInstance(instanceId);
      const second = await executePlan(p, { runId, from: "preview-rows", results: first.results });
      if (second.failed) throw new Error(`${second.failed.error.message}\n${second.logs.join("\n")}`);
      expect(second.logs.join("\n")).toMatch(
        /the recovery instance this run started \(127\.0\.0\.1:\d+\) is stopped: restoring again to/,
      );
      expect(await ids("public.items_resume")).toEqual(range(1, 100));
      expect((second.results["copy-back"] as { inserted: number }).inserted).toBe(40);
      // The stopped one is removed; the one that served the copy-back is kept for an hour.
      const rows = await db.recoveryInstance.findMany({ where: { runId } });
      expect(rows.find((r) => r.id === instanceId)?.status).toBe("removed");
      const kept = rows.filter((r) => r.status !== "removed");
      expect(kept).toHaveLength(1);
      expect(kept[0]?.status).toBe("ready");
      const hours = ((kept[0]?.keepUntil?.getTime() ?? 0) - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(0.9);
      expect(hours).toBeLessThanOrEqual(1);
    },
    TIMEOUT,
  );
});

describe("a cancelled point-in-time run", () => {
  test(
    "has its recovery instance stopped and removed by the clean-up",
    async () => {
      const target = await insertThenDelete("items_cancel", async () => ({ kind: "lsn", lsn: await currentLsn() }));
      const { runId, plan: p } = await plan("public.items_cancel", target);
      const first = await executePlan(p, { runId, until: "preview-rows" });
      expect(first.failed).toBeNull();
      const { instanceId } = first.results["restore-to-moment"] as { instanceId: string };
      expect((await db.recoveryInstance.findUniqueOrThrow({ where: { id: instanceId } })).status).toBe("ready");
      await db.run.update({ where: { id: runId }, data: { status: "cancelled" } });
      const report = await cleanUpRun(runId);
      expect(report.note).toMatch(/stopped and removed the recovery instance on 127\.0\.0\.1:\d+/);
      expect((await db.recoveryInstance.findUniqueOrThrow({ where: { id: instanceId } })).status).toBe("removed");
      // Production kept what it had: the rows were never copied back.
      expect(await ids("public.items_cancel")).toEqual(range(1, 60));
    },
    TIMEOUT,
  );
});

describe("a moment after the newest recoverable one", () => {
  test(
    "is refused in the plan, naming that moment; after Switch WAL now the same moment is accepted",
    async () => {
      await runPsqlQuery(conn, "CREATE TABLE later (id int PRIMARY KEY)");
      await switchWalAndWait(conn);
      await runPsqlQuery(conn, "INSERT INTO later VALUES (1)");
      await sleep(1100);
      const at = new Date().toISOString();
      await sleep(1100);
      // A commit after the moment, not archived yet: the moment is not recoverable.
      await runPsqlQuery(conn, "INSERT INTO later VALUES (2)");
      const attempt = () =>
        prepareRun(
          {
            scenarioId: "database-corruption",
            databaseId,
            backupId: "",
            pitr: { target: { kind: "time", at }, keepHours: 0, timeZone: "Europe/Berlin" },
            input: {},
          },
          actor,
        );
      const before = await db.run.count({ where: { databaseId } });
      const refusal = await attempt().then(
        () => null,
        (e: unknown) => e,
      );
      expect(refusal).toBeInstanceOf(PitrRefusal);
      const e = refusal as PitrRefusal;
      expect(e.code).toBe("after_window");
      // Names the newest recoverable moment in UTC and in the operator's zone, and the way out.
      expect(e.message).toMatch(
        /is after the newest recoverable moment, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(.* in Europe\/Berlin\)/,
      );
      expect(e.message).toMatch(/Switch WAL now/);
      // No run was made of a refused plan.
      expect(await db.run.count({ where: { databaseId } })).toBe(before);

      const switched = await switchWal({ databaseId });
      expect(switched.archived).toBe(true);
      const { runId } = await attempt();
      runs.push(runId);
      const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
      const summary = parseStoredPlan(run.plan).summary as { pitr?: { target: RecoveryTarget } };
      expect(summary.pitr?.target).toEqual({ kind: "time", at });
      await db.run.update({ where: { id: runId }, data: { status: "cancelled" } });
    },
    TIMEOUT,
  );

  test(
    "a moment before the oldest base backup's end is refused too",
    async () => {
      const r = await prepareRun(
        {
          scenarioId: "accidental-deletion",
          databaseId,
          backupId: "",
          pitr: { target: { kind: "time", at: "2001-01-01T00:00:00Z" }, keepHours: 0 },
          input: { table: "public.later", idColumn: "id", ids: "1-2" },
        },
        actor,
      ).then(
        () => null,
        (e: unknown) => e,
      );
      expect(r).toBeInstanceOf(PitrRefusal);
      expect((r as PitrRefusal).code).toBe("before_window");
      expect((r as PitrRefusal).message).toMatch(/before the end of the oldest base backup/);
    },
    TIMEOUT,
  );
});
