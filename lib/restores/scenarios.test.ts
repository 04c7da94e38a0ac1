import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBackup } from "@/lib/backups/create-backup";
import type { PgConnection } from "@/lib/postgres/connection";
import { quoteIdent, runPsqlQuery } from "@/lib/postgres/run";
import {
  AMANI_SCALE1_COUNTS,
  createFixtureDatabase,
  dropDatabase,
  testConnection,
  uniqueDatabaseName,
} from "@/lib/postgres/test-support";
import { createStorage } from "@/lib/storage/create-storage";
import type { BackupStorage } from "@/lib/storage/provider";
import { dropOldCopy, renameSql } from "./database-admin";
import { planFor, type BackupSource, type RestoreTarget } from "./plans";
import { countsOf, databasesStartingWith, executePlan } from "./test-support";
import { DEFAULT_HEAD_SOURCE, headQuerySql } from "@/lib/postgres/head-query";

// Acceptance 1 of the restore issue: for each scenario, damage a fixture database the way
// the scenario says, run the plan's automatic steps in order, and check that every table has
// the row count it had before the damage. Real PostgreSQL (TEST_PG_*), local storage.

const TIMEOUT = 180_000;
let dir: string;
let workDir: string;
let storage: BackupStorage;
const toDrop: string[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-restores-"));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-restores-work-"));
  storage = createStorage({ kind: "local", path: dir, prefix: "" });
});

afterAll(async () => {
  for (const name of toDrop) await dropDatabase(name);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

async function fixture(prefix: string): Promise<{ conn: PgConnection; before: Record<string, number> }> {
  const conn = await createFixtureDatabase(prefix);
  toDrop.push(conn.database);
  const before = await countsOf(conn);
  expect(Object.fromEntries(Object.entries(before).map(([k, v]) => [k.replace(/^public\./, ""), v]))).toEqual(
    AMANI_SCALE1_COUNTS,
  );
  return { conn, before };
}

async function backupOf(conn: PgConnection, format: "custom" | "plain_gzip"): Promise<BackupSource> {
  const key = `${conn.database}/backup.${format === "custom" ? "dump" : "sql.gz"}`;
  const r = await createBackup({ conn, storage, key, format });
  return { storage, key, size: r.size, format, manifest: r.manifest, locationName: "test folder" };
}

function targetOf(conn: PgConnection): RestoreTarget {
  return {
    name: conn.database,
    environment: "production",
    conn,
    migrationHead: DEFAULT_HEAD_SOURCE,
  };
}

function expectNoFailure(run: Awaited<ReturnType<typeof executePlan>>) {
  if (run.failed) throw new Error(`step ${run.failed.key} failed: ${run.failed.error.message}\n${run.logs.join("\n")}`);
}

describe("database corruption (custom format): a dropped table", () => {
  test(
    "restores every table's rows, keeps the old copy, and cleans up",
    async () => {
      const { conn, before } = await fixture("corrupt");
      const backup = await backupOf(conn, "custom");
      await runPsqlQuery(conn, "DROP TABLE wallet_events");
      expect((await countsOf(conn))["public.wallet_events"]).toBeUndefined();

      const now = new Date();
      const plan = planFor({
        scenarioId: "database-corruption",
        target: targetOf(conn),
        backup,
        now,
        options: { workDir },
      });
      const first = await executePlan(plan, { until: "verify-scratch" });
      expectNoFailure(first);
      // Run again after an interruption, the restore finds the earlier attempt's tables and starts afresh.
      const again1 = await executePlan(plan, { results: first.results, only: (k) => k === "restore-scratch" });
      expectNoFailure(again1);
      expect(again1.results["restore-scratch"]).toMatchObject({
        recreated: true,
        tool: "pg_restore",
        tablesWithData: 8,
      });
      const run = await executePlan(plan, { results: again1.results, from: "verify-scratch" });
      expectNoFailure(run);

      expect(await countsOf(conn)).toEqual(before);
      const { oldCopy, scratchDatabase } = plan.summary as { oldCopy: string; scratchDatabase: string };
      toDrop.push(oldCopy, scratchDatabase);
      expect(await databasesStartingWith(`${conn.database}_`)).toEqual([oldCopy]);
      // The old copy is the damaged database, as it was.
      expect((await countsOf({ ...conn, database: oldCopy }))["public.wallet_events"]).toBeUndefined();
      expect(run.results["verify-target"]).toMatchObject({
        verdict: expect.stringMatching(/8 tables, 30,401 rows, row counts match the backup's manifest/),
      });
      expect(run.results["preflight"]).toMatchObject({
        sessions: 0,
        migrationHead: "a1b2c3d4e5f6",
        backupServerVersion: backup.manifest?.serverVersion,
      });
      expect(fs.existsSync((run.results["download"] as { path: string }).path)).toBe(false);

      // Run again (a resumed run), the switch-over finds its work done.
      const again = await executePlan(plan, { only: (k) => k === "switch-over" });
      expectNoFailure(again);
      expect(again.results["switch-over"]).toMatchObject({ found: "already-done" });

      await expect(dropOldCopy(testConnection(), conn.database)).rejects.toThrow(/not an old copy/);
      await expect(dropOldCopy(testConnection(), "postgres")).rejects.toThrow(/not an old copy/);
      expect(await dropOldCopy(testConnection(), oldCopy)).toEqual({ dropped: true });
      expect(await databasesStartingWith(`${conn.database}_`)).toEqual([]);
    },
    TIMEOUT,
  );
});

describe("failed migration (plain SQL, gzip): a bumped alembic_version and a broken table", () => {
  test(
    "shows both migration heads, then restores; a switch-over interrupted half-way is finished",
    async () => {
      const { conn, before } = await fixture("migr");
      const backup = await backupOf(conn, "plain_gzip");
      await runPsqlQuery(
        conn,
        [
          "UPDATE alembic_version SET version_num = 'ffff00001111'",
          "ALTER TABLE wallet_balances DROP CONSTRAINT wallet_balances_pkey",
          "ALTER TABLE wallet_balances ADD COLUMN half_migrated int",
          "DELETE FROM wallet_balances WHERE wallet_id > 500",
        ].join(";\n"),
      );

      const plan = planFor({
        scenarioId: "failed-migration",
        target: targetOf(conn),
        backup,
        now: new Date(),
        options: { workDir },
      });
      const { oldCopy, scratchDatabase } = plan.summary as { oldCopy: string; scratchDatabase: string };
      toDrop.push(oldCopy, scratchDatabase);
      const first = await executePlan(plan, { until: "switch-over" });
      expectNoFailure(first);
      expect(first.results["migration-heads"]).toEqual({
        current: "ffff00001111",
        backup: "a1b2c3d4e5f6",
        query: headQuerySql(DEFAULT_HEAD_SOURCE),
      });
      expect(first.results["sql-safety"]).toMatchObject({
        mode: "restricted",
        restrictSupported: true,
        sha256MatchesManifest: true,
      });
      expect(first.results["restore-scratch"]).toMatchObject({ tool: "psql", restricted: true });

      // Run again after an interruption: a plain restore finds the earlier attempt's tables too.
      const again = await executePlan(plan, { results: first.results, only: (k) => k === "restore-scratch" });
      expectNoFailure(again);
      expect(again.results["restore-scratch"]).toMatchObject({ recreated: true, tool: "psql" });

      // The console died between the two renames.
      await runPsqlQuery(testConnection(), renameSql(conn.database, oldCopy));
      const rest = await executePlan(plan, { results: first.results, from: "switch-over" });
      expectNoFailure(rest);
      expect(rest.results["switch-over"]).toMatchObject({ found: "old-renamed" });

      expect(await countsOf(conn)).toEqual(before);
      expect(await runPsqlQuery(conn, "SELECT version_num FROM alembic_version")).toEqual([["a1b2c3d4e5f6"]]);
      const cols = await runPsqlQuery(
        conn,
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'wallet_balances' AND column_name = 'half_migrated'",
      );
      expect(cols).toEqual([["0"]]);
    },
    TIMEOUT,
  );
});

describe("accidental deletion (custom format): deleted rows", () => {
  test(
    "previews the missing rows, copies exactly those back in one transaction, and drops the scratch database",
    async () => {
      const { conn, before } = await fixture("del");
      const backup = await backupOf(conn, "custom");
      await runPsqlQuery(conn, "DELETE FROM transactions WHERE id BETWEEN 100 AND 199 OR id IN (5, 17)");
      // Rows that exist in both are not copied (nor changed).
      await runPsqlQuery(conn, "UPDATE transactions SET amount_cents = -1 WHERE id = 200");

      const plan = planFor({
        scenarioId: "accidental-deletion",
        target: targetOf(conn),
        backup,
        now: new Date(),
        table: "transactions",
        idColumn: "id",
        ids: { list: [5, "17", 200], from: 100, to: 199 },
        options: { workDir },
      });
      toDrop.push((plan.summary as { scratchDatabase: string }).scratchDatabase);
      const run = await executePlan(plan, { until: "drop-scratch" });
      expectNoFailure(run);

      expect(run.results["preview-rows"]).toMatchObject({
        table: "public.transactions",
        inBackup: 103,
        inProduction: 1,
        missing: 102,
      });
      expect((run.results["preview-rows"] as { ids: string[] }).ids.slice(0, 4)).toEqual(["5", "17", "100", "101"]);
      // The first missing rows themselves, for the confirmation step to show.
      const sample = (run.results["preview-rows"] as { sample?: { columns: string[]; rows: string[][] } }).sample;
      expect(sample?.columns[0]).toBe("id");
      expect(sample?.rows.map((r) => r[0])).toEqual([
        "5",
        "17",
        "100",
        "101",
        "102",
        "103",
        "104",
        "105",
        "106",
        "107",
      ]);
      expect(run.results["copy-back"]).toMatchObject({ previewed: 102, copied: 102, inserted: 102, skipped: 0 });
      expect(await countsOf(conn)).toEqual(before);
      expect(await runPsqlQuery(conn, "SELECT amount_cents FROM transactions WHERE id = 200")).toEqual([["-1"]]);

      // Copying again (a resumed run) inserts nothing twice.
      const again = await executePlan(plan, { results: run.results, only: (k) => k === "copy-back" });
      expectNoFailure(again);
      expect(again.results["copy-back"]).toMatchObject({ previewed: 102, inserted: 0, skipped: 102 });
      expect(await countsOf(conn)).toEqual(before);

      const rest = await executePlan(plan, {
        results: run.results,
        only: (k) => k === "drop-scratch" || k === "remove-download",
      });
      expectNoFailure(rest);
      expect(await databasesStartingWith(`${conn.database}_`)).toEqual([]);
    },
    TIMEOUT,
  );

  test(
    "rows whose parent rows were deleted too: refused by the foreign key, nothing copied, and it says so",
    async () => {
      const { conn } = await fixture("delfk");
      const backup = await backupOf(conn, "custom");
      await runPsqlQuery(
        conn,
        "DELETE FROM wallet_events WHERE wallet_id = 7; DELETE FROM wallet_balances WHERE wallet_id = 7; DELETE FROM wallet_registry WHERE id = 7",
      );
      const damaged = await countsOf(conn);
      const plan = planFor({
        scenarioId: "accidental-deletion",
        target: targetOf(conn),
        backup,
        now: new Date(),
        table: "public.wallet_events",
        idColumn: "id",
        ids: { from: 1, to: 5000 },
        options: { workDir },
      });
      const scratch = (plan.summary as { scratchDatabase: string }).scratchDatabase;
      toDrop.push(scratch);
      const run = await executePlan(plan);
      expect(run.failed?.key).toBe("copy-back");
      expect(run.failed?.error.message).toMatch(/foreign key wallet_events_wallet_id_fkey/);
      expect(run.failed?.error.message).toMatch(/parent rows were also deleted is out of scope/);
      expect(run.failed?.error.message).toMatch(/Production was not touched/);
      expect(await countsOf(conn)).toEqual(damaged);
    },
    TIMEOUT,
  );
});

describe("infrastructure loss (plain SQL, gzip): a new, empty server", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.statusCode = req.url === "/health" ? 200 : 503;
      res.end(req.url === "/health" ? "ok" : "not ready");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test(
    "creates the database, restores into it, checks the row counts and the health URLs",
    async () => {
      const { conn: source, before } = await fixture("infra");
      const backup = await backupOf(source, "plain_gzip");
      const fresh = uniqueDatabaseName("infra_new");
      toDrop.push(fresh);
      const target = targetOf(testConnection(fresh));

      const plan = planFor({
        scenarioId: "infrastructure-loss",
        target,
        backup,
        now: new Date(),
        healthUrls: [`${base}/health`],
        options: { workDir },
      });
      const run = await executePlan(plan);
      expectNoFailure(run);
      expect(run.results["preflight"]).toMatchObject({ targetExists: false });
      expect(run.results["create-target"]).toEqual({ database: fresh, created: true });
      expect(await countsOf(target.conn)).toEqual(before);
      expect(run.results["check-health"]).toMatchObject({ checked: 1, checks: [{ ok: true, status: 200 }] });

      // Resumed at the restore: the database already holds the backup.
      const again = await executePlan(plan, { only: (k) => k === "download" || k === "restore-target" });
      expectNoFailure(again);
      expect(again.results["restore-target"]).toMatchObject({ alreadyRestored: true });

      // A readiness URL that answers 503 fails the check step, saying which and why.
      const bad = planFor({
        scenarioId: "infrastructure-loss",
        target,
        backup,
        now: new Date(),
        healthUrls: [`${base}/health`, `${base}/ready`],
        options: { workDir },
      });
      const check = await executePlan(bad, { only: (k) => k === "check-health" });
      expect(check.failed?.error.message).toMatch(/1 of 2 health checks failed: .*\/ready: HTTP 503/);
    },
    TIMEOUT,
  );

  test(
    "refuses a target database that already has tables, before anything is downloaded",
    async () => {
      const { conn } = await fixture("infrafull");
      const backup = await backupOf(conn, "custom");
      const plan = planFor({
        scenarioId: "infrastructure-loss",
        target: targetOf(conn),
        backup,
        now: new Date(),
        healthUrls: [],
        options: { workDir },
      });
      const run = await executePlan(plan);
      expect(run.failed?.key).toBe("preflight");
      expect(run.failed?.error.message).toMatch(
        new RegExp(
          `${conn.database} already exists on .* and has 8 tables: this scenario restores into an empty database`,
        ),
      );
    },
    TIMEOUT,
  );
});

test("quoteIdent is what the scenarios use for names with quotes", () => {
  expect(quoteIdent(`a"b`)).toBe(`"a""b"`);
});
