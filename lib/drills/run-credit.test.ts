import { describe, expect, test } from "vitest";
import { creditRun, type CreditRunStep } from "./run-credit";

const t = (s: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, s));
const runStep = (key: string, from: number | null, to: number | null, status = "succeeded"): CreditRunStep => ({
  key,
  title: `Run ${key}`,
  status,
  startedAt: from === null ? null : t(from),
  finishedAt: to === null ? null : t(to),
});
const drill = [
  { id: "d-preflight", key: "preflight", skipped: false },
  { id: "d-download", key: "download", skipped: false },
  { id: "d-restore", key: "restore-scratch", skipped: false },
  { id: "d-health", key: "check-health", skipped: true },
];

describe("a launched run credits each of its steps to the drill step with the same key", () => {
  test("each step gets its own measured time, not the whole run's", () => {
    const credits = creditRun(
      {
        id: "r",
        status: "succeeded",
        steps: [runStep("preflight", 0, 2), runStep("download", 2, 9), runStep("restore-scratch", 9, 40)],
      },
      drill,
      "d-preflight",
    );
    expect(
      credits.map((c) => [
        c.stepId,
        c.intervals.map((i) => (i.endedAt.getTime() - i.startedAt.getTime()) / 1000),
        c.finishedAt,
      ]),
    ).toEqual([
      ["d-preflight", [2], t(2)],
      ["d-download", [7], t(9)],
      ["d-restore", [31], t(40)],
    ]);
  });

  test.each<[string, CreditRunStep[], { stepId: string; seconds: number[]; finished: boolean }[]]>([
    [
      "a run step the checklist lacks goes to the launching step",
      [runStep("preflight", 0, 2), runStep("remove-download", 40, 41)],
      [{ stepId: "d-preflight", seconds: [2, 1], finished: true }],
    ],
    [
      "a failed step gives its time but does not finish the drill step",
      [runStep("download", 2, 9), runStep("restore-scratch", 9, 12, "failed")],
      [
        { stepId: "d-download", seconds: [7], finished: true },
        { stepId: "d-restore", seconds: [3], finished: false },
      ],
    ],
    [
      "steps that never ran credit nothing",
      [runStep("download", null, null, "pending"), runStep("restore-scratch", 9, null, "interrupted")],
      [],
    ],
    [
      "a drill step skipped with a reason is not credited; its run time goes to the launching step",
      [runStep("check-health", 50, 70)],
      [{ stepId: "d-preflight", seconds: [20], finished: true }],
    ],
  ])("%s", (_name, steps, expected) => {
    const credits = creditRun({ id: "r", status: "failed", steps }, drill, "d-preflight");
    expect(
      credits.map((c) => ({
        stepId: c.stepId,
        seconds: c.intervals.map((i) => (i.endedAt.getTime() - i.startedAt.getTime()) / 1000),
        finished: c.finishedAt !== null,
      })),
    ).toEqual(expected);
  });

  test("a drill without step keys (scheduled before keys) gets the whole run on the launching step", () => {
    const credits = creditRun(
      { id: "r", status: "succeeded", steps: [runStep("preflight", 0, 2), runStep("download", 2, 9)] },
      [{ id: "old", key: "", skipped: false }],
      "old",
    );
    expect(credits).toHaveLength(1);
    expect(credits[0]!.measured.map((m) => m.ms)).toEqual([2000, 7000]);
    expect(credits[0]!.finishedAt).toEqual(t(9));
  });
});
