// Point-in-time recovery benchmark: Lifeboat's recovery engine against bare pgBackRest + pg_ctl.
//   1. A throwaway PostgreSQL 15 cluster that archives its WAL through pgBackRest into a path
//      repository under a temporary folder (the shared test cluster is never used: this one is
//      loaded and written hard), with the amani fixture at scale 50 (BENCH_SCALE) loaded, then a
//      full backup, then BENCH_PITR_ACTIVITY_SECONDS (default 75) of writes (a batch of rows a
//      second, WAL switched every 15 s) so the archive runs past the base backup.
//   2. The target: the time 1 minute before the last archived commit (the end of the archive), so
//      both arms restore the same base backup and replay the same WAL to the same moment.
//   3. Interleaved, BENCH_ROUNDS times (default 5, at least 3), after one warm-up round of each:
//      (a) bare: `pgbackrest restore --set --type=time --target --target-action=promote
//          --archive-mode=off` into a new folder, `pg_ctl start` on another port with
//          hot_standby=off, postmaster.pid read until it says "ready", then one
//          `SELECT pg_is_in_recovery()` that says false (the same wait as Lifeboat's);
//      (b) Lifeboat: startRecoveryInstance() (the row, its folder, the same restore, its own
//          settings, pg_ctl start, wait until promoted, the database's user logs in).
//      Both recovered instances must hold the same rows. Prints medians, spread and the ratio
//      (goal ≤ 1.10) with the load average; writes bench/results/pitr-<time>.json.
// Run: npm run bench -- pitr   (BENCH_SCALE=5 BENCH_PITR_ACTIVITY_SECONDS=70 for a quicker look)
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { throwawayPgbackrestConfig } from "../lib/pitr/test-support";
import { interleave, load, median, ROUNDS, s, summary, writeResults } from "./rounds";

const SCALE = Number(process.env.BENCH_SCALE ?? 50);
const ACTIVITY_S = Math.max(65, Number(process.env.BENCH_PITR_ACTIVITY_SECONDS ?? 75));
const RATIO_GOAL = 1.1;
const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const STANZA = "bench";
const root = process.getuid?.() === 0;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bench-pitr-"));
fs.chmodSync(dir, 0o755); // the postgres user works inside it
process.env.LIFEBOAT_DATABASE_URL = `file:${dir}/lifeboat.db`;
process.env.LIFEBOAT_RECOVERY_DIR = path.join(dir, "recovery");
// The benchmark's own pgBackRest config lives in its temp folder: a folder the console must be told to accept.
process.env.LIFEBOAT_PGBACKREST_CONFIG_DIRS = dir;
process.env.NEXTAUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";
process.env.LIFEBOAT_ENCRYPTION_KEY ??= Buffer.alloc(32, 3).toString("base64");

const asPg = (argv: string[]) => (root ? ["runuser", "-u", "postgres", "--", ...argv] : argv);
async function pg(argv: string[], opts: { input?: string; reject?: boolean } = {}) {
  const [file, ...args] = asPg(argv);
  return execa(file!, args, {
    cwd: "/",
    input: opts.input,
    reject: opts.reject ?? true,
    stdin: opts.input ? undefined : "ignore",
  });
}

const pgDir = path.join(dir, "pg");
const conf = path.join(dir, "pgbackrest.conf");
const bareRoot = path.join(dir, "bare");
let clusterPort = 0;
const password = randomBytes(12).toString("hex");
const started: string[] = [];

async function freePortHere(): Promise<number> {
  const { freePort } = await import("../lib/pitr/recovery");
  return freePort();
}

/** psql as postgres on the throwaway cluster's socket (trust), one statement. */
async function sql(db: string, statement: string): Promise<string> {
  const r = await pg([
    path.join(PG_BIN, "psql"),
    "-X",
    "-At",
    "-v",
    "ON_ERROR_STOP=1",
    "-h",
    pgDir,
    "-p",
    String(clusterPort),
    "-U",
    "postgres",
    "-d",
    db,
    "-c",
    statement,
  ]);
  return r.stdout.trim();
}

async function makeCluster() {
  for (const d of ["repo", "log", "spool", "lock", "pg", "bare"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
  clusterPort = await freePortHere();
  fs.writeFileSync(
    conf,
    throwawayPgbackrestConfig({
      dir,
      repoPath: `${dir}/repo`,
      stanza: STANZA,
      port: clusterPort,
      dataDir: `${pgDir}/data`,
      socketDir: pgDir,
    }),
  );
  if (root) await execa("chown", ["-R", "postgres:postgres", dir]);
  await pg([
    path.join(PG_BIN, "initdb"),
    "-D",
    `${pgDir}/data`,
    "-U",
    "postgres",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
    "--locale=C.UTF-8",
  ]);
  await pg([
    path.join(PG_BIN, "pg_ctl"),
    "-D",
    `${pgDir}/data`,
    "-l",
    `${pgDir}/server.log`,
    "-w",
    "-o",
    `-p ${clusterPort} -c listen_addresses=127.0.0.1 -k ${pgDir} -c fsync=off -c wal_level=replica -c archive_mode=on -c max_wal_size=4GB`,
    "-o",
    `-c archive_command='pgbackrest --config=${conf} --stanza=${STANZA} archive-push %p'`,
    "start",
  ]);
  await pg(
    [
      path.join(PG_BIN, "psql"),
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      pgDir,
      "-p",
      String(clusterPort),
      "-U",
      "postgres",
      "-d",
      "postgres",
      "-f",
      "-",
    ],
    {
      input: `CREATE ROLE bench LOGIN SUPERUSER PASSWORD '${password}';\n`,
    },
  );
  await pg(["pgbackrest", `--config=${conf}`, `--stanza=${STANZA}`, "stanza-create"]);
}

async function switchAndWait(): Promise<void> {
  const segment = await sql("postgres", "SELECT pg_walfile_name(pg_switch_wal())");
  for (let i = 0; i < 600; i++) {
    const last = await sql("postgres", "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
    if (last !== "" && last.slice(8) >= segment.slice(8)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`segment ${segment} was not archived`);
}

type Round = { ms: number; restoreMs: number; rows: number };

async function main() {
  const loadBefore = load();
  await execa("node", ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { LIFEBOAT_DATABASE_URL: process.env.LIFEBOAT_DATABASE_URL },
  });
  const { db } = await import("../lib/db");
  const { seal } = await import("../lib/crypto/key");
  const { runSqlFile, FIXTURE_SQL } = await import("../lib/postgres/test-support");
  const { runPsqlQuery } = await import("../lib/postgres/run");
  const { startRecoveryInstance, recoveryConnection, removeRecoveryInstance } = await import("../lib/pitr/recovery");
  const { readArchiveInfo } = await import("../lib/pitr/window");

  let t = performance.now();
  await makeCluster();
  await sql("postgres", "CREATE DATABASE amani TEMPLATE template0 ENCODING 'UTF8'");
  const conn = {
    host: "127.0.0.1",
    port: clusterPort,
    user: "bench",
    password,
    database: "amani",
    sslmode: "disable" as const,
  };
  await runSqlFile(conn, FIXTURE_SQL, { scale: String(SCALE) });
  await sql(
    "amani",
    "CREATE TABLE bench_activity (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(), payload text)",
  );
  const size = await sql("amani", "SELECT pg_size_pretty(pg_database_size('amani'))");
  console.log(`archiving cluster with the fixture at scale ${SCALE} (${size}) in ${s(performance.now() - t)}`);

  t = performance.now();
  await pg(["pgbackrest", `--config=${conf}`, `--stanza=${STANZA}`, "--type=full", "backup"]);
  console.log(`full backup in ${s(performance.now() - t)}`);

  // Writes after the backup, for ACTIVITY_S seconds: the WAL the recovery replays.
  t = performance.now();
  for (let i = 0; performance.now() - t < ACTIVITY_S * 1000; i++) {
    const tick = performance.now();
    await sql(
      "amani",
      "INSERT INTO bench_activity (payload) SELECT md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 5000) g",
    );
    if (i % 15 === 14) await switchAndWait();
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - tick))));
  }
  await switchAndWait();
  const lastCommit = new Date(
    await sql(
      "amani",
      "SELECT to_char(max(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM bench_activity",
    ),
  );
  const target = new Date(lastCommit.getTime() - 60_000).toISOString();
  const expectedRows = Number(await sql("amani", `SELECT count(*) FROM bench_activity WHERE at <= '${target}'`));
  console.log(
    `${s(performance.now() - t)} of writes after the backup; archive ends at ${lastCommit.toISOString()}, target ${target} (${expectedRows} activity rows)`,
  );

  // Lifeboat's rows for the database and its archive.
  const databaseId = `c${randomBytes(12).toString("hex")}`;
  await db.database.create({
    data: {
      id: databaseId,
      name: "bench-amani",
      host: "127.0.0.1",
      port: clusterPort,
      dbName: "amani",
      user: "bench",
      passwordEnc: seal(password, { table: "Database", id: databaseId, field: "passwordEnc" }),
      sslmode: "disable",
    },
  });
  const archive = {
    stanza: STANZA,
    configPath: conf,
    repoType: "posix",
    repoPath: `${dir}/repo`,
    repoOptions: "{}",
    repoSecretEnc: null,
    pgBinDir: null,
  };
  await db.walArchive.create({ data: { ...archive, databaseId } });
  const info = await readArchiveInfo({ id: "bench", ...archive });
  const label = info.backups.at(-1)?.label;
  if (!label) throw new Error("no base backup in the bench repository");
  const canonical = target.replace("T", " ").replace("Z", "+00");

  async function bare(round: number): Promise<Round> {
    const folder = path.join(bareRoot, `r${round + 10}`);
    fs.mkdirSync(folder);
    if (root) await execa("chown", ["postgres:postgres", folder]);
    const data = path.join(folder, "data");
    const port = await freePortHere();
    const t0 = performance.now();
    await pg([
      "pgbackrest",
      `--config=${conf}`,
      `--stanza=${STANZA}`,
      `--pg1-path=${data}`,
      `--set=${label}`,
      "--type=time",
      `--target=${canonical}`,
      "--target-action=promote",
      "--archive-mode=off",
      "restore",
    ]);
    const restoreMs = performance.now() - t0;
    await pg([
      path.join(PG_BIN, "pg_ctl"),
      "start",
      "-W",
      "-D",
      data,
      "-l",
      path.join(folder, "server.log"),
      "-o",
      // No connections before it promoted: postmaster.pid says "ready" only then.
      `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c hot_standby=off`,
    ]);
    const psql = (q: string) =>
      pg(
        [
          path.join(PG_BIN, "psql"),
          "-X",
          "-At",
          "-h",
          folder,
          "-p",
          String(port),
          "-U",
          "postgres",
          "-d",
          "amani",
          "-c",
          q,
        ],
        { reject: false },
      );
    // The cheapest wait there is: postmaster.pid read every 50 ms (no process started while
    // recovery runs), then one query; the same wait as Lifeboat's, so the ratio is its overhead.
    for (;;) {
      const pid = fs.existsSync(path.join(data, "postmaster.pid"))
        ? fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[7]?.trim()
        : undefined;
      if (pid === "ready") {
        const r = await psql("SELECT pg_is_in_recovery()");
        if (r.exitCode === 0 && r.stdout.trim() === "f") break;
      }
      if (performance.now() - t0 > 3600_000)
        throw new Error(`the bare recovery did not finish: ${path.join(folder, "server.log")}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    const ms = performance.now() - t0;
    const rows = Number((await psql("SELECT count(*) FROM bench_activity")).stdout.trim());
    await pg([path.join(PG_BIN, "pg_ctl"), "stop", "-D", data, "-m", "immediate", "-w"]);
    fs.rmSync(folder, { recursive: true, force: true });
    return { ms, restoreMs, rows };
  }

  async function lifeboat(): Promise<Round> {
    let restoreMs = NaN;
    const t0 = performance.now();
    const r = await startRecoveryInstance({
      databaseId,
      runId: null,
      target: { kind: "time", at: target },
      baseBackupLabel: label!,
      onLog: (_, line) => {
        if (/restore command end: completed successfully/.test(line)) restoreMs = performance.now() - t0;
      },
    });
    const ms = performance.now() - t0;
    started.push(r.instanceId);
    const rc = await recoveryConnection(r.instanceId, "amani");
    const rows = Number((await runPsqlQuery(rc, "SELECT count(*) FROM bench_activity"))[0]?.[0]);
    await removeRecoveryInstance(r.instanceId);
    return { ms, restoreMs, rows };
  }

  // Warm-up (page cache, the repository's files), not counted.
  const w1 = await bare(-1);
  const w2 = await lifeboat();
  console.log(`warm-up: bare ${s(w1.ms)}, Lifeboat ${s(w2.ms)}`);
  const rounds = await interleave({ bare, lifeboat }, ROUNDS, (i, { bare: b, lifeboat: l }) =>
    console.log(
      `  round ${i + 1}: bare ${s(b.ms)} (restore ${s(b.restoreMs)}) | Lifeboat ${s(l.ms)} (restore ${s(l.restoreMs)}) | rows ${b.rows}/${l.rows} | load ${load()}`,
    ),
  );
  // Every recovery stops at the same commit; a batch stamped just before the target but
  // committed after it is the only difference allowed against the rows' own timestamps.
  const all = [...rounds.bare, ...rounds.lifeboat, w1, w2];
  if (all.some((r) => r.rows !== w1.rows) || Math.abs(w1.rows - expectedRows) > 5000)
    throw new Error(
      `the recoveries did not stop at the same target: rows ${all.map((r) => r.rows).join(", ")}, about ${expectedRows} expected`,
    );
  const bareMs = rounds.bare.map((r) => r.ms);
  const lifeboatMs = rounds.lifeboat.map((r) => r.ms);
  const ratio = median(lifeboatMs) / median(bareMs);
  console.log(summary("bare pgbackrest restore + pg_ctl start until promoted", bareMs));
  console.log(
    `${summary("Lifeboat startRecoveryInstance", lifeboatMs)}  → ratio ${ratio.toFixed(3)} (goal ≤ ${RATIO_GOAL.toFixed(2)})`,
  );
  writeResults("pitr", loadBefore, {
    scale: SCALE,
    rounds: ROUNDS,
    activitySeconds: ACTIVITY_S,
    target,
    archiveEnd: lastCommit.toISOString(),
    expectedRows,
    bareMs,
    lifeboatMs,
    bareRestoreMs: rounds.bare.map((r) => r.restoreMs),
    lifeboatRestoreMs: rounds.lifeboat.map((r) => r.restoreMs),
    bareMedianMs: median(bareMs),
    lifeboatMedianMs: median(lifeboatMs),
    ratio,
    ratioGoal: RATIO_GOAL,
  });
  if (!(ratio <= RATIO_GOAL)) {
    console.error(`FAILED: the ratio ${ratio.toFixed(3)} is above ${RATIO_GOAL.toFixed(2)}`);
    process.exitCode = 1;
  }
}

async function cleanUp() {
  const { removeRecoveryInstance } = await import("../lib/pitr/recovery");
  for (const id of started) await removeRecoveryInstance(id).catch(() => {});
  for (const name of fs.existsSync(bareRoot) ? fs.readdirSync(bareRoot) : []) {
    await pg([path.join(PG_BIN, "pg_ctl"), "stop", "-D", path.join(bareRoot, name, "data"), "-m", "immediate", "-w"], {
      reject: false,
    });
  }
  if (fs.existsSync(path.join(pgDir, "data", "postmaster.pid")))
    await pg([path.join(PG_BIN, "pg_ctl"), "stop", "-D", path.join(pgDir, "data"), "-m", "immediate", "-w"], {
      reject: false,
    });
  fs.rmSync(dir, { recursive: true, force: true });
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => cleanUp().catch((e: unknown) => console.error("clean-up failed:", e)));
