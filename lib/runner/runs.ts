import "server-only";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { INSTANCE_ID, leaseUntil } from "@/lib/runner/config";
import { isExecutingHere } from "@/lib/runner/lease";
import { releaseDatabaseLock, takeDatabaseLock, withLockRetry, type Tx } from "@/lib/runner/lock";
import { localExecution, startExecution, type ResolvePlan } from "@/lib/runner/execute";
import { runChanged } from "@/lib/runner/events";
import { planProblems, serializePlan } from "@/lib/runner/plan";
import {
  canCancelRun,
  canResumeRun,
  storedRunStatus,
  storedStepStatus,
  type LogStream,
  type RunStatus,
  type StepStatus,
} from "@/lib/runner/states";
import type { Plan } from "@/lib/runner/types";

// The runner's mutations. Server-side only and without authorization: the commands in
// lib/restores/commands.ts check the role (and the approver rule for production) first. Each
// one records its audit event (the command only names it) and a line in the run's log.

/** Who acts: a SessionUser fits. The e-mail is what runs record (createdBy, confirmedBy, holder…). */
export type RunActor = { id: string; email: string };

const MAX_NOTE = 2_000;

async function logLine(runId: string, stepIndex: number | null, text: string, stream: LogStream = "info") {
  await db.runLog.create({ data: { runId, stepIndex, at: new Date(), stream, text } });
}

/** Persists a planned Run (nothing runs until confirmAndStart). */
export async function createRun(input: {
  plan: Plan;
  scenarioId: string;
  databaseId: string;
  backupId: string | null;
  options: unknown;
  createdBy: RunActor;
}): Promise<{ runId: string; planHash: string }> {
  const { plan } = input;
  const problems = planProblems(plan);
  if (input.scenarioId !== plan.scenarioId)
    problems.push(`the plan is for scenario ${plan.scenarioId}, not ${input.scenarioId}`);
  // A plan builder's bug, not the operator's: a generic error.
  if (problems.length) throw new Error(`createRun: the plan cannot run: ${problems.join("; ")}`);
  const { json, hash } = serializePlan(plan);
  const run = await db.run.create({
    data: {
      scenarioId: input.scenarioId,
      scenarioVersion: plan.scenarioVersion,
      databaseId: input.databaseId,
      backupId: input.backupId,
      status: "planned" satisfies RunStatus,
      plan: json,
      planHash: hash,
      options: JSON.stringify(input.options ?? {}),
      createdBy: input.createdBy.email,
      steps: {
        create: plan.steps.map((s, index) => ({
          index,
          key: s.key,
          title: s.title,
          kind: s.kind,
          command: s.command ? JSON.stringify(s.command) : null,
        })),
      },
    },
    select: { id: true },
  });
  await recordAudit(input.createdBy, {
    action: "run.plan",
    targetType: "run",
    targetId: run.id,
    detail: { scenarioId: input.scenarioId, databaseId: input.databaseId, backupId: input.backupId, planHash: hash },
  });
  return { runId: run.id, planHash: hash };
}

/**
 * The typed confirmation: checks the typed name and the plan's hash, takes the target
 * database (one active run per database), queues the run and starts executing it in this
 * process. Returns at once; `done` resolves when this process stops executing it (tests).
 */
export async function confirmAndStart(input: {
  runId: string;
  typedName: string;
  expectedName: string;
  planHash: string;
  actor: RunActor;
  resolvePlan: ResolvePlan;
}): Promise<{ runId: string; done: Promise<void> }> {
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: { id: true, status: true, planHash: true, databaseId: true, scenarioId: true },
  });
  if (!run) throw new NotFoundError("The run");
  const typed = input.typedName.trim();
  const expected = input.expectedName.trim();
  if (typed !== expected) {
    throw new UserError(
      typed === ""
        ? `Type the target database's name, "${expected}", to confirm. Nothing was started.`
        : `You typed "${typed}", but this run's target is "${expected}": type "${expected}" exactly to confirm. Nothing was started.`,
    );
  }
  if (storedRunStatus(run.status) !== "planned")
    throw new UserError(
      `This run was already confirmed (it is ${run.status}). Open it to follow it, or start a new run.`,
      409,
    );
  if (input.planHash !== run.planHash)
    throw new UserError("The plan changed since it was shown: review it again.", 409);

  const holder = input.actor.email;
  const outcome = await withLockRetry(async (tx) => {
    const lock = await takeDatabaseLock(tx, run, holder);
    if (!lock.ok) return lock;
    const now = new Date();
    const { count } = await tx.run.updateMany({
      where: { id: run.id, status: "planned" satisfies RunStatus, planHash: input.planHash },
      data: {
        status: "queued" satisfies RunStatus,
        confirmedBy: holder,
        confirmedAt: now,
        leaseOwner: INSTANCE_ID,
        leaseExpiresAt: leaseUntil(now.getTime()),
        cancelRequested: false,
      },
    });
    if (count !== 1)
      throw new UserError("This run was confirmed or changed by someone else a moment ago. Reload the page.", 409);
    return lock;
  });
  if (!outcome.ok) throw new UserError(`${outcome.message} Nothing was started.`, 409);

  await logLine(
    run.id,
    null,
    `Confirmed by ${holder}, who typed the target's name "${typed}"; plan ${input.planHash.slice(0, 12)}.`,
  );
  await recordAudit(input.actor, {
    action: "run.confirm",
    targetType: "run",
    targetId: run.id,
    detail: { scenarioId: run.scenarioId, databaseId: run.databaseId, planHash: input.planHash },
  });
  return { runId: run.id, done: startExecution(run.id, input.resolvePlan).done };
}

/**
 * Starts a planned run that needs no typed confirmation (a backup reads the database, it changes
 * nothing): takes the database (one active run per database), queues the run and starts
 * executing it in this process. `why` is the first line of its log (who or what started it).
 */
export async function startWithoutConfirmation(input: {
  runId: string;
  actor: RunActor;
  why: string;
  resolvePlan: ResolvePlan;
  /**
   * false: the run does not take the database (one that only reads its backups and writes
   * elsewhere, like a monthly test, must not block a restore of it). Default true.
   */
  takesDatabase?: boolean;
}): Promise<{ runId: string; done: Promise<void> }> {
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: { id: true, status: true, planHash: true, databaseId: true },
  });
  if (!run) throw new NotFoundError("The run");
  if (storedRunStatus(run.status) !== "planned")
    throw new UserError(`This run was already started (it is ${run.status}).`, 409);
  const holder = input.actor.email;
  const outcome = await withLockRetry(async (tx) => {
    const lock = input.takesDatabase === false ? { ok: true as const } : await takeDatabaseLock(tx, run, holder);
    if (!lock.ok) return lock;
    const now = new Date();
    const { count } = await tx.run.updateMany({
      where: { id: run.id, status: "planned" satisfies RunStatus },
      data: {
        status: "queued" satisfies RunStatus,
        confirmedBy: holder,
        confirmedAt: now,
        leaseOwner: INSTANCE_ID,
        leaseExpiresAt: leaseUntil(now.getTime()),
        cancelRequested: false,
      },
    });
    if (count !== 1) throw new UserError("This run was started or changed by someone else a moment ago.", 409);
    return lock;
  });
  if (!outcome.ok) throw new UserError(`${outcome.message} Nothing was started.`, 409);
  await logLine(run.id, null, input.why);
  await recordAudit(input.actor, {
    action: "run.start",
    targetType: "run",
    targetId: run.id,
    detail: { databaseId: run.databaseId, planHash: run.planHash },
  });
  return { runId: run.id, done: startExecution(run.id, input.resolvePlan).done };
}

/** An operator's tick on the manual or confirmation step the run is waiting for. */
export async function completeManualStep(input: {
  runId: string;
  stepIndex: number;
  note?: string | null;
  actor: RunActor;
  /**
   * A further check made inside the transaction that completes the step (the two-person rule
   * uses its approval there, so a refused or raced tick writes nothing). Throws to refuse.
   */
  guard?: (tx: Tx) => Promise<void>;
}): Promise<{ runId: string; stepIndex: number }> {
  const note = input.note?.trim() ? input.note.trim().slice(0, MAX_NOTE) : null;
  const by = input.actor.email;
  const error = await db.$transaction(async (tx) => {
    const run = await tx.run.findUnique({ where: { id: input.runId }, select: { status: true } });
    if (!run) return new NotFoundError("The run");
    const step = await tx.runStep.findUnique({
      where: { runId_index: { runId: input.runId, index: input.stepIndex } },
      select: { id: true, title: true, status: true },
    });
    if (!step) return new UserError(`This run has no step ${input.stepIndex + 1}.`, 404);
    if (storedStepStatus(step.status) !== "waiting" || storedRunStatus(run.status) !== "waiting") {
      return new UserError(
        `Step ${input.stepIndex + 1} (${step.title}) is not waiting for an operator: it is ${step.status}, and the run is ${run.status}. Reload the page.`,
        409,
      );
    }
    if (input.guard) await input.guard(tx);
    const { count } = await tx.runStep.updateMany({
      where: { id: step.id, status: "waiting" satisfies StepStatus },
      data: { status: "succeeded" satisfies StepStatus, finishedAt: new Date(), completedBy: by, note },
    });
    if (count !== 1) return new UserError("Someone completed this step a moment ago. Reload the page.", 409);
    await tx.run.updateMany({
      where: { id: input.runId, status: "waiting" satisfies RunStatus },
      data: { status: "running" satisfies RunStatus },
    });
    return null;
  });
  if (error) throw error;
  await logLine(
    input.runId,
    input.stepIndex,
    `Step ${input.stepIndex + 1} completed by ${by}${note ? `: ${note}` : "."}`,
  );
  await recordAudit(input.actor, {
    action: "run.step.complete",
    targetType: "run",
    targetId: input.runId,
    detail: { stepIndex: input.stepIndex, note },
  });
  localExecution(input.runId)?.wake();
  runChanged(input.runId);
  return { runId: input.runId, stepIndex: input.stepIndex };
}

/**
 * Cancels between steps: an executing run stops before its next step (the running step's
 * signal is aborted so that a long step can stop early). A run nobody executes (planned,
 * interrupted, failed, or whose instance died) is cancelled at once and its database released.
 * Cancelling a failed run gives up resuming it, so what it left behind can be cleaned up.
 */
export async function cancelRun(input: {
  runId: string;
  actor: RunActor;
}): Promise<{ runId: string; status: "cancelled" | "cancelling" }> {
  const by = input.actor.email;
  const result = await db.$transaction(async (tx) => {
    const run = await tx.run.findUnique({
      where: { id: input.runId },
      select: { status: true, leaseOwner: true, leaseExpiresAt: true },
    });
    if (!run) return new NotFoundError("The run");
    const status = storedRunStatus(run.status);
    if (!canCancelRun(status)) {
      return new UserError(`This run has already ended (${status}); there is nothing to cancel.`, 409);
    }
    const now = new Date();
    const executed = status !== "planned" && status !== "interrupted" && status !== "failed";
    const leaseAlive = run.leaseOwner !== null && run.leaseExpiresAt !== null && run.leaseExpiresAt > now;
    if (executed && (leaseAlive || isExecutingHere(input.runId))) {
      await tx.run.update({ where: { id: input.runId }, data: { cancelRequested: true } });
      return "cancelling" as const;
    }
    // Conditional on what was read, so a run claimed meanwhile is not cancelled under its executor.
    const { count } = await tx.run.updateMany({
      where: { id: input.runId, status: run.status, leaseOwner: run.leaseOwner, leaseExpiresAt: run.leaseExpiresAt },
      data: {
        status: "cancelled" satisfies RunStatus,
        cancelRequested: true,
        finishedAt: now,
        verdict: `Cancelled by ${by} while ${status}.`,
        leaseOwner: null,
        leaseExpiresAt: null,
      },
    });
    if (count !== 1)
      return new UserError("The run changed a moment ago. Reload the page and cancel again if needed.", 409);
    await tx.runStep.updateMany({
      where: { runId: input.runId, status: "running" satisfies StepStatus },
      data: { status: "interrupted" satisfies StepStatus, finishedAt: now },
    });
    await tx.runStep.updateMany({
      where: { runId: input.runId, status: { in: ["pending", "waiting", "interrupted"] satisfies StepStatus[] } },
      data: { status: "skipped" satisfies StepStatus },
    });
    await releaseDatabaseLock(tx, input.runId);
    return "cancelled" as const;
  });
  if (result instanceof Error) throw result;
  await logLine(
    input.runId,
    null,
    result === "cancelled" ? `Cancelled by ${by}.` : `Cancel requested by ${by}: the run stops before its next step.`,
  );
  await recordAudit(input.actor, {
    action: "run.cancel",
    targetType: "run",
    targetId: input.runId,
    detail: { outcome: result },
  });
  if (result === "cancelling") localExecution(input.runId)?.requestCancel();
  else runChanged(input.runId);
  return { runId: input.runId, status: result };
}

/**
 * Resumes an interrupted or failed run from its first step that has not succeeded (that step
 * runs again from its start; earlier steps do not). Keeps the database, or takes it again
 * when a failure released it and nobody else holds it now.
 */
export async function resumeRun(input: {
  runId: string;
  actor: RunActor;
  resolvePlan: ResolvePlan;
}): Promise<{ runId: string; fromStep: number; done: Promise<void> }> {
  const by = input.actor.email;
  const outcome = await withLockRetry(async (tx) => {
    const run = await tx.run.findUnique({
      where: { id: input.runId },
      select: { id: true, status: true, databaseId: true },
    });
    if (!run) return new NotFoundError("The run");
    if (!canResumeRun(storedRunStatus(run.status))) {
      return new UserError(`Only an interrupted or failed run can be resumed; this one is ${run.status}.`, 409);
    }
    const lock = await takeDatabaseLock(tx, run, by);
    if (!lock.ok) return new UserError(`${lock.message} The run was not resumed.`, 409);
    const first = await tx.runStep.findFirst({
      where: { runId: run.id, status: { not: "succeeded" satisfies StepStatus } },
      orderBy: { index: "asc" },
      select: { index: true },
    });
    const fromStep = first?.index ?? null;
    if (fromStep !== null) {
      await tx.runStep.updateMany({
        where: { runId: run.id, index: { gte: fromStep }, status: { not: "succeeded" satisfies StepStatus } },
        data: {
          status: "pending" satisfies StepStatus,
          startedAt: null,
          finishedAt: null,
          error: null,
          note: null,
          result: null,
          bytesDone: null,
          bytesTotal: null,
          completedBy: null,
        },
      });
    }
    const now = new Date();
    const { count } = await tx.run.updateMany({
      where: { id: run.id, status: run.status },
      data: {
        status: "queued" satisfies RunStatus,
        finishedAt: null,
        verdict: null,
        cancelRequested: false,
        leaseOwner: INSTANCE_ID,
        leaseExpiresAt: leaseUntil(now.getTime()),
      },
    });
    if (count !== 1) return new UserError("The run changed a moment ago. Reload the page.", 409);
    return { fromStep: fromStep ?? 0, previous: run.status };
  });
  if (outcome instanceof Error) throw outcome;
  await logLine(
    input.runId,
    outcome.fromStep,
    `Resumed by ${by} (the run was ${outcome.previous}); continuing from step ${outcome.fromStep + 1}, which runs again from its start.`,
  );
  await recordAudit(input.actor, {
    action: "run.resume",
    targetType: "run",
    targetId: input.runId,
    detail: { fromStep: outcome.fromStep, previous: outcome.previous },
  });
  return { runId: input.runId, fromStep: outcome.fromStep, done: startExecution(input.runId, input.resolvePlan).done };
}
