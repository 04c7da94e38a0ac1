// How a restore run launched from a drill lends its measured times to the drill's steps. Pure:
// the caller reads the rows and writes the result. Table-tested in run-credit.test.ts.
//
// The drill's checklist and the run's plan come from the same scenario, so their steps share
// keys: each run step's measured time goes to the drill step with its key. A run step with no
// matching drill step (a drill scheduled before steps had keys, or a step the checklist lacks)
// is credited to the step that launched the run, so no measured time is lost.

export type CreditRunStep = {
  key: string;
  title: string;
  status: string;
  startedAt: Date | null;
  finishedAt: Date | null;
};
export type CreditRun = { id: string; status: string; steps: CreditRunStep[] };
export type CreditDrillStep = { id: string; key: string; skipped: boolean };

export type StepCredit = {
  stepId: string;
  intervals: { startedAt: Date; endedAt: Date }[];
  /** When the step is done: the last credited end, if every run step credited to it succeeded. */
  finishedAt: Date | null;
  /** The run steps credited, "title m:ss", for the step's notes. */
  measured: { title: string; ms: number; status: string }[];
};

/** The runs whose times can be credited: they will not change any more. */
export const CREDITABLE_RUN_STATUSES = ["succeeded", "failed", "cancelled"] as const;

export function creditRun(run: CreditRun, drillSteps: CreditDrillStep[], launchingStepId: string): StepCredit[] {
  const byKey = new Map(drillSteps.filter((s) => s.key !== "" && !s.skipped).map((s) => [s.key, s.id]));
  const credits = new Map<string, StepCredit & { allSucceeded: boolean }>();
  for (const step of run.steps) {
    if (!step.startedAt || !step.finishedAt) continue;
    const stepId = byKey.get(step.key) ?? launchingStepId;
    const credit = credits.get(stepId) ?? { stepId, intervals: [], finishedAt: null, measured: [], allSucceeded: true };
    credit.intervals.push({ startedAt: step.startedAt, endedAt: step.finishedAt });
    credit.measured.push({
      title: step.title,
      ms: Math.max(0, step.finishedAt.getTime() - step.startedAt.getTime()),
      status: step.status,
    });
    credit.allSucceeded &&= step.status === "succeeded";
    credits.set(stepId, credit);
  }
  return [...credits.values()].map(({ allSucceeded, ...c }) => ({
    ...c,
    finishedAt: allSucceeded ? new Date(Math.max(...c.intervals.map((i) => i.endedAt.getTime()))) : null,
  }));
}
