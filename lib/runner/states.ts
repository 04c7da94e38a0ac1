import { z } from "zod";
import { storedState } from "@/lib/stored-json";

// The lifecycles of a Run and its steps, defined once. Plain TypeScript (no "server-only"):
// the runner, the queries, the API and the run page all import these, so a status cannot be
// spelled two ways. Every state has words as well as a tone, never a colour alone.

/** Colour families of components/ui Badge. */
export type StateTone = "good" | "warn" | "bad" | "neutral" | "info";
export type StateDisplay = { label: string; tone: StateTone; symbol: string; meaning: string };

// --- runs ---------------------------------------------------------------------------------------

export const RUN_STATUSES = [
  "planned",
  "queued",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "interrupted",
  "cancelled",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const runStatusSchema = z.enum(RUN_STATUSES);

/** An instance is executing the run (or is about to): it holds a lease. */
export const ACTIVE_RUN_STATUSES = ["queued", "running", "waiting"] as const satisfies readonly RunStatus[];
/** The run will not change again by itself or by an operator (no resume). */
export const FINAL_RUN_STATUSES = ["succeeded", "cancelled"] as const satisfies readonly RunStatus[];
/** The run stopped: finished, or stopped and waiting for a resume or a cancel. */
export const ENDED_RUN_STATUSES = ["succeeded", "failed", "cancelled"] as const satisfies readonly RunStatus[];
/** Stopped part-way; an operator resumes it or cancels it (and its leftovers are kept for the resume). */
export const RESUMABLE_RUN_STATUSES = ["interrupted", "failed"] as const satisfies readonly RunStatus[];

const has = <T extends string>(list: readonly T[], value: string): value is T =>
  (list as readonly string[]).includes(value);

export const isRunStatus = (s: string): s is RunStatus => has(RUN_STATUSES, s);
/** Queued, running or waiting for an operator. */
export const isActiveRun = (s: RunStatus): boolean => has(ACTIVE_RUN_STATUSES, s);
/** Succeeded, failed or cancelled: nothing executes, the database is released. */
export const isEndedRun = (s: RunStatus): boolean => has(ENDED_RUN_STATUSES, s);
/** Succeeded or cancelled: can never run again, so nothing it left behind is needed. */
export const isFinalRun = (s: RunStatus): boolean => has(FINAL_RUN_STATUSES, s);
export const canResumeRun = (s: RunStatus): boolean => has(RESUMABLE_RUN_STATUSES, s);
/** Everything but a final run can be cancelled (a failed run: "cancel and clean up"). */
export const canCancelRun = (s: RunStatus): boolean => !isFinalRun(s);
/** A run in these states no longer holds its target database (a lock row naming one is stale). */
export const releasesDatabase = (s: RunStatus): boolean => s === "planned" || isEndedRun(s);

export const RUN_STATUS_DISPLAY: Record<RunStatus, StateDisplay> = {
  planned: { label: "planned", tone: "neutral", symbol: "○", meaning: "Planned: nothing has run yet." },
  queued: { label: "queued", tone: "neutral", symbol: "…", meaning: "Confirmed; the runner is starting it." },
  running: { label: "running", tone: "info", symbol: "◌", meaning: "A step is running now." },
  waiting: {
    label: "waiting for you",
    tone: "warn",
    symbol: "⏸",
    meaning: "A manual or confirmation step waits for an operator's tick.",
  },
  succeeded: { label: "succeeded", tone: "good", symbol: "✓", meaning: "Every step succeeded." },
  failed: {
    label: "failed",
    tone: "bad",
    symbol: "✗",
    meaning: "A step failed; resume the run or cancel it to clean up.",
  },
  interrupted: {
    label: "interrupted",
    tone: "warn",
    symbol: "▲",
    meaning: "The console stopped during the run; resume it or cancel it.",
  },
  cancelled: { label: "cancelled", tone: "neutral", symbol: "■", meaning: "Cancelled by an operator." },
};

// --- steps --------------------------------------------------------------------------------------

export const STEP_STATUSES = [
  "pending",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "skipped",
  "interrupted",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const stepStatusSchema = z.enum(STEP_STATUSES);

export const isStepStatus = (s: string): s is StepStatus => has(STEP_STATUSES, s);
/** Running, or waiting for an operator: its time counts up. */
export const isActiveStep = (s: StepStatus): boolean => s === "running" || s === "waiting";

export const STEP_STATUS_DISPLAY: Record<StepStatus, StateDisplay> = {
  pending: { label: "not started", tone: "neutral", symbol: "○", meaning: "Runs after the steps before it." },
  running: { label: "running", tone: "info", symbol: "◌", meaning: "Running now." },
  waiting: { label: "waiting for you", tone: "warn", symbol: "⏸", meaning: "Waits for an operator's tick." },
  succeeded: { label: "done", tone: "good", symbol: "✓", meaning: "Succeeded." },
  failed: { label: "failed", tone: "bad", symbol: "✗", meaning: "Failed; the reason is shown with it." },
  skipped: { label: "skipped", tone: "neutral", symbol: "–", meaning: "Not run: the run was cancelled before it." },
  interrupted: {
    label: "interrupted",
    tone: "warn",
    symbol: "▲",
    meaning: "The console stopped during this step; a resume runs it again.",
  },
};

export const STEP_KINDS = ["automatic", "manual", "confirmation"] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export const stepKindSchema = z.enum(STEP_KINDS);
export const isStepKind = (s: string): s is StepKind => has(STEP_KINDS, s);

// --- logs ---------------------------------------------------------------------------------------

export const LOG_STREAMS = ["info", "stdout", "stderr", "error"] as const;
export type LogStream = (typeof LOG_STREAMS)[number];
export const logStreamSchema = z.enum(LOG_STREAMS);

// --- reading stored values ----------------------------------------------------------------------

export const storedRunStatus = (s: string): RunStatus => storedState(RUN_STATUSES, s, "run status");
export const storedStepStatus = (s: string): StepStatus => storedState(STEP_STATUSES, s, "step status");
export const storedStepKind = (s: string): StepKind => storedState(STEP_KINDS, s, "step kind");
export const storedLogStream = (s: string): LogStream => storedState(LOG_STREAMS, s, "log stream");
