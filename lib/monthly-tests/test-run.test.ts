import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { createBackup } from "@/lib/backups/create-backup";
import { catalogWrittenBackup } from "@/lib/backups/backup-run";
import { backupKeyFor } from "@/lib/backups/backup-run-kind";
import { parseStoredJson } from "@/lib/stored-json";
import type { PgConnection } from "@/lib/postgres/connection";
import { runPsqlQuery } from "@/lib/postgres/run";
import { AMANI_SCALE1_COUNTS, createFixtureDatabase, dropDatabase, testConnection } from "@/lib/postgres/test-support";
import { databasesStartingWith } from "@/lib/restores/test-support";
import { freshLocation } from "@/tests/support/backup-targets";
import { uniqueName } from "@/tests/support/services";
import { findingsSchema, queryResultsSchema, tableCountsSchema } from "./record-schemas";
import { saveTestPlanSchema, type SaveTestPlanInput } from "./plan-schema";
import { saveTestPlan } from "./plan";
import { runValidationQuery, startMonthlyTest } from "./test-run";
import { runDueTestPlans, sweepTestScratch } from "./scheduler";

// Monthly tests of the amani fixture on the real PostgreSQL server: the whole run through the
// runner, its record, the scratch database gone afterwards; a corrupted backup fails with the
// reason; a production test server is refused before anything runs; the validation queries
// cannot write, however they are written.

const actor = { id: "test-operator", email: "operator@example.test" };
const tag = randomBytes(3).toString("hex");
const folders: string[] = [];
let fixture: PgConnection;

/** The test server reached through its socket directory: no other test names it as a production server. */
function testServer() {
  const pg = testConnection();
  // eslint-disable-next-line no-restricted-properties
  const runDir = process.env.LIFEBOAT_TEST_RUN_DIR;
  if (!runDir) throw new Error("LIFEBOAT_TEST_RUN_DIR is not set: start the services with scripts/services.sh");
  return { testHost: path.join(runDir, "pg"), testPort: pg.port, testUser: pg.user, testPassword: pg.password ?? "" };
}

beforeAll(async () => {
  fixture = await createFixtureDatabase("mtest");
}, 120_000);

afterAll(async () => {
  if (fixture) await dropDatabase(fixture.database);
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

/** A database entry (never contacted: the creation step checks the catalog) with one backup of the fixture. */
async function databaseWithBackup(label: string) {
  const location = await freshLocation("local", `mtest-${tag}`, folders);
  const name = uniqueName(`mtest-${label}`);
  const database = await db.database.create({
    data: {
      name,
      environment: "staging",
      host: "db.monthly-test.invalid",
      port: 5432,
      dbName: "amani",
      user: "amani",
      sslmode: "disable",
      rtoCorruptionMinutes: 15,
    },
  });
  const row = await db.location.findUniqueOrThrow({ where: { id: location.id } });
  const storage = createStorage(fullConfig(row));
  const key = backupKeyFor({ prefix: "", databaseName: name, label: "daily", format: "custom", at: new Date() });
  const made = await createBackup({ conn: fixture, storage, key, format: "custom" });
  const backupId = await catalogWrittenBackup({
    location: row,
    databaseId: database.id,
    databaseName: name,
    key,
    label: "daily",
    manifest: made.manifest,
    storage,
  });
  const file = path.join((fullConfig(row) as { path: string }).path, key);
  return { database, backupId, file, prefix: `lbt_${tag}_${label}_` };
}

function planInput(databaseId: string, prefix: string, extra: Partial<SaveTestPlanInput> = {}): SaveTestPlanInput {
  return {
    databaseId,
    cron: "",
    backupChoice: "newest",
    creation: "scheduled",
    creationMaxAgeHours: 26,
    ...testServer(),
    testSslmode: "disable",
    scratchPrefix: prefix,
    keepScratchHours: 0,
    queryTimeoutSeconds: 10,
    queries: [
      { name: "Users exist", sql: "SELECT count(*) FROM users", comparator: "gte", expected: "1000" },
      {
        name: "Transactions as backed up",
        sql: "SELECT count(*) FROM transactions",
        comparator: "eq_manifest",
        manifestTable: "transactions",
      },
    ],
    ...extra,
  };
}

describe("a monthly test of the fixture", () => {
  test("records the backup's size, the restore time, equal row counts and the queries' results, and leaves no scratch database", async () => {
    const { database, prefix } = await databaseWithBackup("ok");
    await saveTestPlan(saveTestPlanSchema.parse(planInput(database.id, prefix)));
    const started = await startMonthlyTest(
      { databaseId: database.id, trigger: "manual", requestedBy: actor.email },
      actor,
    );
    await started.done;
    const run = await db.run.findUniqueOrThrow({ where: { id: started.runId }, include: { steps: true } });
    const record = await db.backupTest.findUniqueOrThrow({ where: { id: started.testId } });
    const findings = parseStoredJson(record.findings, findingsSchema, "findings");
    expect(record.status, JSON.stringify(findings)).toBe("passed");
    expect(run.status, run.verdict ?? "").toBe("succeeded");
    expect(run.scenarioId).toBe("monthly-test");
    expect(run.steps.map((s) => s.key).sort()).toEqual(["creation", "integrity", "record", "restore"]);
    expect(record.month).toBe(new Date().toISOString().slice(0, 7));
    expect(Number(record.backupSizeBytes)).toBeGreaterThan(0);
    expect(record.backupSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.backupKey).toContain("_backup_");
    expect(record.restoreMs).toBeGreaterThan(0);
    expect(record.rtoMinutes).toBe(15);
    const counts = parseStoredJson(record.tableCounts, tableCountsSchema, "counts");
    expect(Object.fromEntries(counts.map((c) => [c.table, c.restored]))).toEqual(AMANI_SCALE1_COUNTS);
    expect(counts.every((c) => c.ok && c.manifest === c.restored)).toBe(true);
    const queries = parseStoredJson(record.queryResults, queryResultsSchema, "queries");
    expect(queries.map((q) => [q.name, q.actual, q.expected, q.ok])).toEqual([
      ["Users exist", "1000", "1000", true],
      ["Transactions as backed up", "20000", "20000", true],
    ]);
    expect(record.scratchDatabase?.startsWith(prefix)).toBe(true);
    expect(record.scratchDroppedAt).not.toBeNull();
    expect(await databasesStartingWith(prefix)).toEqual([]);
  }, 120_000);

  test("a corrupted backup fails the test with the reason, and leaves no scratch database", async () => {
    const { database, file, prefix } = await databaseWithBackup("bad");
    // Flip bytes in the middle: same size, different content.
    const bytes = fs.readFileSync(file);
    for (let i = 0; i < 64; i++)
      bytes.writeUInt8(bytes.readUInt8(Math.floor(bytes.length / 2) + i) ^ 0xff, Math.floor(bytes.length / 2) + i);
    fs.writeFileSync(file, bytes);
    await saveTestPlan(saveTestPlanSchema.parse(planInput(database.id, prefix)));
    const started = await startMonthlyTest(
      { databaseId: database.id, trigger: "manual", requestedBy: actor.email },
      actor,
    );
    await started.done;
    const record = await db.backupTest.findUniqueOrThrow({ where: { id: started.testId } });
    const findings = parseStoredJson(record.findings, findingsSchema, "findings");
    expect(record.status).toBe("failed");
    const error = findings.find((f) => f.severity === "error");
    expect(error?.step).toBe("integrity");
    expect(error?.text).toMatch(/sha256/);
    expect(record.finishedAt).not.toBeNull();
    const run = await db.run.findUniqueOrThrow({ where: { id: started.runId } });
    expect(run.status).toBe("failed");
    expect(await databasesStartingWith(prefix)).toEqual([]);
  }, 120_000);

  test("a plan whose test server is a production server is refused before anything runs", async () => {
    const { database, prefix } = await databaseWithBackup("prod");
    const server = testServer();
    const production = await db.database.create({
      data: {
        name: uniqueName("mtest-production"),
        environment: "production",
        host: server.testHost,
        port: server.testPort,
        dbName: "amani_live",
        user: "amani",
        sslmode: "disable",
      },
    });
    try {
      const refused = await saveTestPlan(saveTestPlanSchema.parse(planInput(database.id, prefix))).catch((e) => e);
      expect(refused).toBeInstanceOf(UserError);
      expect((refused as UserError).message).toMatch(
        /production server of .* never restores into a production connection/,
      );
      expect(await db.testPlan.findUnique({ where: { databaseId: database.id } })).toBeNull();

      // Saved while the server was not production, refused at run time once it is.
      await db.database.update({ where: { id: production.id }, data: { environment: "staging" } });
      await saveTestPlan(saveTestPlanSchema.parse(planInput(database.id, prefix)));
      await db.database.update({ where: { id: production.id }, data: { environment: "production" } });
      const runsBefore = await db.run.count({ where: { databaseId: database.id } });
      const atRun = await startMonthlyTest(
        { databaseId: database.id, trigger: "manual", requestedBy: actor.email },
        actor,
      ).catch((e) => e);
      expect(atRun).toBeInstanceOf(UserError);
      expect((atRun as UserError).message).toMatch(/production .* The test was not started/);
      expect(await db.run.count({ where: { databaseId: database.id } })).toBe(runsBefore);
      expect(await db.backupTest.count({ where: { databaseId: database.id } })).toBe(0);
      expect(await databasesStartingWith(prefix)).toEqual([]);
    } finally {
      await db.database.delete({ where: { id: production.id } });
    }
  }, 120_000);

  test("a plan pointing at the tested database's own server is refused (however the loopback host is written)", async () => {
    const { database, prefix } = await databaseWithBackup("own");
    await db.database.update({ where: { id: database.id }, data: { host: "LOCALHOST.", port: 6543 } });
    const refused = await saveTestPlan(
      saveTestPlanSchema.parse(planInput(database.id, prefix, { testHost: "127.0.0.1", testPort: 6543 })),
    ).catch((e) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toMatch(/own server/);
  });
});

describe("the plan's schedule", () => {
  test("a due time starts one test; a kept scratch database is dropped by the sweep once its hours are up", async () => {
    const { database, prefix } = await databaseWithBackup("sched");
    const saved = await saveTestPlan(
      saveTestPlanSchema.parse(planInput(database.id, prefix, { cron: "0 3 * * MON#1", keepScratchHours: 2 })),
    );
    await db.testPlan.update({ where: { id: saved.id }, data: { lastDueAt: new Date("2026-11-02T03:00:00Z") } });
    const now = new Date("2026-12-07T03:01:00Z"); // the first Monday of December, a minute late
    const [first, ...more] = await runDueTestPlans(now, { databaseIds: [database.id] });
    expect(more).toEqual([]);
    expect(first?.error).toBeNull();
    expect(first?.dueAt.toISOString()).toBe("2026-12-07T03:00:00.000Z");
    await first!.done;
    expect(await runDueTestPlans(now, { databaseIds: [database.id] })).toEqual([]);
    const record = await db.backupTest.findFirstOrThrow({ where: { runId: first!.runId! } });
    expect(record.status).toBe("passed");
    expect(record.month).toBe("2026-12");
    const run = await db.run.findUniqueOrThrow({ where: { id: first!.runId! } });
    expect(run.options).toContain('"trigger":"schedule"');
    // Kept for 2 hours, then swept.
    expect(record.scratchKeepUntil).not.toBeNull();
    expect(await databasesStartingWith(prefix)).toEqual([record.scratchDatabase]);
    expect(await sweepTestScratch(new Date(record.scratchKeepUntil!.getTime() - 60_000))).not.toContain(record.id);
    expect(await databasesStartingWith(prefix)).toEqual([record.scratchDatabase]);
    expect(await sweepTestScratch(new Date(record.scratchKeepUntil!.getTime() + 60_000))).toContain(record.id);
    expect(await databasesStartingWith(prefix)).toEqual([]);
    const after = await db.backupTest.findUniqueOrThrow({ where: { id: record.id } });
    expect(after.scratchDroppedAt).not.toBeNull();
  }, 120_000);
});

describe("validation queries on the restored database cannot write", () => {
  async function usersCount() {
    return (await runPsqlQuery(fixture, "SELECT count(*) FROM users"))[0]?.[0];
  }
  const q = (sql: string) => ({ name: "attack", sql, comparator: "gte", expected: "0", manifestTable: null });

  test.each([
    ["DROP TABLE users", /Not run: .*starts with SELECT/],
    ["SELECT 1; DELETE FROM users", /Not run: Only one statement/],
    ["SELECT 1; COMMIT; DROP TABLE users", /Not run: Only one statement/],
    ["\\! touch /tmp/lifeboat-monthly-test-pwned", /Not run: .*psql command/],
    ["WITH gone AS (DELETE FROM users RETURNING 1) SELECT count(*) FROM gone", /Refused: the query tried to write/],
    ["SELECT set_config('transaction_read_only', 'off', true), (SELECT count(*) FROM users)", /read-write|read-only/],
  ])("%s", async (sql, error) => {
    const r = await runValidationQuery(fixture, q(sql), null, 5);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(error);
    expect(await usersCount()).toBe("1000");
    expect(fs.existsSync("/tmp/lifeboat-monthly-test-pwned")).toBe(false);
  });

  test("a slow query stops at the plan's timeout", async () => {
    const r = await runValidationQuery(fixture, q("SELECT pg_sleep(10)"), null, 1);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/timeout/);
    expect(r.ms).toBeLessThan(8_000);
  });
});
