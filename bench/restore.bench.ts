// Restore benchmark: the engine against a bare pg_restore. Needs the test servers (npm run bench starts them).
//   1. The amani fixture at scale 50 (BENCH_SCALE), backed up in custom format by createBackup
//      into a local folder.
//   2. Interleaved, BENCH_ROUNDS times (default 5, at least 3), on the same machine in the same run:
//      (a) bare single-job `pg_restore --exit-on-error -d fresh_db file` into a fresh database
//          (created before the clock starts);
//      (b) bare `pg_restore --exit-on-error --jobs=<cores> -d fresh_db file`, the same way;
//      (c) the corruption plan's steps through Lifeboat's engine with its default job count:
//          download (storage → private temp file, sha256, the verification and the SQL safety
//          inspection on the same pass, the scratch database created alongside), then the
//          restore step into the scratch database (pg_restore with progress) on the clock.
//      Prints the medians with their spread and the ratios of the restore step (c)/(a) (goal
//      ≤ 0.85) and (c)/(b) (goal ≤ 1.05); the same with the download counted (it now does the
//      verification and inspection that were separate steps) and with the database creation
//      counted on every side, with the load average; writes bench/results/restore-<time>.json.
//   3. The whole corruption plan once (a dropped table → switch-over → verify), step by step.
// Run: npm run bench -- restore   (BENCH_SCALE=5 for a quicker look)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { createBackup } from "../lib/backups/create-backup";
import { pgRestoreArgs } from "../lib/postgres/commands";
import { withPgEnv } from "../lib/postgres/connection";
import { runPsqlQuery } from "../lib/postgres/run";
import {
  createDatabase,
  createFixtureDatabase,
  dropDatabase,
  testConnection,
  uniqueDatabaseName,
} from "../lib/postgres/test-support";
import { dropOldCopy } from "../lib/restores/database-admin";
import { automaticRestoreJobs } from "../lib/restores/jobs";
import { planFor, type BackupSource } from "../lib/restores/plans";
import { countsOf, executePlan } from "../lib/restores/test-support";
import { createStorage } from "../lib/storage/create-storage";
import { interleave, load, median, ROUNDS, s, summary, writeResults } from "./rounds";

// createBackup signs its manifest with a key derived from LIFEBOAT_ENCRYPTION_KEY (read when
// first needed, so set here before main runs).
process.env.NEXTAUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";
process.env.LIFEBOAT_ENCRYPTION_KEY ??= Buffer.alloc(32, 3).toString("base64");
const SCALE = Number(process.env.BENCH_SCALE ?? 50);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bench-restore-"));
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bench-restore-work-"));
// The backup goes to a local folder, which the server allows only under its configured roots.
process.env.LIFEBOAT_LOCAL_ROOTS = dir;
const toDrop = new Set<string>();

/** Lifeboat's restore against bare single-job pg_restore: parallel by default must show. */
const SINGLE_GOAL = 0.85;
/** Lifeboat's restore against bare pg_restore with as many jobs: little may be added on top. */
const PARALLEL_GOAL = 1.05;
const CORES = automaticRestoreJobs();

async function main() {
  const loadBefore = load();
  let t = performance.now();
  const source = await createFixtureDatabase("bench_restore", SCALE);
  toDrop.add(source.database);
  const size = (await runPsqlQuery(source, "SELECT pg_size_pretty(pg_database_size(current_database()))"))[0]?.[0];
  console.log(`fixture at scale ${SCALE}: ${size} in ${s(performance.now() - t)}`);

  const storage = createStorage({ kind: "local", path: dir, prefix: "" });
  t = performance.now();
  const made = await createBackup({ conn: source, storage, key: "amani/amani_backup_bench.dump", format: "custom" });
  const file = path.join(dir, made.key);
  console.log(`custom-format backup: ${(made.size / 1024 / 1024).toFixed(1)} MiB in ${s(performance.now() - t)}`);
  const backup: BackupSource = {
    storage,
    key: made.key,
    size: made.size,
    format: "custom",
    manifest: made.manifest,
    locationName: "bench folder",
  };
  const target = { name: source.database, environment: "production" as const, conn: source };

  async function bare(jobs: number): Promise<{ restore: number; create: number }> {
    const name = uniqueDatabaseName("bench_bare");
    toDrop.add(name);
    const c0 = performance.now();
    const conn = await createDatabase(name);
    const create = performance.now() - c0;
    const [bin, ...args] = pgRestoreArgs({
      dbname: name,
      exitOnError: true,
      file,
      jobs: jobs > 1 ? jobs : undefined,
    });
    const t0 = performance.now();
    await withPgEnv(conn, (env) => execa(bin, args, { env, extendEnv: true, stdin: "ignore" }));
    const restore = performance.now() - t0;
    await dropDatabase(name);
    toDrop.delete(name);
    return { restore, create };
  }

  async function engine(round: number): Promise<{ download: number; create: number; restore: number }> {
    const plan = planFor({
      scenarioId: "database-corruption",
      target,
      backup,
      now: new Date(Date.now() + round * 1000),
      options: { workDir },
    });
    const scratch = (plan.summary as { scratchDatabase: string }).scratchDatabase;
    toDrop.add(scratch);
    const run = await executePlan(plan, { only: (k) => ["download", "create-scratch", "restore-scratch"].includes(k) });
    if (run.failed) throw new Error(`${run.failed.key}: ${run.failed.error.message}\n${run.logs.join("\n")}`);
    const ms = (k: string) => run.steps.find((x) => x.key === k)?.ms ?? NaN;
    await dropDatabase(scratch);
    toDrop.delete(scratch);
    fs.rmSync(path.dirname((run.results["download"] as { path: string }).path), { recursive: true, force: true });
    return { download: ms("download"), create: ms("create-scratch"), restore: ms("restore-scratch") };
  }

  // Warm-up (page cache, catalog caches), not counted: one round of each arm.
  await bare(1);
  await bare(CORES);
  await engine(-1);
  const rounds = await interleave(
    {
      single: async () => {
        const b = await bare(1);
        return { ...b, ms: b.restore };
      },
      parallel: async () => {
        const b = await bare(CORES);
        return { ...b, ms: b.restore };
      },
      engine: async (i) => {
        const e = await engine(i);
        return { ...e, ms: e.restore };
      },
    },
    ROUNDS,
    (i, { single: b1, parallel: bj, engine: e }) =>
      console.log(
        `  round ${i + 1}: bare pg_restore ${s(b1.restore)} | bare pg_restore -j ${CORES} ${s(bj.restore)} | engine download ${s(e.download)} + restore ${s(e.restore)} (scratch creation ${s(e.create)}, createdb ${s(b1.create)}) | load ${load()}`,
      ),
  );
  const singleMs = rounds.single.map((b) => b.ms);
  const parallelMs = rounds.parallel.map((b) => b.ms);
  const engineMs = rounds.engine.map((e) => e.ms);
  const engineWithDownload = rounds.engine.map((e) => e.download + e.restore);
  const singleWithCreate = rounds.single.map((b) => b.restore + b.create);
  const parallelWithCreate = rounds.parallel.map((b) => b.restore + b.create);
  const engineWithCreate = rounds.engine.map((e) => e.download + e.create + e.restore);
  const vsSingle = median(engineMs) / median(singleMs);
  const vsParallel = median(engineMs) / median(parallelMs);
  console.log(
    `pg_restore jobs: bare single 1, bare parallel ${CORES}, engine ${CORES} (its default on ${CORES} cores)`,
  );
  console.log(summary("bare pg_restore (1 job)", singleMs));
  console.log(summary(`bare pg_restore -j ${CORES}`, parallelMs));
  console.log(summary("engine restore into scratch (the restore step)", engineMs));
  console.log(`  → engine / bare single-job ${vsSingle.toFixed(3)} (goal ≤ ${SINGLE_GOAL.toFixed(2)})`);
  console.log(`  → engine / bare -j ${CORES} ${vsParallel.toFixed(3)} (goal ≤ ${PARALLEL_GOAL.toFixed(2)})`);
  // The download now carries the verification and the SQL inspection (once separate steps).
  console.log(
    `${summary("engine download (sha256, verification, SQL inspection on the same pass) + restore", engineWithDownload)}  → ratios ${(median(engineWithDownload) / median(singleMs)).toFixed(3)} and ${(median(engineWithDownload) / median(parallelMs)).toFixed(3)}`,
  );
  console.log(
    `with the database creation on every side: bare ${s(median(singleWithCreate))}, bare -j ${CORES} ${s(median(parallelWithCreate))}, engine ${s(median(engineWithCreate))}  → ratios ${(median(engineWithCreate) / median(singleWithCreate)).toFixed(3)} and ${(median(engineWithCreate) / median(parallelWithCreate)).toFixed(3)}`,
  );

  // The whole scenario once: a dropped table, restored and switched over.
  const before = await countsOf(source);
  await runPsqlQuery(source, "DROP TABLE wallet_events");
  const plan = planFor({ scenarioId: "database-corruption", target, backup, now: new Date(), options: { workDir } });
  const { oldCopy, scratchDatabase } = plan.summary as { oldCopy: string; scratchDatabase: string };
  toDrop.add(oldCopy);
  toDrop.add(scratchDatabase);
  t = performance.now();
  const run = await executePlan(plan);
  const total = performance.now() - t;
  if (run.failed) throw new Error(`${run.failed.key}: ${run.failed.error.message}`);
  const after = await countsOf(source);
  if (JSON.stringify(after) !== JSON.stringify(before))
    throw new Error("the whole plan did not restore the row counts");
  console.log(
    `whole corruption plan (automatic steps): ${s(total)} = ${run.steps.map((x) => `${x.key} ${s(x.ms)}`).join(", ")}`,
  );
  const verdict = (run.results["verify-target"] as { verdict: string }).verdict;
  console.log(`verdict: ${verdict}`);
  await dropOldCopy(testConnection(), oldCopy);
  toDrop.delete(oldCopy);

  writeResults("restore", loadBefore, {
    scale: SCALE,
    rounds: ROUNDS,
    jobs: CORES,
    singleMs,
    parallelMs,
    engineMs,
    engineWithDownloadMs: engineWithDownload,
    singleMedianMs: median(singleMs),
    parallelMedianMs: median(parallelMs),
    engineMedianMs: median(engineMs),
    vsSingle,
    vsSingleGoal: SINGLE_GOAL,
    vsParallel,
    vsParallelGoal: PARALLEL_GOAL,
    withCreation: { singleMs: singleWithCreate, parallelMs: parallelWithCreate, engineMs: engineWithCreate },
    engineSteps: rounds.engine.map(({ download, create, restore }) => ({ download, create, restore })),
    wholePlan: { ms: total, steps: run.steps.map((x) => ({ key: x.key, ms: x.ms })), verdict },
  });
  if (!(vsSingle <= SINGLE_GOAL)) {
    console.error(`FAILED: engine / bare single-job ${vsSingle.toFixed(3)} is above ${SINGLE_GOAL.toFixed(2)}`);
    process.exitCode = 1;
  }
  if (!(vsParallel <= PARALLEL_GOAL)) {
    console.error(`FAILED: engine / bare -j ${CORES} ${vsParallel.toFixed(3)} is above ${PARALLEL_GOAL.toFixed(2)}`);
    process.exitCode = 1;
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const name of toDrop)
      await dropDatabase(name).catch((e: unknown) => console.error(`could not drop ${name}:`, e));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  });
