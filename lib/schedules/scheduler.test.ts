import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { db } from "@/lib/db";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import type { PgConnection } from "@/lib/postgres/connection";
import { uniqueName } from "@/tests/support/services";
import { databaseEntry, freshLocation } from "@/tests/support/backup-targets";
import { buildBackupPlan, configureBackupRetries } from "@/lib/backups/backup-run";
import { BACKUP_RUN_SCENARIO, backupKeyFor, backupRunOptionsSchema } from "@/lib/backups/backup-run-kind";
import { createRun } from "@/lib/runner/runs";
import { drainExecutions } from "@/lib/runner/execute";
import { saveSchedule } from "./mutations";
import { saveScheduleSchema } from "./schemas";
import { resumeInterruptedBackups, runDueSchedules } from "./scheduler";
import { cronProblem, latestDueSince, nextDue } from "./cron";

// The scheduler with an injected clock against a real PostgreSQL and a real folder: a schedule
// due every minute produces labelled backups in the inventory, once per due time; due times
// missed while the console was down run once, and the run says it was late.

let conn: PgConnection;
const folders: string[] = [];
const tag = randomBytes(3).toString("hex");
const T0 = new Date("2026-12-02T10:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;

beforeAll(async () => {
  conn = await createFixtureDatabase("sched");
  configureBackupRetries({ delaysMs: [] });
}, 120_000);

afterAll(async () => {
  if (conn) await dropDatabase(conn.database);
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

async function scheduled(cron: string, lastDueAt: Date) {
  const location = await freshLocation("local", `sched-${tag}`, folders);
  const databaseId = await databaseEntry(conn, uniqueName("sched"), [location.id]);
  const saved = await saveSchedule(saveScheduleSchema.parse({ databaseId, cron, locationId: location.id }));
  await db.backupSchedule.update({ where: { id: saved.id }, data: { lastDueAt } });
  return { databaseId, locationId: location.id, scheduleId: saved.id };
}

async function runAt(now: Date, databaseId: string) {
  const started = await runDueSchedules(now, { databaseIds: [databaseId] });
  await Promise.all(started.map((s) => s.done));
  return started;
}

describe("cron in UTC", () => {
  test.each([
    ["0 2 * * *", null],
    ["*/5 * * * *", null],
    ["0 2 * *", /five fields/],
    ["0 2 * * * *", /five fields/],
    ["61 2 * * *", /not a cron expression/],
  ])("%s", (cron, problem) => {
    const p = cronProblem(cron);
    if (problem === null) expect(p).toBeNull();
    else expect(p).toMatch(problem);
  });

  test("the default is due at 02:00 UTC; the latest due time counts only after the last one acted on", () => {
    expect(nextDue("0 2 * * *", new Date("2026-12-01T02:00:00Z"))?.toISOString()).toBe("2026-12-02T02:00:00.000Z");
    const since = new Date("2026-12-01T02:00:00Z");
    expect(latestDueSince("0 2 * * *", since, new Date("2026-12-01T23:59:00Z"))).toBeNull();
    expect(latestDueSince("0 2 * * *", since, new Date("2026-12-02T02:00:00Z"))?.toISOString()).toBe(
      "2026-12-02T02:00:00.000Z",
    );
  });
});

test("a schedule due every minute makes one labelled backup per due time, in the inventory", async () => {
  const { databaseId, locationId, scheduleId } = await scheduled("* * * * *", T0);

  expect(await runAt(at(30_000), databaseId)).toEqual([]);
  const first = await runAt(at(MIN + 5_000), databaseId);
  expect(first).toHaveLength(1);
  expect(first[0]).toMatchObject({ lateByMs: 0, error: null });
  expect(first[0]!.dueAt.toISOString()).toBe(at(MIN).toISOString());
  // The same due time never runs twice.
  expect(await runAt(at(MIN + 20_000), databaseId)).toEqual([]);
  const second = await runAt(at(2 * MIN + 5_000), databaseId);
  expect(second).toHaveLength(1);

  const runs = await db.run.findMany({ where: { id: { in: [first[0]!.runId!, second[0]!.runId!] } } });
  expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
  const backups = await db.backup.findMany({ where: { locationId, vanishedAt: null }, orderBy: { takenAt: "asc" } });
  expect(backups.map((b) => b.verificationState)).toEqual(["verified", "verified"]);
  expect(backups.map((b) => ({ label: b.label, databaseId: b.databaseId, takenAt: b.takenAt.toISOString() }))).toEqual([
    { label: "daily", databaseId, takenAt: at(MIN + 5_000).toISOString() },
    { label: "daily", databaseId, takenAt: at(2 * MIN + 5_000).toISOString() },
  ]);
  const schedule = await db.backupSchedule.findUniqueOrThrow({ where: { id: scheduleId } });
  expect(schedule.lastDueAt?.toISOString()).toBe(at(2 * MIN).toISOString());
  // Retention ran after each scheduled backup (and, with fewer verified backups than the minimum, deleted nothing).
  const retention = await db.auditEvent.findMany({
    where: { action: "retention.run", targetType: "database", targetId: databaseId },
  });
  expect(retention).toHaveLength(2);
  expect(retention.every((e) => JSON.parse(e.detail).trigger === "schedule")).toBe(true);
  expect(schedule.lastRunId).toBe(second[0]!.runId);
}, 120_000);

test("due times missed while the console was down run once, and the run says it was late", async () => {
  // Hourly; last acted on at 02:00; the console comes back at 09:15 (seven due times missed).
  const { databaseId, locationId } = await scheduled("0 * * * *", new Date("2026-12-02T02:00:00Z"));
  const started = await runAt(new Date("2026-12-02T09:15:00Z"), databaseId);
  expect(started).toHaveLength(1);
  expect(started[0]!.dueAt.toISOString()).toBe("2026-12-02T09:00:00.000Z");
  expect(started[0]!.lateByMs).toBe(15 * MIN);
  const run = await db.run.findUniqueOrThrow({ where: { id: started[0]!.runId! }, include: { logs: true } });
  expect(run.status).toBe("succeeded");
  expect(run.logs.map((l) => l.text).join("\n")).toContain(
    "It was due at 2026-12-02 09:00 UTC and starts 15 min late: the console was not running at the due time.",
  );
  expect(JSON.parse(run.plan).summary).toMatchObject({ dueAt: "2026-12-02T09:00:00.000Z", lateByMs: 15 * MIN });
  expect(await db.backup.count({ where: { locationId, label: "daily" } })).toBe(1);
  // Nothing more until the next due time.
  expect(await runAt(new Date("2026-12-02T09:50:00Z"), databaseId)).toEqual([]);
}, 120_000);

test("a disabled schedule does not run", async () => {
  const { databaseId, scheduleId } = await scheduled("* * * * *", T0);
  await db.backupSchedule.update({ where: { id: scheduleId }, data: { enabled: false } });
  expect(await runAt(at(10 * MIN), databaseId)).toEqual([]);
});

describe("resume policy of interrupted backup runs", () => {
  async function interruptedRun(now: Date) {
    const location = await freshLocation("local", `resume-${tag}`, folders);
    const databaseId = await databaseEntry(conn, uniqueName("resume"), [location.id]);
    const options = backupRunOptionsSchema.parse({
      label: "daily",
      format: "custom",
      locationId: location.id,
      key: backupKeyFor({ prefix: "", databaseName: "resume", label: "daily", format: "custom", at: now }),
      trigger: "schedule",
      requestedBy: "schedule",
    });
    const plan = await buildBackupPlan(databaseId, options);
    const { runId } = await createRun({
      plan,
      scenarioId: BACKUP_RUN_SCENARIO,
      databaseId,
      backupId: null,
      options,
      createdBy: { id: "schedule:test", email: "schedule" },
    });
    // What recovery leaves when the console died during the backup step.
    await db.run.update({ where: { id: runId }, data: { status: "interrupted", finishedAt: now } });
    await db.runStep.updateMany({ where: { runId }, data: { status: "interrupted" } });
    const dir = (await db.location.findUniqueOrThrow({ where: { id: location.id } })).config;
    return { runId, databaseId, key: options.key, folder: JSON.parse(dir).path as string };
  }

  test("a recent one is resumed: the partial upload it left is deleted, and the backup is taken again", async () => {
    const now = new Date();
    const { runId, key, folder, databaseId } = await interruptedRun(now);
    fs.mkdirSync(path.dirname(path.join(folder, key)), { recursive: true });
    fs.writeFileSync(path.join(folder, key), "half a dump");
    const { resumed } = await resumeInterruptedBackups(new Date(now.getTime() + 60_000), { databaseIds: [databaseId] });
    expect(resumed).toContain(runId);
    await drainExecutions();
    const run = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { logs: true } });
    expect(run.status, run.verdict ?? "").toBe("succeeded");
    expect(run.logs.map((l) => l.text).join("\n")).toContain(`Deleting the partial ${key}`);
    expect(fs.statSync(path.join(folder, key)).size).toBeGreaterThan(1000);
    expect(fs.existsSync(path.join(folder, `${key}.manifest.json`))).toBe(true);
  }, 120_000);

  test("one older than six hours is cancelled: the schedule takes a fresh backup instead", async () => {
    const then = new Date(Date.now() - 7 * 3600_000);
    const { runId, databaseId } = await interruptedRun(then);
    const { cancelled, resumed } = await resumeInterruptedBackups(new Date(), { databaseIds: [databaseId] });
    expect(cancelled).toContain(runId);
    expect(resumed).not.toContain(runId);
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("cancelled");
  }, 60_000);
});
