// Page benchmark: do the console's busiest pages stay fast with years of history?
//   1. A temporary Lifeboat database seeded with 100,000 catalogued backups (8 databases, one
//      local location), 2,000 finished restore runs with their steps and log lines, and 500
//      drills with their timed steps.
//   2. The production build (built first when the sources are newer than .next) served by
//      `next start` on a free 127.0.0.1 port against that database; one admin signs in through
//      the credentials form's endpoints to get a session cookie.
//   3. Dashboard, Backups, Restores and Drills: a warm-up, then each page BENCH_PAGE_REQUESTS
//      times (default 50), interleaved with the order rotated every round; the time of one
//      request is until its whole HTML has arrived (server-side rendering included). Prints p50
//      and p95 per page with the load average (goal: every p95 ≤ 300 ms), writes
//      bench/results/pages-<time>.json and exits non-zero when a goal is missed.
// Run: npm run bench -- pages
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { execa } from "execa";
import { interleave, load, writeResults } from "./rounds";
import { signIn, startConsole } from "./console";

const BACKUPS = 100_000;
const RUNS = 2_000;
const STEPS_PER_RUN = 8;
const LOGS_PER_RUN = 40;
const DRILLS = 500;
const REQUESTS = Math.max(10, Math.floor(Number(process.env.BENCH_PAGE_REQUESTS ?? 50)) || 50);
const WARM_UP = 5;
const P95_GOAL_MS = 300;
const DATABASES = 8;
const PASSWORD = "bench-password-not-secret";
const EMAIL = "bench-admin@bench.test";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bench-pages-"));
const backupsDir = path.join(dir, "backups");
fs.mkdirSync(backupsDir);
const serverEnv = {
  LIFEBOAT_DATABASE_URL: `file:${dir}/lifeboat.db`,
  NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-secret-bench-secret-bench-secret-00",
  LIFEBOAT_ENCRYPTION_KEY: process.env.LIFEBOAT_ENCRYPTION_KEY ?? Buffer.alloc(32, 3).toString("base64"),
  LIFEBOAT_LOCAL_ROOTS: backupsDir,
  LIFEBOAT_SYNC_INTERVAL_MINUTES: "0",
};
Object.assign(process.env, serverEnv);

const PAGES = [
  { name: "dashboard", path: "/", heading: "Dashboard" },
  { name: "backups", path: "/backups", heading: "Backups" },
  { name: "restores", path: "/restores", heading: "Restore" },
  { name: "drills", path: "/drills", heading: "Drills" },
] as const;

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function seed() {
  const { db, bulkInsert } = await import("../lib/db");
  const { hashPassword } = await import("../lib/auth/password");
  const { saveLocation } = await import("../lib/locations/mutations");
  const { saveLocationSchema } = await import("../lib/locations/schemas");
  const { saveDatabase } = await import("../lib/databases/mutations");
  const { saveDatabaseSchema } = await import("../lib/databases/schemas");
  const { INSERT_COLUMNS } = await import("../lib/catalog/sync");
  const { retentionFacts } = await import("../lib/backups/retention");
  const { SCENARIOS } = await import("../lib/scenarios/registry");

  await db.user.create({
    data: { email: EMAIL, name: "Bench Admin", role: "admin", passwordHash: await hashPassword(PASSWORD) },
  });
  const { id: locationId } = await saveLocation(
    saveLocationSchema.parse({ name: "history", config: { kind: "local", path: backupsDir } }),
  );
  const databaseIds: string[] = [];
  for (let i = 0; i < DATABASES; i++) {
    const { id } = await saveDatabase(
      saveDatabaseSchema.parse({
        name: `app${i}`,
        environment: i % 3 === 0 ? "production" : i % 3 === 1 ? "staging" : "test",
        host: "127.0.0.1",
        dbName: `app${i}`,
        user: "x",
        sslmode: "disable",
        sources: [{ locationId, patterns: `app${i}_backup_*` }],
      }),
    );
    databaseIds.push(id);
  }
  const now = Date.now();
  const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").slice(0, 15).replace("T", "_");

  // Backups: every database every ~45 minutes back from now, a few verified or failed.
  const backupIds: string[] = [];
  const rows: unknown[][] = [];
  for (let i = 0; i < BACKUPS; i++) {
    const takenAt = new Date(now - i * 45 * 60_000 - (i % DATABASES) * 60_000);
    const f = retentionFacts(takenAt);
    const id = randomUUID();
    backupIds.push(id);
    rows.push([
      id,
      locationId,
      `app${i % DATABASES}_backup_${stamp(takenAt)}.sql.gz`,
      BigInt(50_000_000 + ((i * 7919) % 5_000_000)),
      takenAt,
      `"${i.toString(16)}"`,
      takenAt,
      "name",
      "plain_gzip",
      "scheduled",
      databaseIds[i % DATABASES]!,
      f.weekday,
      f.dayOfMonth,
      i % 997 === 0,
      new Date(now),
      new Date(now),
    ]);
  }
  await bulkInsert("Backup", INSERT_COLUMNS, rows);
  await db.$executeRawUnsafe(
    `UPDATE "Backup" SET "verificationState" = CASE WHEN rowid % 50 = 0 THEN 'failed' ELSE 'verified' END, "lastVerifiedAt" = "takenAt" WHERE rowid % 7 = 0`,
  );
  await db.syncRun.create({
    data: {
      locationId,
      trigger: "interval",
      status: "ok",
      finishedAt: new Date(now),
      pages: 100,
      objectsSeen: BACKUPS,
      added: 0,
    },
  });

  // Restore runs: finished (mostly succeeded), each with its steps and log lines.
  const runRows: unknown[][] = [];
  const stepRows: unknown[][] = [];
  const logRows: unknown[][] = [];
  const statuses = ["succeeded", "succeeded", "succeeded", "succeeded", "failed", "cancelled"];
  for (let i = 0; i < RUNS; i++) {
    const scenario = SCENARIOS[i % SCENARIOS.length]!;
    const createdAt = new Date(now - (i + 1) * 4 * 3_600_000);
    const status = statuses[i % statuses.length]!;
    const steps = Array.from({ length: STEPS_PER_RUN }, (_, s) => ({
      key: `step-${s}`,
      title: `Step ${s + 1}`,
      kind: s === STEPS_PER_RUN - 2 ? "confirmation" : "automatic",
      command: s === 3 ? ["pg_restore", "--dbname", "postgresql://lifeboat@127.0.0.1/app_scratch"] : null,
      description: `What step ${s + 1} does, in a sentence or two, as the plan shows it.`,
    }));
    const plan = JSON.stringify({
      scenarioId: scenario.id,
      scenarioVersion: scenario.version,
      steps,
      summary: { backup: `app${i % DATABASES}_backup_${stamp(createdAt)}.sql.gz`, target: `app${i % DATABASES}` },
    });
    const runId = randomUUID();
    const startedAt = new Date(createdAt.getTime() + 60_000);
    const finishedAt = new Date(startedAt.getTime() + 20 * 60_000);
    runRows.push([
      runId,
      scenario.id,
      scenario.version,
      databaseIds[i % DATABASES]!,
      backupIds[i * 40]!,
      status,
      plan,
      randomUUID().replace(/-/g, ""),
      "{}",
      EMAIL,
      createdAt,
      EMAIL,
      startedAt,
      startedAt,
      finishedAt,
      status === "succeeded" ? "The restored database answered its checks." : null,
      createdAt,
    ]);
    steps.forEach((s, index) => {
      const t0 = new Date(startedAt.getTime() + index * 150_000);
      stepRows.push([
        randomUUID(),
        runId,
        index,
        s.key,
        s.title,
        s.kind,
        status === "succeeded" || index < 4 ? "succeeded" : index === 4 && status === "failed" ? "failed" : "skipped",
        s.command ? JSON.stringify(s.command) : null,
        t0,
        new Date(t0.getTime() + 120_000),
        JSON.stringify({ ok: true, rows: index * 1000 }),
      ]);
    });
    for (let l = 0; l < LOGS_PER_RUN; l++)
      logRows.push([
        runId,
        Math.floor(l / (LOGS_PER_RUN / STEPS_PER_RUN)),
        new Date(startedAt.getTime() + l * 30_000),
        l % 5 === 0 ? "info" : "stdout",
        `pg_restore: processing item ${l} TABLE DATA public table_${l}`,
      ]);
  }
  await bulkInsert(
    "Run",
    [
      "id",
      "scenarioId",
      "scenarioVersion",
      "databaseId",
      "backupId",
      "status",
      "plan",
      "planHash",
      "options",
      "createdBy",
      "createdAt",
      "confirmedBy",
      "confirmedAt",
      "startedAt",
      "finishedAt",
      "verdict",
      "cleanedUpAt",
    ],
    runRows,
  );
  await bulkInsert(
    "RunStep",
    ["id", "runId", "index", "key", "title", "kind", "status", "command", "startedAt", "finishedAt", "result"],
    stepRows,
  );
  await bulkInsert("RunLog", ["runId", "stepIndex", "at", "stream", "text"], logRows);

  // Drills: closed ones over the years (met or missed), a few scheduled ahead.
  const drillRows: unknown[][] = [];
  const drillStepRows: unknown[][] = [];
  const intervalRows: unknown[][] = [];
  const actionRows: unknown[][] = [];
  for (let i = 0; i < DRILLS; i++) {
    const scenario = SCENARIOS[i % SCENARIOS.length]!;
    const upcoming = i < 5;
    const scheduledAt = new Date(upcoming ? now + (i + 1) * 86_400_000 : now - i * 3 * 86_400_000);
    const drillId = randomUUID();
    drillRows.push([
      drillId,
      scenario.id,
      scenario.version,
      databaseIds[i % DATABASES]!,
      scheduledAt,
      JSON.stringify([EMAIL]),
      upcoming ? "scheduled" : "closed",
      upcoming ? null : scheduledAt,
      upcoming ? null : new Date(scheduledAt.getTime() + 45 * 60_000),
      upcoming ? null : i % 4 === 0 ? "missed" : "met",
      EMAIL,
      scheduledAt,
    ]);
    for (let s = 0; s < 6; s++) {
      const stepId = randomUUID();
      const t0 = new Date(scheduledAt.getTime() + s * 7 * 60_000);
      drillStepRows.push([
        stepId,
        drillId,
        s,
        `step-${s}`,
        `Step ${s + 1}`,
        "automatic",
        upcoming ? null : new Date(t0.getTime() + 6 * 60_000),
      ]);
      if (!upcoming) intervalRows.push([randomUUID(), stepId, t0, new Date(t0.getTime() + 6 * 60_000)]);
    }
    if (i % 10 === 5)
      actionRows.push([randomUUID(), drillId, "Document the restore role's grants", EMAIL, scheduledAt, i > 50]);
  }
  await bulkInsert(
    "Drill",
    [
      "id",
      "scenarioId",
      "scenarioVersion",
      "databaseId",
      "scheduledAt",
      "participants",
      "status",
      "startedAt",
      "closedAt",
      "outcome",
      "createdBy",
      "createdAt",
    ],
    drillRows,
  );
  await bulkInsert("DrillStep", ["id", "drillId", "index", "key", "title", "kind", "finishedAt"], drillStepRows);
  await bulkInsert("DrillInterval", ["id", "stepId", "startedAt", "endedAt"], intervalRows);
  await bulkInsert("DrillAction", ["id", "drillId", "text", "owner", "dueDate", "done"], actionRows);
  const counts = {
    backups: await db.backup.count(),
    runs: await db.run.count(),
    runSteps: await db.runStep.count(),
    runLogs: await db.runLog.count(),
    drills: await db.drill.count(),
  };
  await db.$disconnect();
  return counts;
}

async function main() {
  const loadBefore = load();
  await execa("node", ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { LIFEBOAT_DATABASE_URL: serverEnv.LIFEBOAT_DATABASE_URL },
  });
  const t0 = performance.now();
  const counts = await seed();
  console.log(
    `seeded ${counts.backups.toLocaleString("en")} backups, ${counts.runs.toLocaleString("en")} runs (${counts.runSteps.toLocaleString("en")} steps, ${counts.runLogs.toLocaleString("en")} log lines), ${counts.drills} drills in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const { base, stop } = await startConsole(serverEnv);
  try {
    const cookie = await signIn(base, EMAIL, PASSWORD);

    async function request(page: (typeof PAGES)[number]) {
      const t = performance.now();
      const res = await fetch(`${base}${page.path}`, { headers: { cookie }, redirect: "manual" });
      const html = await res.text();
      const ms = performance.now() - t;
      // The page itself, not the sign-in form or an error page.
      if (res.status !== 200 || !html.includes(`>${page.heading}</h1>`))
        throw new Error(`${page.path} answered HTTP ${res.status} without its heading "${page.heading}"`);
      return { ms, bytes: html.length };
    }
    for (let i = 0; i < WARM_UP; i++) for (const p of PAGES) await request(p);
    const rounds = await interleave(
      Object.fromEntries(PAGES.map((p) => [p.name, () => request(p)])) as Record<
        (typeof PAGES)[number]["name"],
        () => Promise<{ ms: number; bytes: number }>
      >,
      REQUESTS,
    );
    const results = PAGES.map((p) => {
      const ms = rounds[p.name].map((r) => r.ms);
      return {
        page: p.name,
        path: p.path,
        requests: ms.length,
        p50Ms: pct(ms, 50),
        p95Ms: pct(ms, 95),
        maxMs: Math.max(...ms),
        htmlBytes: rounds[p.name].at(-1)!.bytes,
      };
    });
    console.log(`pages, ${REQUESTS} requests each after ${WARM_UP} warm-up, signed in as an admin:`);
    for (const r of results)
      console.log(
        `  ${r.page.padEnd(10)} ${r.path.padEnd(10)} p50 ${r.p50Ms.toFixed(0).padStart(4)} ms  p95 ${r.p95Ms.toFixed(0).padStart(4)} ms  (max ${r.maxMs.toFixed(0)} ms, ${(r.htmlBytes / 1024).toFixed(0)} KiB)  goal p95 ≤ ${P95_GOAL_MS} ms`,
      );
    writeResults("pages", loadBefore, { history: counts, requests: REQUESTS, p95GoalMs: P95_GOAL_MS, pages: results });
    const missed = results.filter((r) => !(r.p95Ms <= P95_GOAL_MS));
    if (missed.length > 0) {
      console.error(
        `FAILED: p95 above ${P95_GOAL_MS} ms for ${missed.map((r) => `${r.page} (${r.p95Ms.toFixed(0)} ms)`).join(", ")}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await stop();
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
