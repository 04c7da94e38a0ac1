import "server-only";
import { db } from "@/lib/db";
import { INSTANCE_ID, leaseUntil, timings } from "@/lib/runner/config";
import { formatTime, type Tx } from "@/lib/runner/lock";
import { ACTIVE_RUN_STATUSES, type RunStatus, type StepStatus } from "@/lib/runner/states";

// Leases: the instance executing a run owns it (Run.leaseOwner) until Run.leaseExpiresAt and
// renews it every few seconds. Every transition the executor writes is conditional on still
// owning the lease, so two instances never execute the same step: a run is claimed with a
// conditional update, and an instance that lost its lease (it stalled, and another instance
// declared the run interrupted) stops writing.

/** Runs this process is executing now: never recovered by this process, whatever their lease says. */
const executingHere = new Set<string>();

export function markExecuting(runId: string): boolean {
  if (executingHere.has(runId)) return false;
  executingHere.add(runId);
  return true;
}

export function unmarkExecuting(runId: string): void {
  executingHere.delete(runId);
}

export function isExecutingHere(runId: string): boolean {
  return executingHere.has(runId);
}

/**
 * Claims a queued run for this instance: only when nobody holds a live lease on it (or this
 * instance queued it). Returns false when another instance got it first or it is no longer queued.
 */
export async function claimRun(runId: string): Promise<boolean> {
  const now = new Date();
  const { count } = await db.run.updateMany({
    where: {
      id: runId,
      status: "queued" satisfies RunStatus,
      OR: [
        { leaseOwner: null },
        { leaseOwner: INSTANCE_ID },
        { leaseExpiresAt: null },
        { leaseExpiresAt: { lt: now } },
      ],
    },
    data: { status: "running" satisfies RunStatus, leaseOwner: INSTANCE_ID, leaseExpiresAt: leaseUntil(now.getTime()) },
  });
  if (count === 1) await db.run.updateMany({ where: { id: runId, startedAt: null }, data: { startedAt: now } });
  return count === 1;
}

/** Renews the lease; false when this instance no longer owns the run. */
export async function renewLease(runId: string): Promise<boolean> {
  const { count } = await db.run.updateMany({
    where: { id: runId, leaseOwner: INSTANCE_ID },
    data: { leaseExpiresAt: leaseUntil() },
  });
  return count === 1;
}

/**
 * Writes a transition only while this instance owns the run (and renews the lease with it).
 * Returns false, having written nothing, when the lease was lost.
 */
export async function whileLeased(runId: string, write: (tx: Tx) => Promise<void>): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.run.updateMany({
      where: { id: runId, leaseOwner: INSTANCE_ID },
      data: { leaseExpiresAt: leaseUntil() },
    });
    if (count !== 1) return false;
    await write(tx);
    return true;
  });
}

/**
 * Marks interrupted every active run whose executing instance is gone (its lease expired or was
 * never taken): the run and its running or waiting step become "interrupted", never
 * "succeeded". The database stays locked until the run is resumed or cancelled.
 * Safe to call from several instances at once: each run is changed by one conditional update.
 */
export async function recoverInterruptedRuns(): Promise<{ interrupted: string[] }> {
  const now = new Date();
  const candidates = await db.run.findMany({
    where: {
      status: { in: [...ACTIVE_RUN_STATUSES] },
      OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }],
    },
    select: { id: true, status: true, leaseOwner: true, leaseExpiresAt: true },
  });
  const interrupted: string[] = [];
  for (const run of candidates) {
    if (executingHere.has(run.id)) continue;
    const changed = await db.$transaction(async (tx) => {
      // Conditional on the lease read above: a run renewed or claimed meanwhile is left alone.
      const { count } = await tx.run.updateMany({
        where: { id: run.id, status: run.status, leaseOwner: run.leaseOwner, leaseExpiresAt: run.leaseExpiresAt },
        data: { status: "interrupted" satisfies RunStatus, leaseOwner: null, leaseExpiresAt: null, finishedAt: now },
      });
      if (count !== 1) return false;
      const lost = run.leaseExpiresAt
        ? `its lease expired at ${formatTime(run.leaseExpiresAt)}`
        : "it never started executing";
      const steps = await tx.runStep.findMany({
        where: { runId: run.id, status: { in: ["running", "waiting"] satisfies StepStatus[] } },
        select: { id: true, index: true, title: true, status: true },
      });
      for (const step of steps) {
        const note =
          step.status === "running"
            ? `The console stopped during this step (${lost}). Resume the run to re-run this step from the start.`
            : `The console stopped while this step waited for an operator (${lost}). Resume the run to wait for it again.`;
        await tx.runStep.update({
          where: { id: step.id },
          data: { status: "interrupted" satisfies StepStatus, finishedAt: now, note },
        });
      }
      const where = steps[0] ? ` during step ${steps[0].index + 1} (${steps[0].title})` : "";
      await tx.runLog.create({
        data: {
          runId: run.id,
          stepIndex: steps[0]?.index ?? null,
          at: now,
          stream: "error",
          text: `The console executing this run stopped${where} (${lost}). The run is interrupted; the database stays reserved for it until it is resumed or cancelled.`,
        },
      });
      return true;
    });
    if (changed) interrupted.push(run.id);
  }
  return { interrupted };
}

let recoveryTimer: NodeJS.Timeout | undefined;

/**
 * Recovers now, then keeps looking: a console restarted within a lease's validity (or another
 * instance dying) leaves runs whose lease only expires later.
 */
export async function startRunRecovery(): Promise<void> {
  await recoverInterruptedRuns();
  if (recoveryTimer) return;
  recoveryTimer = setInterval(
    () => void recoverInterruptedRuns().catch((e) => console.error("[lifeboat] run recovery:", e)),
    timings().recoverEveryMs,
  );
  recoveryTimer.unref();
}
