import "server-only";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { timings } from "@/lib/runner/config";
import { claimRun, markExecuting, renewLease, unmarkExecuting, whileLeased } from "@/lib/runner/lease";
import { releaseDatabaseLock, type Tx } from "@/lib/runner/lock";
import { firstDifferentStep, parseStoredPlan, planProblems, type StoredPlan } from "@/lib/runner/plan";
import { z } from "zod";
import { parseStoredJson, parseStoredJsonOrNull } from "@/lib/stored-json";
import { storedStepKind, storedStepStatus, type LogStream, type RunStatus, type StepStatus } from "@/lib/runner/states";
import type { Plan, PlannedStep, StepContext } from "@/lib/runner/types";
import { runChanged } from "@/lib/runner/events";
import { wakeRunWatchers } from "@/lib/runner/live";

// Executes one Run in this process, outside any request: steps in order, each transition,
// log batch and progress figure persisted. The plan's run() functions come from resolvePlan
// (functions cannot be stored); what executes must be the plan that was confirmed.

/** What resolvePlan receives to rebuild the Plan with its run() functions. */
export type RunForPlan = {
  id: string;
  scenarioId: string;
  scenarioVersion: number;
  databaseId: string;
  backupId: string | null;
  options: unknown;
  /** The plan as confirmed (steps without functions, and the summary shown with it). */
  plan: StoredPlan;
  createdBy: string;
};

export type ResolvePlan = (run: RunForPlan) => Promise<Plan>;

type LogLine = { runId: string; stepIndex: number | null; at: Date; stream: LogStream; text: string };

const MAX_LOG_TEXT = 64 * 1024;
const FLUSH_AT_LINES = 500;

/** Live executions in this process, so that a cancel or a manual step's completion reaches them at once. */
const executions = new Map<string, Execution>();

export function localExecution(runId: string): { requestCancel: () => void; wake: () => void } | null {
  const e = executions.get(runId);
  return e ? { requestCancel: () => e.requestCancel(), wake: () => e.wake() } : null;
}

/** Resolves when every execution in this process has stopped (tests; orderly shutdown). */
export async function drainExecutions(): Promise<void> {
  await Promise.all([...executions.values()].map((e) => e.done));
}

/**
 * Starts executing a queued run in the background and returns at once. `done` resolves when
 * this process stops executing it (never rejects: failures are recorded on the run).
 */
export function startExecution(runId: string, resolvePlan: ResolvePlan): { done: Promise<void> } {
  if (!markExecuting(runId)) return { done: executions.get(runId)?.done ?? Promise.resolve() };
  const execution = new Execution(runId, resolvePlan);
  executions.set(runId, execution);
  execution.done = execution
    .execute()
    .catch((e: unknown) => execution.crashed(e))
    .finally(() => {
      execution.stopTimers();
      executions.delete(runId);
      unmarkExecuting(runId);
    });
  return { done: execution.done };
}

/** The reason shown for a thrown error: a UserError's message; anything else is logged, not shown. */
export function reasonOf(e: unknown): string {
  if (e instanceof UserError) return e.message;
  if (e instanceof Error && e.name === "AbortError")
    return "The step stopped because it was asked to (the run was cancelled or the console is stopping).";
  console.error("[lifeboat] a run step failed unexpectedly:", e);
  return "The step failed unexpectedly; the details are in the server log.";
}

function verdictOf(result: unknown): string | null {
  if (result !== null && typeof result === "object" && "verdict" in result) {
    const v = (result as { verdict: unknown }).verdict;
    if (typeof v === "string" && v.trim()) return v;
  }
  return null;
}

class LeaseLost extends Error {}

class Execution {
  done: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private lost = false;
  private cancelRequested = false;
  private logs: LogLine[] = [];
  private writes: Promise<unknown> = Promise.resolve();
  private renewTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | null = null;
  private progress: {
    stepId: string;
    done: number;
    total: number | null;
    written: boolean;
    lastWriteAt: number;
  } | null = null;

  constructor(
    private readonly runId: string,
    private readonly resolvePlan: ResolvePlan,
  ) {}

  requestCancel() {
    this.cancelRequested = true;
    this.abort.abort(new DOMException("The run was cancelled.", "AbortError"));
    this.wake();
  }

  wake() {
    this.wakeUp?.();
  }

  stopTimers() {
    clearInterval(this.renewTimer);
    clearInterval(this.flushTimer);
    clearTimeout(this.progressTimer);
  }

  async execute(): Promise<void> {
    if (!(await claimRun(this.runId))) return;
    const t = timings();
    this.renewTimer = setInterval(() => void this.renew(), t.renewMs);
    this.flushTimer = setInterval(() => void this.flushLogs(), t.logFlushMs);
    try {
      await this.steps();
    } catch (e) {
      if (!(e instanceof LeaseLost)) throw e;
      this.lost = true;
      console.error(
        `[lifeboat] run ${this.runId}: this instance lost its lease (another instance marked the run interrupted); stopped executing it.`,
      );
    } finally {
      await this.flushLogs();
    }
  }

  /** The runner itself broke (its own database writes failed): the run must not look alive or succeeded. */
  async crashed(e: unknown) {
    console.error(`[lifeboat] run ${this.runId}: the runner stopped unexpectedly:`, e);
    if (this.lost) return;
    try {
      const now = new Date();
      await this.leased(async (tx) => {
        await tx.runStep.updateMany({
          where: { runId: this.runId, status: { in: ["running", "waiting"] satisfies StepStatus[] } },
          data: {
            status: "interrupted" satisfies StepStatus,
            finishedAt: now,
            note: "The runner stopped during this step because of an internal error (see the server log). Resume the run to re-run this step.",
          },
        });
        await tx.run.update({
          where: { id: this.runId },
          data: { status: "interrupted" satisfies RunStatus, finishedAt: now, leaseOwner: null, leaseExpiresAt: null },
        });
      });
    } catch (again) {
      // The lease then expires and recovery marks the run interrupted.
      console.error(`[lifeboat] run ${this.runId}: could not record the interruption:`, again);
    }
  }

  private async renew() {
    try {
      if (!(await renewLease(this.runId))) {
        this.lost = true;
        this.abort.abort(new DOMException("This console no longer owns the run.", "AbortError"));
        this.wake();
        return;
      }
      // A cancel requested through another instance reaches a long step here.
      const run = await db.run.findUnique({ where: { id: this.runId }, select: { cancelRequested: true } });
      if (run?.cancelRequested && !this.cancelRequested) this.requestCancel();
    } catch (e) {
      console.error(`[lifeboat] run ${this.runId}: lease renewal failed:`, e);
    }
  }

  /** Queued behind earlier writes so that log ids and progress keep their order. */
  private enqueue<T>(write: () => Promise<T>): Promise<T> {
    const next = this.writes.then(write);
    this.writes = next.catch((e: unknown) =>
      console.error(`[lifeboat] run ${this.runId}: a log or progress write failed:`, e),
    );
    return next;
  }

  private flushLogs(): Promise<void> {
    if (this.logs.length === 0) return this.writes.then(() => undefined);
    const batch = this.logs;
    this.logs = [];
    return this.enqueue(async () => {
      await db.runLog.createMany({ data: batch });
      wakeRunWatchers(this.runId);
    }).catch(() => undefined);
  }

  private log(stepIndex: number | null, text: string, stream: LogStream = "info") {
    const clipped =
      text.length > MAX_LOG_TEXT
        ? `${text.slice(0, MAX_LOG_TEXT)}… (${text.length - MAX_LOG_TEXT} more characters not kept)`
        : text;
    this.logs.push({ runId: this.runId, stepIndex, at: new Date(), stream, text: clipped });
    if (this.logs.length >= FLUSH_AT_LINES) void this.flushLogs();
  }

  private reportProgress(stepId: string, done: number, total: number | null) {
    if (!Number.isFinite(done) || done < 0 || (total !== null && (!Number.isFinite(total) || total < 0))) return;
    const p = (this.progress = {
      stepId,
      done,
      total,
      written: false,
      lastWriteAt: this.progress?.stepId === stepId ? this.progress.lastWriteAt : 0,
    });
    if (this.progressTimer) return;
    const wait = p.lastWriteAt + timings().progressMs - Date.now();
    if (wait <= 0) void this.writeProgress();
    else this.progressTimer = setTimeout(() => void this.writeProgress(), wait);
  }

  private writeProgress(): Promise<void> {
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    const p = this.progress;
    if (!p || p.written) return this.writes.then(() => undefined);
    p.written = true;
    p.lastWriteAt = Date.now();
    const data = {
      bytesDone: BigInt(Math.round(p.done)),
      bytesTotal: p.total === null ? null : BigInt(Math.round(p.total)),
    };
    return this.enqueue(async () => {
      await db.runStep.update({ where: { id: p.stepId }, data });
    }).catch(() => undefined);
  }

  /** A transition, written only while this instance owns the run. */
  private async leased(write: (tx: Tx) => Promise<void>) {
    if (this.lost || !(await whileLeased(this.runId, write))) throw new LeaseLost();
    wakeRunWatchers(this.runId);
  }

  /** Work a step started for a later one (a download alongside the preflight) stops with the run. */
  private endWorkAhead() {
    if (!this.abort.signal.aborted) this.abort.abort(new DOMException("The run ended.", "AbortError"));
  }

  private async fail(verdict: string, stepIndex: number | null) {
    this.endWorkAhead();
    this.log(stepIndex, verdict, "error");
    await this.flushLogs();
    await this.leased(async (tx) => {
      await tx.run.update({
        where: { id: this.runId },
        data: {
          status: "failed" satisfies RunStatus,
          finishedAt: new Date(),
          verdict,
          leaseOwner: null,
          leaseExpiresAt: null,
        },
      });
      await releaseDatabaseLock(tx, this.runId);
    });
    runChanged(this.runId);
  }

  /** Every step before fromIndex has succeeded (steps run in order and the run stops at the first failure). */
  private async cancelled(fromIndex: number, total: number, title: string, during: boolean) {
    this.endWorkAhead();
    const verdict = `Cancelled ${during ? "during" : "before"} step ${fromIndex + 1} of ${total} (${title}); ${fromIndex} step${fromIndex === 1 ? "" : "s"} had succeeded.`;
    this.log(fromIndex, verdict, "info");
    await this.flushLogs();
    await this.leased(async (tx) => {
      await tx.runStep.updateMany({
        where: {
          runId: this.runId,
          index: { gte: fromIndex },
          status: { in: ["pending", "waiting", "interrupted"] satisfies StepStatus[] },
        },
        data: { status: "skipped" satisfies StepStatus, finishedAt: new Date() },
      });
      await tx.run.update({
        where: { id: this.runId },
        data: {
          status: "cancelled" satisfies RunStatus,
          finishedAt: new Date(),
          verdict,
          leaseOwner: null,
          leaseExpiresAt: null,
        },
      });
      await releaseDatabaseLock(tx, this.runId);
    });
    runChanged(this.runId);
  }

  private async isCancelRequested(): Promise<boolean> {
    if (this.cancelRequested) return true;
    const run = await db.run.findUnique({ where: { id: this.runId }, select: { cancelRequested: true } });
    if (run?.cancelRequested) this.cancelRequested = true;
    return this.cancelRequested;
  }

  private async steps() {
    const run = await db.run.findUniqueOrThrow({ where: { id: this.runId } });
    const rows = await db.runStep.findMany({ where: { runId: this.runId }, orderBy: { index: "asc" } });

    let plan: Plan;
    let confirmed: StoredPlan;
    const results: Record<string, unknown> = {};
    let succeeded = 0;
    try {
      confirmed = parseStoredPlan(run.plan);
      for (const row of rows) {
        if (storedStepStatus(row.status) !== "succeeded") continue;
        succeeded++;
        // Manual steps store no result: later steps see who completed them and the note.
        if (storedStepKind(row.kind) !== "automatic")
          results[row.key] = { note: row.note, completedBy: row.completedBy };
        else
          results[row.key] = parseStoredJsonOrNull(
            row.result,
            z.unknown(),
            `result of step ${row.index + 1} (RunStep.result)`,
          );
      }
      plan = await this.resolvePlan({
        id: run.id,
        scenarioId: run.scenarioId,
        scenarioVersion: run.scenarioVersion,
        databaseId: run.databaseId,
        backupId: run.backupId,
        // Its producer (the domain that created the run) parses it with its own schema in resolvePlan.
        options: parseStoredJson(run.options, z.unknown(), "run's options (Run.options)"),
        plan: confirmed,
        createdBy: run.createdBy,
      });
    } catch (e) {
      return this.fail(
        `The plan could not be prepared, so nothing${succeeded > 0 ? " more" : ""} was run: ${reasonOf(e)}`,
        null,
      );
    }
    const problems = planProblems(plan);
    if (problems.length) {
      console.error(`[lifeboat] run ${this.runId}: the resolved plan cannot run:`, problems);
      return this.fail(`The plan cannot run (${problems.join("; ")}), so nothing was run.`, null);
    }
    const diff = firstDifferentStep(confirmed, plan);
    if (diff)
      return this.fail(
        `The plan changed since it was confirmed (${diff.reason}), so nothing was run. Start a new run and review its plan.`,
        null,
      );

    const total = plan.steps.length;
    if (succeeded > 0)
      this.log(
        null,
        `Continuing from the first step that has not succeeded; ${succeeded} earlier step${succeeded === 1 ? "" : "s"} will not run again.`,
      );

    for (const [index, step] of plan.steps.entries()) {
      const row = rows[index];
      if (!row || row.index !== index) throw new Error(`run ${this.runId} has no stored step ${index}`);
      if (storedStepStatus(row.status) === "succeeded") continue;
      if (await this.isCancelRequested()) return this.cancelled(index, total, step.title, false);

      if (step.kind === "automatic") {
        if (!(await this.automatic(row.id, index, total, step, results))) return;
      } else {
        const outcome = await this.waitForOperator(row.id, index, total, step.title);
        if (outcome === "cancelled") return this.cancelled(index, total, step.title, false);
        results[step.key] = outcome;
      }
    }

    const automaticVerdict = plan.steps
      .map((s) => (s.kind === "automatic" ? verdictOf(results[s.key]) : null))
      .filter((v): v is string => v !== null)
      .at(-1);
    const verdict = automaticVerdict ?? `All ${total} steps succeeded.`;
    this.log(null, `Run succeeded: ${verdict}`);
    await this.flushLogs();
    await this.leased(async (tx) => {
      await tx.run.update({
        where: { id: this.runId },
        data: {
          status: "succeeded" satisfies RunStatus,
          finishedAt: new Date(),
          verdict,
          leaseOwner: null,
          leaseExpiresAt: null,
        },
      });
      await releaseDatabaseLock(tx, this.runId);
    });
    runChanged(this.runId);
  }

  /** Runs one automatic step; false when the run stopped (failed or cancelled during it). */
  private async automatic(
    stepId: string,
    index: number,
    total: number,
    step: PlannedStep,
    results: Record<string, unknown>,
  ): Promise<boolean> {
    const { title, run } = step;
    if (!run) throw new Error(`step ${step.key} has no run()`); // planProblems() refused such a plan already
    await this.leased(async (tx) => {
      await tx.runStep.update({
        where: { id: stepId },
        data: {
          status: "running" satisfies StepStatus,
          startedAt: new Date(),
          finishedAt: null,
          error: null,
          note: null,
          result: null,
          bytesDone: null,
          bytesTotal: null,
        },
      });
      await tx.run.update({ where: { id: this.runId }, data: { status: "running" satisfies RunStatus } });
    });
    this.log(index, `Step ${index + 1} of ${total} started: ${title}`);
    this.progress = null;
    const ctx: StepContext = {
      runId: this.runId,
      stepIndex: index,
      log: (text, stream) => this.log(index, text, stream ?? "info"),
      progress: (done, totalSize) => this.reportProgress(stepId, done, totalSize),
      signal: this.abort.signal,
      results: { ...results },
    };

    let outcome: { ok: true; json: string } | { ok: false; error: string };
    try {
      const value = await run(ctx);
      try {
        outcome = { ok: true, json: JSON.stringify(value === undefined ? null : value) };
      } catch {
        outcome = {
          ok: false,
          error:
            "The step finished but returned a result that cannot be stored as JSON (a programming error in the plan).",
        };
      }
    } catch (e) {
      outcome = { ok: false, error: reasonOf(e) };
    }
    if (this.lost) throw new LeaseLost();
    await this.writeProgress();
    await this.flushLogs();

    const finishedAt = new Date();
    if (outcome.ok) {
      const json = outcome.json;
      await this.leased(async (tx) => {
        await tx.runStep.update({
          where: { id: stepId },
          data: { status: "succeeded" satisfies StepStatus, finishedAt, result: json },
        });
      });
      const stored: unknown = JSON.parse(json);
      results[step.key] = stored;
      this.log(index, `Step ${index + 1} succeeded: ${title}`);
      return true;
    }

    const error = outcome.error;
    const cancelled = this.cancelRequested;
    await this.leased(async (tx) => {
      await tx.runStep.update({
        where: { id: stepId },
        data: {
          status: "failed" satisfies StepStatus,
          finishedAt,
          error: cancelled ? `Stopped by the cancel: ${error}` : error,
        },
      });
    });
    if (cancelled) {
      await this.cancelled(index, total, title, true);
      return false;
    }
    await this.fail(`Step ${index + 1} (${title}) failed: ${error}`, index);
    return false;
  }

  /**
   * Puts a manual or confirmation step in "waiting" and waits until an operator completes it
   * (completeManualStep, in this or another instance) or the run is cancelled.
   */
  private async waitForOperator(
    stepId: string,
    index: number,
    total: number,
    title: string,
  ): Promise<{ note: string | null; completedBy: string | null } | "cancelled"> {
    const now = new Date();
    await this.leased(async (tx) => {
      await tx.runStep.update({
        where: { id: stepId },
        data: { status: "waiting" satisfies StepStatus, startedAt: now, finishedAt: null, error: null, note: null },
      });
      await tx.run.update({ where: { id: this.runId }, data: { status: "waiting" satisfies RunStatus } });
    });
    runChanged(this.runId);
    this.log(index, `Step ${index + 1} of ${total} waits for an operator: ${title}`);
    await this.flushLogs();
    for (;;) {
      const step = await db.runStep.findUniqueOrThrow({
        where: { id: stepId },
        select: { status: true, note: true, completedBy: true },
      });
      if (storedStepStatus(step.status) === "succeeded") return { note: step.note, completedBy: step.completedBy };
      if (await this.isCancelRequested()) return "cancelled";
      if (this.lost) throw new LeaseLost();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timings().waitPollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }
}
