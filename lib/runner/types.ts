// The contract between scenario plans (lib/restores/) and the runner (lib/runner/).
// A plan is an ordered list of steps; the runner executes them one at a time outside the
// request, persisting every transition, log line and progress figure (Run, RunStep, RunLog).

import type { LogStream, StepKind } from "@/lib/runner/states";

export type { StepKind } from "@/lib/runner/states";

/** What a step may use while it runs. Everything it reports is persisted by the runner. */
export type StepContext = {
  runId: string;
  stepIndex: number;
  /** Appends to the run's live log (already redacted text; never pass secrets). */
  log: (text: string, stream?: LogStream) => void;
  /** Progress where the step knows its size (bytes or rows). */
  progress: (done: number, total: number | null) => void;
  /** Aborted when the run is cancelled or the console shuts down. */
  signal: AbortSignal;
  /** Values earlier steps returned (by step key), e.g. the downloaded file's path. */
  results: Record<string, unknown>;
  /**
   * True when the step runs as a preview before anything is confirmed (the wizard runs the
   * preflight to show its facts): it may read, and must start nothing for later steps.
   */
  preview?: boolean;
};

export type PlannedStep = {
  key: string;
  title: string;
  kind: StepKind;
  /** Shown before anything runs: the exact argv, secrets redacted; null for in-process steps. */
  command: string[] | null;
  /** One or two sentences: what the step does and why. */
  description: string;
  /**
   * Automatic steps: does the work and returns a JSON-serializable result (stored on the
   * step, available to later steps as ctx.results[key]). Throwing fails the step and the
   * run; a UserError's message is shown as the reason. Must be safe to re-run after an
   * interruption (the runner resumes from the step that did not finish).
   * Manual and confirmation steps have no run(): they wait for an operator's tick.
   */
  run?: (ctx: StepContext) => Promise<unknown>;
};

export type Plan = {
  scenarioId: string;
  scenarioVersion: number;
  steps: PlannedStep[];
  /** Facts shown with the plan: target, backup, preflight results (JSON-serializable). */
  summary: Record<string, unknown>;
};
