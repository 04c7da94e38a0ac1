// Backup benchmark: Lifeboat's backup against a bare pg_dump piped into an S3 multipart upload.
// Needs the test servers (npm run bench starts them).
//   1. The amani fixture at scale 50 (BENCH_SCALE) in the test PostgreSQL, a fresh bucket in the
//      test S3 server.
//   2. Alternately, BENCH_ROUNDS times (default 5, at least 3), on the same machine in the same run:
//      (a) bare: `pg_dump -Fc` through execa, its stdout the Body of an @aws-sdk/lib-storage
//          Upload (the SDK's default part size and queue) into the bucket;
//      (b) Lifeboat: createBackup into an S3 location built by lib/storage (what the backup run's
//          step does: exported snapshot, pg_dump streamed through the sha256 meter, row counts,
//          roles, signed manifest), in a long-lived child Node process of its own (one for all
//          rounds, warmed up like the bare side) so that its peak RSS (VmHWM, module loading
//          included) is the backups' and nobody else's.
//      Prints each arm's median and spread, the ratio of medians (goal ≤ 1.10) and the child's
//      peak RSS (goal ≤ 250 MB), with the load average; writes bench/results/backup-<time>.json.
//      Exits non-zero, saying which, when either goal is missed.
// Run: npm run bench -- backup   (BENCH_SCALE=5 for a quicker look)
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { execa } from "execa";
import { Upload } from "@aws-sdk/lib-storage";
import { createBackup } from "../lib/backups/create-backup";
import { pgDumpArgs } from "../lib/postgres/commands";
import { pgEnv } from "../lib/postgres/connection";
import { runPsqlQuery } from "../lib/postgres/run";
import { createFixtureDatabase, dropDatabase, testConnection } from "../lib/postgres/test-support";
import { createStorage } from "../lib/storage/create-storage";
import { testS3 } from "../tests/support/s3";
import { interleave, load, median, ROUNDS, s, summary, writeResults } from "./rounds";

// createBackup signs its manifest with a key derived from LIFEBOAT_ENCRYPTION_KEY (read when
// first needed, so set here before anything runs; the child inherits them).
process.env.NEXTAUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";
process.env.LIFEBOAT_ENCRYPTION_KEY ??= Buffer.alloc(32, 3).toString("base64");
const SCALE = Number(process.env.BENCH_SCALE ?? 50);
const RATIO_GOAL = 1.1;
const RSS_GOAL_MB = 250;
const CHILD_FLAG = "--lifeboat-arm";

type ChildReport = { ms: number; size: number; peakRssKb: number };

const mb = (kb: number) => Math.round(kb / 1024);

/** A /proc/<pid>/status field in kB (VmRSS, VmHWM), or null once the process is gone. */
function statusKb(pid: number | "self", field: "VmRSS" | "VmHWM"): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function s3Location(bucket: string) {
  const s3 = testS3();
  return createStorage({
    kind: "s3",
    bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    prefix: "",
  });
}

// The Lifeboat arm, in the child: a long-lived process like the console, so the rounds after the
// warm-up run warm, as the console's do. Each key read on stdin is one backup; each answer is
// one JSON line with its time, size and the process's peak RSS so far.
async function lifeboatArm(database: string, bucket: string) {
  const storage = s3Location(bucket);
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const key = line.trim();
    if (key === "") continue;
    const t0 = performance.now();
    const made = await createBackup({ conn: testConnection(database), storage, key, format: "custom" });
    const ms = performance.now() - t0;
    const report: ChildReport = { ms, size: made.size, peakRssKb: statusKb("self", "VmHWM") ?? NaN };
    process.stdout.write(JSON.stringify(report) + "\n");
  }
}

let fixtureDatabase: string | null = null;

async function main() {
  const loadBefore = load();
  const t = performance.now();
  const source = await createFixtureDatabase("bench_backup", SCALE);
  fixtureDatabase = source.database;
  const size = (await runPsqlQuery(source, "SELECT pg_size_pretty(pg_database_size(current_database()))"))[0]?.[0];
  console.log(`fixture at scale ${SCALE}: ${size} in ${s(performance.now() - t)}`);

  const s3 = testS3();
  const bucket = `bench-backup-${Date.now()}`;
  await s3.createBucket(bucket);

  async function bare(key: string): Promise<{ ms: number; size: number }> {
    const [bin, ...args] = pgDumpArgs({ format: "custom", database: source.database });
    const { env, cleanup } = await pgEnv(source);
    try {
      const t0 = performance.now();
      const dump = execa(bin!, args, { env, extendEnv: true, stdin: "ignore", buffer: { stdout: false } });
      let bytes = 0;
      dump.stdout.on("data", (c: Buffer) => (bytes += c.length));
      const upload = new Upload({ client: s3.client, params: { Bucket: bucket, Key: key, Body: dump.stdout } });
      await Promise.all([upload.done(), dump]);
      return { ms: performance.now() - t0, size: bytes };
    } finally {
      await cleanup();
    }
  }

  const child = execa(
    process.execPath,
    [
      "--conditions=import",
      "--require",
      path.resolve("scripts/allow-server-only.cjs"),
      "--import",
      "tsx",
      import.meta.filename,
      CHILD_FLAG,
      source.database,
      bucket,
    ],
    // The child needs the test servers' settings and the manifest key: the bench's own environment.
    { env: process.env, extendEnv: false, stdin: "pipe", stdout: "pipe", stderr: "inherit", buffer: false },
  );
  const answers = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  // A second witness of the peak: VmRSS every 50 ms from outside.
  let sampled = 0;
  const timer = setInterval(() => {
    const kb = child.pid === undefined ? null : statusKb(child.pid, "VmRSS");
    if (kb !== null) sampled = Math.max(sampled, kb);
  }, 50);

  async function lifeboat(key: string): Promise<ChildReport & { sampledRssKb: number }> {
    child.stdin.write(key + "\n");
    const next = await Promise.race([answers.next(), child.then(() => null)]);
    if (next === null || next.done === true) throw new Error("the Lifeboat arm's process ended without answering");
    const report = JSON.parse(next.value) as ChildReport;
    return { ...report, sampledRssKb: sampled };
  }

  // Warm-up (page cache, S3 server, tsx's compile cache), not counted.
  await bare("warmup/bare.dump");
  await lifeboat("warmup/lifeboat.dump");

  const rounds = await interleave(
    { bare: (i) => bare(`round${i}/bare.dump`), lifeboat: (i) => lifeboat(`round${i}/lifeboat.dump`) },
    ROUNDS,
    (i, { bare: b, lifeboat: l }) =>
      console.log(
        `  round ${i + 1}: bare ${s(b.ms)} (${(b.size / 1048576).toFixed(1)} MiB) | lifeboat ${s(l.ms)} (${(l.size / 1048576).toFixed(1)} MiB, peak RSS ${mb(l.peakRssKb)} MB) | load ${load()}`,
      ),
  );
  const bares = rounds.bare;
  const boats = rounds.lifeboat;

  const bareMs = median(bares.map((b) => b.ms));
  const boatMs = median(boats.map((l) => l.ms));
  const ratio = boatMs / bareMs;
  child.stdin.end();
  await child;
  clearInterval(timer);
  const peakKb = Math.max(...boats.map((l) => Math.max(l.peakRssKb, l.sampledRssKb)));
  console.log(
    summary(
      "bare pg_dump -Fc → SDK Upload",
      bares.map((b) => b.ms),
    ),
  );
  console.log(
    summary(
      "Lifeboat createBackup → S3 location",
      boats.map((l) => l.ms),
    ),
  );
  console.log(`ratio: ${ratio.toFixed(3)} (goal ≤ ${RATIO_GOAL.toFixed(2)})`);
  console.log(`peak RSS: ${mb(peakKb)} MB (limit ${RSS_GOAL_MB} MB)`);
  writeResults("backup", loadBefore, {
    scale: SCALE,
    rounds: ROUNDS,
    bareMs: bares.map((b) => b.ms),
    lifeboatMs: boats.map((l) => l.ms),
    bareMedianMs: bareMs,
    lifeboatMedianMs: boatMs,
    ratio,
    ratioGoal: RATIO_GOAL,
    peakRssMb: mb(peakKb),
    rssGoalMb: RSS_GOAL_MB,
    sizes: { bare: bares.map((b) => b.size), lifeboat: boats.map((l) => l.size) },
  });

  const missed: string[] = [];
  if (!(ratio <= RATIO_GOAL)) missed.push(`the ratio ${ratio.toFixed(3)} is above ${RATIO_GOAL.toFixed(2)}`);
  if (!(mb(peakKb) <= RSS_GOAL_MB)) missed.push(`the peak RSS ${mb(peakKb)} MB is above ${RSS_GOAL_MB} MB`);
  if (missed.length > 0) {
    console.error(`FAILED: ${missed.join("; ")}`);
    process.exitCode = 1;
  }
}

if (process.argv[2] === CHILD_FLAG) {
  const [database, bucket] = process.argv.slice(3);
  if (!database || !bucket) throw new Error(`usage: ${CHILD_FLAG} DATABASE BUCKET (then one key a line on stdin)`);
  lifeboatArm(database, bucket).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
} else {
  main()
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(async () => {
      if (fixtureDatabase !== null)
        await dropDatabase(fixtureDatabase).catch((e: unknown) =>
          console.error(`could not drop ${fixtureDatabase}:`, e),
        );
    });
}
