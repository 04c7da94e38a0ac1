import "server-only";
import { db } from "@/lib/db";
import { onRunChanged } from "@/lib/runner/events";
import { cancelRun, resumeRun, type RunActor } from "@/lib/runner/runs";
import { latestDueSince } from "@/lib/schedules/cron";
import { storedCopyLocationIds } from "@/lib/schedules/schemas";
import { BACKUP_RUN_SCENARIO, backupRunFormatSchema } from "@/lib/backups/backup-run-kind";
import { reconcileBackupAlert, resolveBackupPlan, startBackupRun } from "@/lib/backups/backup-run";
import { storedState } from "@/lib/stored-json";
import type { RunStatus } from "@/lib/runner/states";
import { enforceRetentionAfterBackup } from "@/lib/retention/enforce";

// Runs each enabled schedule's backup when it comes due. One tick looks at every schedule: the
// latest due time since the one it last acted on starts one run (several due times missed while
// the console was down start one run, not one per missed time), and a run that starts more than
// LATE_AFTER_MS after its due time says it was late. lastDueAt is moved with a conditional
// update first, so two console instances never start the same due time twice.

export const TICK_MS = 30_000;
export const LATE_AFTER_MS = 2 * 60_000;
/** An interrupted backup run older than this is not resumed: the schedule takes a fresh one. */
export const RESUME_WITHIN_MS = 6 * 60 * 60_000;

/** What the scheduler records as the actor of the runs it starts. */
export function scheduleActor(scheduleId: string): RunActor {
  return { id: `schedule:${scheduleId}`, email: "schedule" };
}

export type StartedScheduledRun = {
  scheduleId: string;
  databaseId: string;
  dueAt: Date;
  lateByMs: number;
  runId: string | null;
  error: string | null;
  done: Promise<void>;
};

/** Starts the backup of every schedule that came due by `now` (tests pass their clock). */
export async function runDueSchedules(
  now: Date = new Date(),
  /** Tests look at their own databases' schedules only. */
  opts: { databaseIds?: string[] } = {},
): Promise<StartedScheduledRun[]> {
  const schedules = await db.backupSchedule.findMany({
    where: { enabled: true, ...(opts.databaseIds ? { databaseId: { in: opts.databaseIds } } : {}) },
  });
  const started: StartedScheduledRun[] = [];
  for (const s of schedules) {
    let dueAt: Date | null;
    try {
      dueAt = latestDueSince(s.cron, s.lastDueAt ?? s.createdAt, now);
    } catch (e) {
      console.error(`[lifeboat] schedule ${s.id} has an expression croner refuses:`, e);
      continue;
    }
    if (!dueAt) continue;
    const { count } = await db.backupSchedule.updateMany({
      where: { id: s.id, lastDueAt: s.lastDueAt },
      data: { lastDueAt: dueAt, lastRunAt: now },
    });
    if (count !== 1) continue; // another instance took this due time
    const late = now.getTime() - dueAt.getTime();
    const lateByMs = late > LATE_AFTER_MS ? late : 0;
    const entry: StartedScheduledRun = {
      scheduleId: s.id,
      databaseId: s.databaseId,
      dueAt,
      lateByMs,
      runId: null,
      error: null,
      done: Promise.resolve(),
    };
    try {
      const { runId, done } = await startBackupRun(
        {
          databaseId: s.databaseId,
          label: "daily",
          locationId: s.locationId,
          format: storedState(backupRunFormatSchema.options, s.format, "BackupSchedule.format"),
          copyLocationIds: storedCopyLocationIds(s.copyLocationIds),
          trigger: "schedule",
          requestedBy: "schedule",
          scheduleId: s.id,
          dueAt,
          lateByMs,
          now,
        },
        scheduleActor(s.id),
      );
      entry.runId = runId;
      entry.done = done.then(() => retentionAfter(runId, s.databaseId));
      await db.backupSchedule.update({ where: { id: s.id }, data: { lastRunId: runId } });
    } catch (e) {
      // The refusal is on the run (and alerted) when one was created; the log says the rest.
      entry.error = e instanceof Error ? e.message : String(e);
      const last = await db.run.findFirst({
        where: { databaseId: s.databaseId, scenarioId: BACKUP_RUN_SCENARIO },
        orderBy: { createdAt: "desc" },
        select: { id: true },
      });
      if (last) await db.backupSchedule.update({ where: { id: s.id }, data: { lastRunId: last.id } });
      console.error(`[lifeboat] the scheduled backup of schedule ${s.id} did not start: ${entry.error}`);
    }
    started.push(entry);
  }
  return started;
}

/** After a scheduled backup that succeeded, the database's retention runs (its own safety rules apply). */
async function retentionAfter(runId: string, databaseId: string): Promise<void> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { status: true } });
  if (run?.status !== ("succeeded" satisfies RunStatus)) return;
  // Never throws; a refusal raises its own alert.
  await enforceRetentionAfterBackup(databaseId);
}

/**
 * Resume policy of backup runs a stopped console left interrupted: resumed (each step is safe to
 * re-run; a partial upload is deleted first) unless older than RESUME_WITHIN_MS, then cancelled,
 * because the schedule's late run takes a fresh backup.
 */
export async function resumeInterruptedBackups(
  now: Date = new Date(),
  /** Tests look at their own databases' runs only. */
  opts: { databaseIds?: string[] } = {},
): Promise<{ resumed: string[]; cancelled: string[] }> {
  const runs = await db.run.findMany({
    where: {
      scenarioId: BACKUP_RUN_SCENARIO,
      status: "interrupted" satisfies RunStatus,
      ...(opts.databaseIds ? { databaseId: { in: opts.databaseIds } } : {}),
    },
    select: { id: true, finishedAt: true, createdAt: true },
  });
  const resumed: string[] = [];
  const cancelled: string[] = [];
  const actor: RunActor = { id: "scheduler", email: "scheduler" };
  for (const run of runs) {
    const since = (run.finishedAt ?? run.createdAt).getTime();
    try {
      if (now.getTime() - since > RESUME_WITHIN_MS) {
        await cancelRun({ runId: run.id, actor });
        cancelled.push(run.id);
      } else {
        const { done } = await resumeRun({ runId: run.id, actor, resolvePlan: resolveBackupPlan });
        void done.then(() => reconcileBackupAlert(run.id));
        resumed.push(run.id);
      }
    } catch (e) {
      console.error(`[lifeboat] the interrupted backup run ${run.id} could not be resumed or cancelled:`, e);
    }
  }
  return { resumed, cancelled };
}

let timer: NodeJS.Timeout | undefined;

/** Started once per console process (lib/startup.ts), after run recovery. */
export function startBackupScheduler(): void {
  if (timer) return;
  onRunChanged((runId) => reconcileBackupAlert(runId));
  const tick = () =>
    void (async () => {
      await resumeInterruptedBackups();
      await runDueSchedules();
    })().catch((e: unknown) => console.error("[lifeboat] the backup scheduler failed:", e));
  // At once: a due time missed while the console was down runs now, and says it is late.
  tick();
  timer = setInterval(tick, TICK_MS);
  timer.unref();
}
