import { DRILL_OUTCOME_DISPLAY, DRILL_OUTCOMES, type DrillOutcome } from "@/lib/drills/states";

// Stopwatch rules for drills. Pure: times come from the server (the caller passes `now`), so
// a refresh, a second device or a crashed laptop loses nothing. Table-tested in
// stopwatch.test.ts.

export type Interval = { startedAt: Date; endedAt: Date | null };
export type StepClock = {
  id: string;
  title: string;
  finishedAt: Date | null;
  intervals: Interval[];
  skippedAt?: Date | null;
};
export type StepState = "not_started" | "running" | "paused" | "finished" | "skipped";
export type StopwatchAction = "start" | "pause" | "resume" | "finish";

export function stepState(step: StepClock): StepState {
  if (step.skippedAt) return "skipped";
  if (step.finishedAt) return "finished";
  if (step.intervals.some((i) => i.endedAt === null)) return "running";
  return step.intervals.length ? "paused" : "not_started";
}

export function stepElapsedMs(step: StepClock, now: Date): number {
  return step.intervals.reduce((sum, i) => sum + Math.max(0, (i.endedAt ?? now).getTime() - i.startedAt.getTime()), 0);
}

/** The drill's total: the sum of its steps' times (pauses do not count). */
export function totalElapsedMs(steps: StepClock[], now: Date): number {
  return steps.reduce((sum, s) => sum + stepElapsedMs(s, now), 0);
}

/**
 * Why an action is refused (a sentence for the operator), or null when allowed. One step
 * runs at a time: starting or resuming a step while another runs is refused, naming it.
 */
export function refusal(steps: StepClock[], stepId: string, action: StopwatchAction): string | null {
  const step = steps.find((s) => s.id === stepId);
  if (!step) return "That step is not part of this drill.";
  const state = stepState(step);
  const other = steps.find((s) => s.id !== stepId && stepState(s) === "running");
  if (state === "skipped") return `"${step.title}" was skipped; its time can no longer change.`;
  switch (action) {
    case "start":
      if (state !== "not_started")
        return `"${step.title}" has already been started; ${state === "paused" ? "resume it" : state === "running" ? "it is running" : "it is finished"}.`;
      return other ? `"${other.title}" is still running: pause or finish it first.` : null;
    case "resume":
      if (state !== "paused") return `"${step.title}" is not paused (it is ${state.replace("_", " ")}).`;
      return other ? `"${other.title}" is still running: pause or finish it first.` : null;
    case "pause":
      return state === "running" ? null : `"${step.title}" is not running (it is ${state.replace("_", " ")}).`;
    case "finish":
      return state === "running" || state === "paused"
        ? null
        : `"${step.title}" cannot be finished: it is ${state.replace("_", " ")}.`;
  }
}

/** The intervals after an allowed action at `now` (the caller persists the difference). */
export function apply(
  step: StepClock,
  action: StopwatchAction,
  now: Date,
): { intervals: Interval[]; finishedAt: Date | null } {
  const closeOpen = (list: Interval[]) => list.map((i) => (i.endedAt === null ? { ...i, endedAt: now } : i));
  switch (action) {
    case "start":
    case "resume":
      return { intervals: [...step.intervals, { startedAt: now, endedAt: null }], finishedAt: null };
    case "pause":
      return { intervals: closeOpen(step.intervals), finishedAt: null };
    case "finish":
      return { intervals: closeOpen(step.intervals), finishedAt: now };
  }
}

/** Why a step cannot be skipped (a sentence), or null. A running step is paused or finished first. */
export function skipRefusal(step: StepClock, reason: string): string | null {
  const state = stepState(step);
  if (state === "skipped") return `"${step.title}" is already skipped.`;
  if (state === "finished") return `"${step.title}" is finished: a finished step cannot be skipped.`;
  if (state === "running") return `"${step.title}" is running: pause it before skipping it.`;
  if (!reason.trim()) return `Say why "${step.title}" is skipped: the report shows the reason.`;
  return null;
}

/** Steps neither finished nor skipped with a reason: a drill with any of these did not rehearse the whole runbook. */
export function unfinishedSteps<S extends StepClock>(steps: S[]): S[] {
  return steps.filter((s) => {
    const state = stepState(s);
    return state !== "finished" && state !== "skipped";
  });
}

/**
 * A drill met its RTO only when every step was done or explicitly skipped, and the measured
 * total is within the RTO. Untouched steps make it "incomplete", whatever the total says: a
 * total that leaves out most of the runbook proves nothing.
 */
export function drillOutcome(steps: StepClock[], totalMs: number, rtoMinutes: number | null): DrillOutcome {
  if (unfinishedSteps(steps).length > 0) return "incomplete";
  if (rtoMinutes === null) return "missed";
  return rtoOutcome(totalMs, rtoMinutes).met ? "met" : "missed";
}

/** The closed drill's verdict in words (never colour alone). */
export function outcomeWords(outcome: string | null): string {
  const known = DRILL_OUTCOMES.find((o) => o === outcome);
  const display = DRILL_OUTCOME_DISPLAY[known ?? "missed"];
  return `${display.symbol} closed: ${display.label}${outcome === "incomplete" ? " (steps neither done nor skipped)" : ""}`;
}

export function rtoOutcome(totalMs: number, rtoMinutes: number): { met: boolean; differenceMs: number } {
  const rtoMs = rtoMinutes * 60_000;
  return { met: totalMs <= rtoMs, differenceMs: Math.abs(rtoMs - totalMs) };
}

export type DrillRecord = { scenarioVersion: number; status: string; outcome: string | null };

/**
 * A runbook is up to date when a closed drill of its current version met the RTO; it
 * "needs re-drill" when its version changed since its last successful drill.
 */
export function drillStatus(
  currentVersion: number,
  drills: DrillRecord[],
): "up_to_date" | "needs_redrill" | "never_drilled" {
  const passed = drills.filter((d) => d.status === "closed" && d.outcome === "met");
  if (passed.some((d) => d.scenarioVersion === currentVersion)) return "up_to_date";
  return passed.length ? "needs_redrill" : "never_drilled";
}
