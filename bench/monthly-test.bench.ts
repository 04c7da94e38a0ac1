// Monthly test benchmark: Lifeboat's whole monthly test against the bare sequence a person would
// type. Needs the test servers (npm run bench starts them).
//   1. The amani fixture at scale 50 (BENCH_SCALE), backed up in custom format by createBackup
//      into a local folder and catalogued with its signed manifest; a test plan whose test server
//      is the same PostgreSQL server (through its socket directory) with two validation queries.
//   2. Interleaved, BENCH_ROUNDS times (default 5, at least 3), in the same run:
//      (a) bare: CREATE DATABASE, `pg_restore --exit-on-error -d fresh_db file`, then the same
//          exact row counts of every table (count(*) per table) — the sequence by hand (the goal's
//          arm); the same with `pg_restore -j <cores>` is printed for comparison, since the
//          monthly test restores as Lifeboat's restores do (the database's jobs, else its cores);
//      (b) a monthly test through the runner: creation check and backup choice, download with the
//          streaming verification of the same bytes, the archive's script scanned, the scratch
//          database created, pg_restore, the counts against the manifest, the validation queries,
//          the scratch database dropped and the record written.
//      Both connect the same way (the socket directory), so only the work differs.
//   Prints both medians with their spread, the ratio (goal ≤ 1.3) and the load average; writes
//   bench/results/monthly-test-<time>.json.
// Run: npm run bench -- monthly-test   (BENCH_SCALE=5 for a quicker look)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { interleave, load, median, ROUNDS, s, summary, writeResults } from "./rounds";

const SCALE = Number(process.env.BENCH_SCALE ?? 50);
const RATIO_GOAL = 1.3;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bench-mtest-"));
const backups = path.join(dir, "backups");
fs.mkdirSync(backups);
process.env.LIFEBOAT_DATABASE_URL = `file:${dir}/lifeboat.db`;
process.env.LIFEBOAT_LOCAL_ROOTS = backups;
process.env.NEXTAUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";
process.env.LIFEBOAT_ENCRYPTION_KEY ??= Buffer.alloc(32, 3).toString("base64");
const toDrop = new Set<string>();

async function main() {
  const loadBefore = load();
  await execa("node", ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { LIFEBOAT_DATABASE_URL: process.env.LIFEBOAT_DATABASE_URL },
  });
  const { db } = await import("../lib/db");
  const { createBackup } = await import("../lib/backups/create-backup");
  const { catalogWrittenBackup } = await import("../lib/backups/backup-run");
  const { backupKeyFor } = await import("../lib/backups/backup-run-kind");
  const { saveLocation } = await import("../lib/locations/mutations");
  const { saveLocationSchema } = await import("../lib/locations/schemas");
  const { fullConfig } = await import("../lib/locations/config");
  const { createStorage } = await import("../lib/storage/create-storage");
  const { pgRestoreArgs } = await import("../lib/postgres/commands");
  const { withPgEnv } = await import("../lib/postgres/connection");
  const { runPsqlQuery, tableRowCounts, quoteIdent } = await import("../lib/postgres/run");
  const { createFixtureDatabase, dropDatabase, testConnection, uniqueDatabaseName } =
    await import("../lib/postgres/test-support");
  const { saveTestPlan } = await import("../lib/monthly-tests/plan");
  const { saveTestPlanSchema } = await import("../lib/monthly-tests/plan-schema");
  const { startMonthlyTest } = await import("../lib/monthly-tests/test-run");

  let t = performance.now();
  const source = await createFixtureDatabase("bench_mtest", SCALE);
  toDrop.add(source.database);
  const size = (await runPsqlQuery(source, "SELECT pg_size_pretty(pg_database_size(current_database()))"))[0]?.[0];
  console.log(`fixture at scale ${SCALE}: ${size} in ${s(performance.now() - t)}`);

  const location = await saveLocation(
    saveLocationSchema.parse({ name: "bench folder", config: { kind: "local", path: backups, prefix: "" } }),
  );
  const locationRow = await db.location.findUniqueOrThrow({ where: { id: location.id } });
  const storage = createStorage(fullConfig(locationRow));
  const database = await db.database.create({
    data: {
      name: "amani",
      environment: "production",
      host: "amani-db.bench.invalid",
      port: 5432,
      dbName: "amani",
      user: "amani",
      sslmode: "disable",
    },
  });
  const key = backupKeyFor({ prefix: "", databaseName: "amani", label: "daily", format: "custom", at: new Date() });
  t = performance.now();
  const made = await createBackup({ conn: source, storage, key, format: "custom" });
  await catalogWrittenBackup({
    location: locationRow,
    databaseId: database.id,
    databaseName: "amani",
    key,
    label: "daily",
    manifest: made.manifest,
    storage,
  });
  const file = path.join(backups, key);
  console.log(`custom-format backup: ${(made.size / 1024 / 1024).toFixed(1)} MiB in ${s(performance.now() - t)}`);

  // The same server for both arms, through its socket directory (the plan refuses the loopback
  // address only when a production database lives there; here production is elsewhere).
  const pg = testConnection();
  const runDir = process.env.LIFEBOAT_TEST_RUN_DIR;
  if (!runDir) throw new Error("LIFEBOAT_TEST_RUN_DIR is not set: run through npm run bench");
  const socket = { host: path.join(runDir, "pg"), port: pg.port, user: pg.user, password: pg.password };
  await saveTestPlan(
    saveTestPlanSchema.parse({
      databaseId: database.id,
      cron: "",
      backupChoice: "newest",
      creation: "scheduled",
      testHost: socket.host,
      testPort: socket.port,
      testUser: socket.user,
      testPassword: socket.password ?? "",
      testSslmode: "disable",
      scratchPrefix: "bench_mtest_",
      queryTimeoutSeconds: 60,
      queries: [
        { name: "Users exist", sql: "SELECT count(*) FROM users", comparator: "gte", expected: "1" },
        {
          name: "Transactions as backed up",
          sql: "SELECT count(*) FROM transactions",
          comparator: "eq_manifest",
          manifestTable: "transactions",
        },
      ],
    }),
  );

  async function bare(jobs = 1): Promise<{ ms: number; create: number; restore: number; counts: number }> {
    const name = uniqueDatabaseName("bench_mtest_bare");
    toDrop.add(name);
    const server = { ...socket, database: "postgres", sslmode: "disable" as const };
    const t0 = performance.now();
    await runPsqlQuery(server, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
    const t1 = performance.now();
    const conn = { ...server, database: name };
    const [bin, ...args] = pgRestoreArgs({ dbname: name, exitOnError: true, file, jobs: jobs > 1 ? jobs : undefined });
    await withPgEnv(conn, (env) => execa(bin, args, { env, extendEnv: true, stdin: "ignore" }));
    const t2 = performance.now();
    const counts = await tableRowCounts(conn);
    const t3 = performance.now();
    if (counts.length === 0) throw new Error("the bare restore has no tables");
    await dropDatabase(name);
    toDrop.delete(name);
    return { ms: t3 - t0, create: t1 - t0, restore: t2 - t1, counts: t3 - t2 };
  }

  const actor = { id: "bench", email: "bench@example.test" };
  async function monthly(): Promise<{ ms: number; steps: Record<string, number>; restoreMs: number }> {
    const t0 = performance.now();
    const started = await startMonthlyTest({ databaseId: database.id, trigger: "manual", requestedBy: "bench" }, actor);
    await started.done;
    const ms = performance.now() - t0;
    const record = await db.backupTest.findUniqueOrThrow({ where: { id: started.testId } });
    if (record.status !== "passed") throw new Error(`the monthly test ${record.status}: ${record.findings}`);
    if (record.scratchDatabase) toDrop.add(record.scratchDatabase);
    const steps = await db.runStep.findMany({
      where: { runId: started.runId },
      orderBy: { index: "asc" },
      select: { key: true, startedAt: true, finishedAt: true },
    });
    return {
      ms,
      restoreMs: record.restoreMs ?? NaN,
      steps: Object.fromEntries(
        steps.map((st) => [st.key, (st.finishedAt?.getTime() ?? NaN) - (st.startedAt?.getTime() ?? NaN)]),
      ),
    };
  }

  // Warm-up (page cache, catalog caches, the runner's first run), not counted.
  await bare();
  await monthly();
  const cores = Math.max(1, Math.min(8, os.availableParallelism()));
  const rounds = await interleave({ bare: () => bare(1), bareJobs: () => bare(cores), monthly }, ROUNDS, (i, r) =>
    console.log(
      `  round ${i + 1}: bare ${s(r.bare.ms)} (createdb ${s(r.bare.create)} + pg_restore ${s(r.bare.restore)} + counts ${s(r.bare.counts)}) | bare -j ${cores} ${s(r.bareJobs.ms)} | monthly test ${s(r.monthly.ms)} = ${Object.entries(
        r.monthly.steps,
      )
        .map(([k, v]) => `${k} ${s(v)}`)
        .join(", ")} | load ${load()}`,
    ),
  );
  const bareMs = rounds.bare.map((r) => r.ms);
  const monthlyMs = rounds.monthly.map((r) => r.ms);
  const bareJobsMs = rounds.bareJobs.map((r) => r.ms);
  const ratio = median(monthlyMs) / median(bareMs);
  const ratioJobs = median(monthlyMs) / median(bareJobsMs);
  console.log(summary("bare createdb + pg_restore + counts", bareMs));
  console.log(summary(`bare createdb + pg_restore -j ${cores} + counts (for comparison)`, bareJobsMs));
  console.log(
    `${summary("monthly test (all four steps, through the runner)", monthlyMs)}  → ratio ${ratio.toFixed(3)} (goal ≤ ${RATIO_GOAL.toFixed(2)}); against -j ${cores}: ${ratioJobs.toFixed(3)}`,
  );
  writeResults("monthly-test", loadBefore, {
    scale: SCALE,
    rounds: ROUNDS,
    backupBytes: made.size,
    bareMs,
    monthlyMs,
    bareMedianMs: median(bareMs),
    monthlyMedianMs: median(monthlyMs),
    ratio,
    ratioGoal: RATIO_GOAL,
    bareJobs: { jobs: cores, ms: bareJobsMs, ratio: ratioJobs },
    bareParts: rounds.bare.map(({ create, restore, counts }) => ({ create, restore, counts })),
    monthlySteps: rounds.monthly.map((r) => r.steps),
    recordedRestoreMs: rounds.monthly.map((r) => r.restoreMs),
  });
  if (!(ratio <= RATIO_GOAL)) {
    console.error(`FAILED: the ratio ${ratio.toFixed(3)} is above ${RATIO_GOAL.toFixed(2)}`);
    process.exitCode = 1;
  }
  await db.$disconnect();
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    const { dropDatabase } = await import("../lib/postgres/test-support");
    for (const name of toDrop)
      await dropDatabase(name).catch((e: unknown) => console.error(`could not drop ${name}:`, e));
    fs.rmSync(dir, { recursive: true, force: true });
  });
