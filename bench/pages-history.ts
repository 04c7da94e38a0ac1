// The history the page benchmark measures at: 100,000 catalogued backups (8 databases, one local
// location), 2,000 finished restore runs with their steps and log lines, and 500 drills with their
// timed steps. Seeded straight into whatever database lib/db opens, so the benchmark and a test
// that times the dashboard's loaders see the same rows.
import { randomUUID } from "node:crypto";

export const BACKUPS = 100_000;
export const RUNS = 2_000;
const STEPS_PER_RUN = 8;
const LOGS_PER_RUN = 40;
export const DRILLS = 500;
const DATABASES = 8;

export async function seedHistory({
  email: EMAIL,
  password: PASSWORD,
  backupsDir,
}: {
  email: string;
  password: string;
  backupsDir: string;
}) {
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
