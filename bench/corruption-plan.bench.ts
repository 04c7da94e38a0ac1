// End-to-end restore benchmark: what on-call staff wait for between "confirm" and "verified".
// Needs the test servers (npm run bench starts them).
//   1. The amani fixture at scale 50 (BENCH_SCALE), backed up in custom format by createBackup
//      into a local folder.
//   2. Interleaved, BENCH_ROUNDS times (default 5, at least 3):
//      (a) bare: CREATE DATABASE fresh_db, then `pg_restore --exit-on-error --jobs=<cores>
//          -d fresh_db file` (the fastest a person at a shell would go);
//      (b) the database-corruption plan's automatic steps, as the runner runs them (results
//          through JSON, later steps reading earlier ones), the switch-over's confirmation ticked
//          programmatically: preflight → download (verification and SQL inspection on the same
//          pass, scratch database created alongside) → verify → SQL safety → scratch → restore →
//          verify scratch → grants → switch-over → verify target → remove download. Each round
//          restores the fixture database over itself; its old copy is dropped between rounds,
//          outside the clock.
//      Before each arm, outside the clock, the server settles: a CHECKPOINT writes out what the
//      previous arm left dirty, and no autovacuum worker is running. The plan's restored database
//      is vacuumed and analyzed after its round (the bare arm drops its copy at once), so that
//      neither arm pays for the other's background work: a real target is not a database bulk
//      loaded a few seconds earlier.
//      Prints both medians with their spread, the ratio (goal ≤ 1.3), the median of every step
//      and the load average; writes bench/results/corruption-plan-<time>.json.
// Run: npm run bench -- corruption-plan   (BENCH_SCALE=5 for a quicker look)
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
import { interleave, load, median, ROUNDS, s, spread, summary, writeResults } from "./rounds";

// createBackup signs its manifest with a key derived from LIFEBOAT_ENCRYPTION_KEY (read when
// first needed, so set here before main runs).
process.env.NEXTAUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";
process.env.LIFEBOAT_ENCRYPTION_KEY ??= Buffer.alloc(32, 3).toString("base64");
const SCALE = Number(process.env.BENCH_SCALE ?? 50);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bench-plan-"));
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bench-plan-work-"));
// The backup goes to a local folder, which the server allows only under its configured roots.
process.env.LIFEBOAT_LOCAL_ROOTS = dir;
const toDrop = new Set<string>();

const RATIO_GOAL = 1.3;
const CORES = automaticRestoreJobs();

/** How often settling found an autovacuum worker at work, and how long it waited in all. */
const settling = { autovacuumSeen: 0, waitedMs: 0 };

/** Outside the clock: dirty buffers written out, and no autovacuum worker running (at most 60 s). */
async function settle(): Promise<void> {
  const admin = testConnection();
  const t0 = performance.now();
  await runPsqlQuery(admin, "CHECKPOINT");
  try {
    for (let i = 0; i < 600; i++) {
      const rows = await runPsqlQuery(
        admin,
        "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'autovacuum worker'",
      );
      if (rows[0]?.[0] === "0") return;
      if (i === 0) settling.autovacuumSeen++;
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log("  (an autovacuum worker was still running after 60 s)");
  } finally {
    settling.waitedMs += performance.now() - t0;
  }
}

async function main() {
  const loadBefore = load();
  let t = performance.now();
  const source = await createFixtureDatabase("bench_plan", SCALE);
  toDrop.add(source.database);
  const size = (await runPsqlQuery(source, "SELECT pg_size_pretty(pg_database_size(current_database()))"))[0]?.[0];
  console.log(`fixture at scale ${SCALE}: ${size} in ${s(performance.now() - t)}`);
  const storage = createStorage({ kind: "local", path: dir, prefix: "" });
  t = performance.now();
  const made = await createBackup({ conn: source, storage, key: "amani/amani_backup_plan.dump", format: "custom" });
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
  const expected = await countsOf(source);

  async function bare(): Promise<{ ms: number; create: number; restore: number }> {
    const name = uniqueDatabaseName("bench_bare");
    toDrop.add(name);
    await settle();
    const c0 = performance.now();
    const conn = await createDatabase(name);
    const create = performance.now() - c0;
    const [bin, ...args] = pgRestoreArgs({
      dbname: name,
      exitOnError: true,
      file,
      jobs: CORES > 1 ? CORES : undefined,
    });
    const t0 = performance.now();
    await withPgEnv(conn, (env) => execa(bin, args, { env, extendEnv: true, stdin: "ignore" }));
    const restore = performance.now() - t0;
    await dropDatabase(name);
    toDrop.delete(name);
    return { ms: create + restore, create, restore };
  }

  let planJobs = 0;
  async function plan(round: number): Promise<{ ms: number; steps: Record<string, number> }> {
    const p = planFor({
      scenarioId: "database-corruption",
      target,
      backup,
      now: new Date(Date.now() + (round + 10) * 1000),
      options: { workDir },
    });
    const restoreStep = p.steps.find((x) => x.key === "restore-scratch");
    planJobs = Number(/--jobs=(\d+)/.exec(restoreStep?.command?.join(" ") ?? "")?.[1] ?? 1);
    const { oldCopy, scratchDatabase } = p.summary as { oldCopy: string; scratchDatabase: string };
    toDrop.add(oldCopy);
    toDrop.add(scratchDatabase);
    await settle();
    const t0 = performance.now();
    const run = await executePlan(p);
    const ms = performance.now() - t0;
    if (run.failed) throw new Error(`${run.failed.key}: ${run.failed.error.message}\n${run.logs.join("\n")}`);
    if (JSON.stringify(await countsOf(source)) !== JSON.stringify(expected))
      throw new Error("the plan did not restore the row counts");
    await dropOldCopy(testConnection(), oldCopy);
    toDrop.delete(oldCopy);
    await runPsqlQuery(source, "VACUUM (ANALYZE)");
    toDrop.delete(scratchDatabase);
    if (process.env.BENCH_LOGS) console.log(run.logs.join("\n"));
    return { ms, steps: Object.fromEntries(run.steps.map((x) => [x.key, x.ms])) };
  }

  // Warm-up (page cache, catalog caches), not counted: one round of each arm.
  await bare();
  await plan(-1);
  const rounds = await interleave({ bare: () => bare(), plan: (i) => plan(i) }, ROUNDS, (i, r) =>
    console.log(
      `  round ${i + 1}: bare createdb + pg_restore -j ${CORES} ${s(r.bare.ms)} (restore ${s(r.bare.restore)}) | plan ${s(r.plan.ms)} = ${Object.entries(
        r.plan.steps,
      )
        .map(([k, ms]) => `${k} ${s(ms)}`)
        .join(", ")} | load ${load()}`,
    ),
  );
  const bareMs = rounds.bare.map((b) => b.ms);
  const bareRestoreMs = rounds.bare.map((b) => b.restore);
  const planMs = rounds.plan.map((p) => p.ms);
  const ratio = median(planMs) / median(bareMs);
  const ratioRestoreOnly = median(planMs) / median(bareRestoreMs);
  const keys = Object.keys(rounds.plan[0]?.steps ?? {});
  const stepMedians = Object.fromEntries(keys.map((k) => [k, median(rounds.plan.map((p) => p.steps[k] ?? NaN))]));
  console.log(`pg_restore jobs: bare ${CORES}, the plan's restore ${planJobs} (its default on ${CORES} cores)`);
  console.log(summary(`bare CREATE DATABASE + pg_restore -j ${CORES}`, bareMs));
  console.log(`  of which pg_restore alone: ${s(median(bareRestoreMs))} (spread ${spread(bareRestoreMs)})`);
  console.log(summary("corruption plan, automatic steps", planMs));
  for (const k of keys) {
    const xs = rounds.plan.map((p) => p.steps[k] ?? NaN);
    console.log(`  ${k.padEnd(16)} ${s(stepMedians[k] ?? NaN)} (spread ${spread(xs)})`);
  }
  console.log(
    `  → plan / bare (database creation counted on both sides) ${ratio.toFixed(3)} (goal ≤ ${RATIO_GOAL.toFixed(2)})`,
  );
  console.log(`  → plan / bare pg_restore alone ${ratioRestoreOnly.toFixed(3)}`);
  console.log(
    `settling before each arm (outside the clock): ${s(settling.waitedMs)} in all; an autovacuum worker was at work ${settling.autovacuumSeen} time${settling.autovacuumSeen === 1 ? "" : "s"}`,
  );
  writeResults("corruption-plan", loadBefore, {
    scale: SCALE,
    rounds: ROUNDS,
    jobs: { bare: CORES, plan: planJobs },
    bareMs,
    bareRestoreMs,
    planMs,
    bareMedianMs: median(bareMs),
    planMedianMs: median(planMs),
    stepMedians,
    planSteps: rounds.plan.map((p) => p.steps),
    ratio,
    ratioRestoreOnly,
    ratioGoal: RATIO_GOAL,
    settling,
  });
  if (!(ratio <= RATIO_GOAL)) {
    console.error(`FAILED: plan / bare ${ratio.toFixed(3)} is above ${RATIO_GOAL.toFixed(2)}`);
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
