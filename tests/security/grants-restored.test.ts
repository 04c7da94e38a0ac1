import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBackup } from "@/lib/backups/create-backup";
import { pgRestoreArgs } from "@/lib/postgres/commands";
import { withPgEnv, type PgConnection } from "@/lib/postgres/connection";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";
import { quoteIdent, runPsqlQuery, runPsqlScript } from "@/lib/postgres/run";
import {
  createDatabase,
  dropDatabase,
  runSqlFile,
  testConnection,
  uniqueDatabaseName,
} from "@/lib/postgres/test-support";
import { checkReads, inspectArchive } from "@/lib/restores/archive-inspect";
import { planFor, type BackupSource } from "@/lib/restores/plans";
import { executePlan } from "@/lib/restores/test-support";
import { createStorage } from "@/lib/storage/create-storage";
import type { BackupStorage } from "@/lib/storage/provider";

// Restores used to run pg_restore --no-owner --no-acl: the tables came back owned by the
// restoring role and without their grants, so the application's role could read nothing, yet
// the run "succeeded". Now owners and grants are restored as they were, every role the backup
// names must exist first, and a step checks that each role still reads what it read before.
// The odd fixture grants its tables to the application role odd_app (created by the fixture;
// roles are cluster-wide, so it may exist already). A role of this run's own covers the case of
// a role missing on the target server.

const TIMEOUT = 240_000;
const ODD_SQL = path.resolve(import.meta.dirname, "../fixtures/odd.sql");
const tag = randomBytes(4).toString("hex");
const gone = `lb_gone_${tag}`;
let dir = "";
let workDir = "";
let storage: BackupStorage;
const toDrop: string[] = [];

async function oddDatabase(prefix: string): Promise<PgConnection> {
  const name = uniqueDatabaseName(prefix);
  toDrop.push(name);
  const conn = await createDatabase(name);
  await runSqlFile(conn, ODD_SQL, { scale: "1" });
  return conn;
}

async function backupOf(
  conn: PgConnection,
  key: string,
  format: "custom" | "plain_gzip" = "custom",
): Promise<BackupSource & { file: string }> {
  const r = await createBackup({ conn, storage, key, format });
  return {
    storage,
    key,
    size: r.size,
    format,
    manifest: r.manifest,
    locationName: "test folder",
    file: path.join(dir, key),
  };
}

function planOver(conn: PgConnection, backup: BackupSource) {
  return planFor({
    scenarioId: "database-corruption",
    target: { name: conn.database, environment: "production", conn, migrationHead: DEFAULT_HEAD_SOURCE },
    backup,
    now: new Date(),
    options: { workDir },
  });
}

/** Every table the fixture grants to odd_app, as a qualified name. */
async function grantedTables(conn: PgConnection): Promise<string[]> {
  const rows = await runPsqlQuery(
    conn,
    `SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname IN ('Sales', 'ops', 'public') AND c.relname <> 'schema_history'
        AND (n.nspname <> 'public' OR c.relname = 'flyway_schema_history') ORDER BY 1`,
  );
  return rows.map((r) => r[0] ?? "");
}

/** Reads every table as the role (SET ROLE), the way the application would; throws on "permission denied". */
async function readAllAs(conn: PgConnection, role: string, tables: string[]) {
  const sql = [`SET ROLE ${quoteIdent(role)};`, ...tables.map((t) => `SELECT count(*) FROM ${t};`)].join("\n");
  return runPsqlScript(conn, sql);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-grants-"));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-grants-work-"));
  storage = createStorage({ kind: "local", path: dir, prefix: "" });
});

afterAll(async () => {
  for (const name of toDrop) await dropDatabase(name).catch(() => undefined);
  await runPsqlQuery(testConnection(), `DROP ROLE IF EXISTS ${quoteIdent(gone)}`).catch(() => undefined);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe("owners and grants are restored", () => {
  test.each(["custom", "plain_gzip"] as const)(
    "after a restore (%s) over a damaged database, the application's role can read every table",
    async (format) => {
      const conn = await oddDatabase("grants");
      const tables = await grantedTables(conn);
      expect(tables.length).toBeGreaterThanOrEqual(8);
      await readAllAs(conn, "odd_app", tables); // the fixture's grants hold before anything happens
      const backup = await backupOf(conn, `${conn.database}.${format === "custom" ? "dump" : "sql.gz"}`, format);
      await runPsqlQuery(conn, "DROP TABLE public.flyway_schema_history");

      const plan = planOver(conn, backup);
      expect(plan.steps.map((s) => s.key)).toContain("verify-grants");
      const run = await executePlan(plan);
      if (run.failed) throw new Error(`${run.failed.key} failed: ${run.failed.error.message}\n${run.logs.join("\n")}`);
      const { oldCopy, scratchDatabase } = plan.summary as { oldCopy: string; scratchDatabase: string };
      toDrop.push(oldCopy, scratchDatabase);

      expect(run.results["verify-grants"]).toMatchObject({ roles: expect.arrayContaining(["odd_app"]) });
      expect(run.logs.join("\n")).toContain("[verify-grants] checked alongside the row counts of");
      expect(run.logs.join("\n")).toMatch(/\[sql-safety\] the backup names \d+ roles? \(.*odd_app.*\): each exists/);
      // The restored database, read as the application reads it.
      const rows = await readAllAs(conn, "odd_app", tables);
      expect(rows.length).toBe(tables.length);
      const owner = await runPsqlQuery(
        conn,
        `SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.flyway_schema_history'::regclass`,
      );
      expect(owner[0]?.[0]).toBe(testConnection().user);
    },
    TIMEOUT,
  );

  test(
    "the check fails a restore whose grants were lost (as --no-acl lost them)",
    async () => {
      const conn = await oddDatabase("grants_lost");
      const backup = await backupOf(conn, `${conn.database}.dump`);
      const { acl } = await inspectArchive(backup.file, {});
      expect(acl.roles).toContain("odd_app");
      expect(acl.reads).toContainEqual({ role: "odd_app", table: '"Sales"."Customer"', usage: true });

      const name = uniqueDatabaseName("grants_noacl");
      toDrop.push(name);
      const target = await createDatabase(name);
      const [bin, ...args] = pgRestoreArgs({ dbname: name, exitOnError: true, file: backup.file });
      await withPgEnv(target, (env) => execa(bin, ["--no-acl", ...args], { env, extendEnv: true, stdin: "ignore" }));
      const { checked, problems } = await checkReads(target, acl, {});
      expect(checked).toBe(acl.reads.length);
      expect(problems.filter((p) => p.role === "odd_app").length).toBeGreaterThanOrEqual(8);
      expect(problems[0]?.why).toMatch(/no USAGE on its schema|no SELECT on the table/);
      await expect(readAllAs(target, "odd_app", ['"Sales"."Customer"'])).rejects.toThrow(/permission denied/);
    },
    TIMEOUT,
  );

  test(
    "a check made alongside the row counts is not taken by a later execution: a grant lost in between is found",
    async () => {
      const conn = await oddDatabase("grants_between");
      const backup = await backupOf(conn, `${conn.database}.dump`);
      const plan = planOver(conn, backup);
      const { scratchDatabase } = plan.summary as { scratchDatabase: string };
      toDrop.push(scratchDatabase);
      const first = await executePlan(plan, { until: "verify-grants" });
      if (first.failed) throw first.failed.error;
      // Between the two (a paused or resumed run), the scratch copy loses a grant.
      await runPsqlQuery({ ...conn, database: scratchDatabase }, 'REVOKE SELECT ON "Sales"."Customer" FROM odd_app');
      const second = await executePlan(plan, {
        from: "verify-grants",
        until: "confirm-switch-over",
        results: first.results,
      });
      expect(second.failed?.key).toBe("verify-grants");
      expect(second.failed?.error.message).toMatch(/odd_app on "Sales"\."Customer"/);
      expect(second.logs.join("\n")).not.toContain("checked alongside the row counts");
    },
    TIMEOUT,
  );

  test(
    "a role the backup names that the server lacks is listed, with the SQL to create it, and nothing is restored",
    async () => {
      const conn = await oddDatabase("grants_gone");
      await runPsqlQuery(testConnection(), `CREATE ROLE ${quoteIdent(gone)} NOLOGIN`);
      await runPsqlQuery(conn, `GRANT SELECT ON ops.events TO ${quoteIdent(gone)}`);
      const backup = await backupOf(conn, `${conn.database}.dump`);
      await runPsqlQuery(conn, `REVOKE SELECT ON ops.events FROM ${quoteIdent(gone)}`);
      await runPsqlQuery(testConnection(), `DROP ROLE ${quoteIdent(gone)}`);

      // The signed manifest lists the roles: the preflight says so before anything is downloaded.
      expect(backup.manifest?.roles).toContain(gone);
      const plan = planOver(conn, backup);
      const run = await executePlan(plan);
      expect(run.failed?.key).toBe("preflight");
      expect(run.failed?.error.message).toContain(`CREATE ROLE "${gone}" NOLOGIN;`);
      expect(run.failed?.error.message).toMatch(/Production was not touched/);

      // Without a manifest to go by, the archive itself is read before anything is restored.
      const bare = planOver(conn, { ...backup, manifest: null });
      const run2 = await executePlan(bare);
      toDrop.push((bare.summary as { scratchDatabase: string }).scratchDatabase);
      expect(run2.failed?.key).toBe("sql-safety");
      expect(run2.failed?.error.message).toContain(`CREATE ROLE "${gone}" NOLOGIN;`);
      expect(run2.failed?.error.message).toMatch(/Production was not touched/);
      expect(run2.logs.join("\n")).toContain(`role ${gone} does not exist`);
      expect(run2.steps.map((s) => s.key)).not.toContain("restore-scratch");
    },
    TIMEOUT,
  );
});

describe("the archive's roles are looked up while the backup downloads", () => {
  test(
    "used by the safety step of the same execution only: a role dropped before a resumed safety step is found",
    async () => {
      const conn = await oddDatabase("grants_ahead");
      const late = `lb_late_${tag}`;
      await runPsqlQuery(testConnection(), `CREATE ROLE ${quoteIdent(late)} NOLOGIN`);
      try {
        await runPsqlQuery(conn, `GRANT SELECT ON ops.events TO ${quoteIdent(late)}`);
        const backup = await backupOf(conn, `${conn.database}.dump`);
        expect(backup.manifest?.roles).toContain(late);

        // One execution: the lookup made on the download's pass is the safety step's.
        const first = planOver(conn, backup);
        toDrop.push((first.summary as { scratchDatabase: string }).scratchDatabase);
        const run = await executePlan(first, { until: "create-scratch" });
        expect(run.failed).toBeNull();
        expect(run.logs.join("\n")).toContain(
          "the archive's roles were looked up on the server while the backup downloaded",
        );
        await new Promise((r) => setTimeout(r, 1100)); // the next plan's names carry the next second

        // Stopped after the download; the role goes; the run resumes at the safety step.
        const second = planOver(conn, backup);
        toDrop.push((second.summary as { scratchDatabase: string }).scratchDatabase);
        const part = await executePlan(second, { until: "sql-safety" });
        expect(part.failed).toBeNull();
        await runPsqlQuery(conn, `REVOKE SELECT ON ops.events FROM ${quoteIdent(late)}`);
        await runPsqlQuery(testConnection(), `DROP ROLE ${quoteIdent(late)}`);
        const resumed = await executePlan(second, {
          results: part.results,
          from: "sql-safety",
          until: "create-scratch",
        });
        expect(resumed.failed?.key).toBe("sql-safety");
        expect(resumed.failed?.error.message).toContain(`CREATE ROLE "${late}" NOLOGIN;`);
        expect(resumed.logs.join("\n")).not.toContain("looked up on the server while the backup downloaded");
      } finally {
        await runPsqlQuery(conn, `REVOKE SELECT ON ops.events FROM ${quoteIdent(late)}`).catch(() => undefined);
        await runPsqlQuery(testConnection(), `DROP ROLE IF EXISTS ${quoteIdent(late)}`);
      }
    },
    TIMEOUT,
  );
});

describe("an archive is inspected like a plain dump", () => {
  test.each([
    [
      "COPY … PROGRAM",
      "CREATE FUNCTION steal() RETURNS void LANGUAGE plpgsql AS $fn$ BEGIN COPY loot FROM PROGRAM 'id'; END $fn$;",
      /COPY … PROGRAM runs a shell command/,
    ],
    [
      "lo_import",
      "CREATE FUNCTION peek() RETURNS oid LANGUAGE sql AS $fn$ SELECT lo_import('/etc/passwd') $fn$;",
      /lo_import\/lo_export read or write files/,
    ],
  ])(
    "a function calling %s stops the restore before anything is restored",
    async (_what, fn, reason) => {
      const name = uniqueDatabaseName("hostile_archive");
      toDrop.push(name);
      const conn = await createDatabase(name);
      // Creating the function runs nothing; restoring it would hand its body to the server.
      await runPsqlScript(
        conn,
        ["CREATE TABLE loot (line text);", "INSERT INTO loot VALUES ('a row');", fn].join("\n"),
      );
      const backup = await backupOf(conn, `${name}.dump`);
      const inspected = await inspectArchive(backup.file, {});
      expect(inspected.findingCount).toBe(1);
      expect(inspected.findings[0]?.reason).toMatch(reason);

      const plan = planOver(conn, backup);
      const run = await executePlan(plan);
      toDrop.push((plan.summary as { scratchDatabase: string }).scratchDatabase);
      expect(run.failed?.key).toBe("sql-safety");
      // A backup this console signed: its schema alone was read on the download's pass, and
      // the function's body is schema.
      expect(run.logs.join("\n")).toContain("the archive's schema was read while it downloaded");
      expect(run.failed?.error.message).toMatch(/the archive contains 1 statement pg_dump does not write/);
      expect(run.failed?.error.message).toMatch(/Production was not touched/);
      expect(run.steps.map((s) => s.key)).not.toContain("restore-scratch");
    },
    TIMEOUT,
  );

  test("an ordinary archive (the odd fixture) reads clean", { timeout: TIMEOUT }, async () => {
    const conn = await oddDatabase("clean_archive");
    const backup = await backupOf(conn, `${conn.database}.dump`);
    const inspected = await inspectArchive(backup.file, {});
    expect(inspected.findings).toEqual([]);
    expect(inspected.copyBlocks).toBeGreaterThan(0);
  });
});
