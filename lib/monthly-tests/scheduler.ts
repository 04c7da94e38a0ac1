import "server-only";
import { db } from "@/lib/db";
import { latestDueSince } from "@/lib/schedules/cron";
import type { RunActor } from "@/lib/runner/runs";
import type { RunStatus } from "@/lib/runner/states";
import { parseStoredJson } from "@/lib/stored-json";
import { findingsSchema, type Finding } from "@/lib/monthly-tests/record-schemas";
import { testMonth } from "@/lib/monthly-tests/run-kind";
import { dropTestScratch, finishTestRecord, startMonthlyTest } from "@/lib/monthly-tests/test-run";

// Starts each test plan's run when its schedule comes due (the latest due time since the one it
// last acted on starts one test; lastDueAt is moved with a conditional update first, so two
// console instances never start the same due time twice), closes the records of tests whose run
// ended without its record step (a console stopped mid-test), and drops scratch databases whose
// keep-until passed.

export const TEST_TICK_MS = 60_000;
/** A record still open this long after its run ended was left by a process that stopped. */
const CLOSE_AFTER_MS = 2 * 60_000;

export function testPlanActor(planId: string): RunActor {
  return { id: `test-plan:${planId}`, email: "test plan schedule" };
}

export type StartedScheduledTest = {
  planId: string;
  databaseId: string;
  dueAt: Date;
  runId: string | null;
  error: string | null;
  done: Promise<void>;
};

export async function runDueTestPlans(
  now: Date = new Date(),
  /** Tests look at their own databases' plans only. */
  opts: { databaseIds?: string[] } = {},
): Promise<StartedScheduledTest[]> {
  const plans = await db.testPlan.findMany({
    where: {
      enabled: true,
      cron: { not: null },
      ...(opts.databaseIds ? { databaseId: { in: opts.databaseIds } } : {}),
    },
    include: { database: { select: { rtoCorruptionMinutes: true } } },
  });
  const started: StartedScheduledTest[] = [];
  for (const p of plans) {
    let dueAt: Date | null;
    try {
      dueAt = latestDueSince(p.cron ?? "", p.lastDueAt ?? p.createdAt, now);
    } catch (e) {
      console.error(`[lifeboat] test plan ${p.id} has a schedule croner refuses:`, e);
      continue;
    }
    if (!dueAt) continue;
    const { count } = await db.testPlan.updateMany({
      where: { id: p.id, lastDueAt: p.lastDueAt },
      data: { lastDueAt: dueAt },
    });
    if (count !== 1) continue; // another instance took this due time
    const entry: StartedScheduledTest = {
      planId: p.id,
      databaseId: p.databaseId,
      dueAt,
      runId: null,
      error: null,
      done: Promise.resolve(),
    };
    try {
      const r = await startMonthlyTest(
        { databaseId: p.databaseId, trigger: "schedule", requestedBy: "test plan schedule", dueAt, now },
        testPlanActor(p.id),
      );
      entry.runId = r.runId;
      entry.done = r.done;
    } catch (e) {
      // A refused scheduled test is a month without a test: it gets a failed record saying why
      // (a test refused by hand is only refused to whoever asked).
      entry.error = e instanceof Error ? e.message : String(e);
      if (!/already running/.test(entry.error)) {
        const findings: Finding[] = [
          { step: "creation", severity: "error", text: `The scheduled test did not start: ${entry.error}` },
        ];
        await db.backupTest.create({
          data: {
            databaseId: p.databaseId,
            month: testMonth(dueAt),
            status: "failed",
            startedAt: now,
            finishedAt: now,
            rtoMinutes: p.database.rtoCorruptionMinutes,
            findings: JSON.stringify(findings),
            createdBy: "test plan schedule",
          },
        });
      }
      console.error(`[lifeboat] the scheduled monthly test of plan ${p.id} did not start: ${entry.error}`);
    }
    started.push(entry);
  }
  return started;
}

/** Records still "running" whose run ended (or was interrupted) without writing the record. */
export async function closeEndedTests(opts: { databaseIds?: string[] } = {}): Promise<string[]> {
  const open = await db.backupTest.findMany({
    where: {
      status: "running",
      runId: { not: null },
      ...(opts.databaseIds ? { databaseId: { in: opts.databaseIds } } : {}),
    },
    select: { runId: true },
  });
  const closed: string[] = [];
  for (const t of open) {
    const run = await db.run.findUnique({ where: { id: t.runId! }, select: { status: true, finishedAt: true } });
    const ended: RunStatus[] = ["failed", "cancelled", "succeeded", "interrupted"];
    if (!run || !(ended as string[]).includes(run.status)) continue;
    // The process that executed the run closes its record right after it ends: leave it that moment.
    if (run.status !== "interrupted" && run.finishedAt && Date.now() - run.finishedAt.getTime() < CLOSE_AFTER_MS)
      continue;
    try {
      await finishTestRecord(t.runId!);
      closed.push(t.runId!);
    } catch (e) {
      console.error(`[lifeboat] the record of monthly test run ${t.runId} could not be closed:`, e);
    }
  }
  return closed;
}

/** Drops kept scratch databases whose time is up; a failure is retried at the next tick. */
export async function sweepTestScratch(now: Date = new Date()): Promise<string[]> {
  const due = await db.backupTest.findMany({
    where: { scratchKeepUntil: { lte: now }, scratchDroppedAt: null, scratchDatabase: { not: null } },
    select: { id: true, findings: true },
  });
  const dropped: string[] = [];
  for (const t of due) {
    const finding = await dropTestScratch(t.id);
    if (finding.severity === "info") dropped.push(t.id);
    // Appended to the record's findings only when it says something new (a retry repeats itself).
    const findings = parseStoredJson(t.findings, findingsSchema, "monthly test's findings (BackupTest.findings)");
    if (!findings.some((f) => f.text === finding.text))
      await db.backupTest.update({
        where: { id: t.id },
        data: { findings: JSON.stringify([...findings, finding]) },
      });
  }
  return dropped;
}

let timer: NodeJS.Timeout | undefined;

/** Started once per console process (lib/startup.ts), after run recovery. */
export function startMonthlyTestScheduler(): void {
  if (timer) return;
  const tick = () =>
    void (async () => {
      await closeEndedTests();
      await sweepTestScratch();
      await runDueTestPlans();
    })().catch((e: unknown) => console.error("[lifeboat] the monthly test scheduler failed:", e));
  tick();
  timer = setInterval(tick, TEST_TICK_MS);
  timer.unref();
}
