import { describe, expect, test } from "vitest";
import {
  apply,
  drillOutcome,
  drillStatus,
  refusal,
  rtoOutcome,
  skipRefusal,
  stepElapsedMs,
  stepState,
  totalElapsedMs,
  unfinishedSteps,
  type StepClock,
  type StopwatchAction,
} from "./stopwatch";

const t = (s: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, s));
const step = (id: string, intervals: [number, number | null][], finished?: number): StepClock => ({
  id,
  title: `Step ${id}`,
  finishedAt: finished === undefined ? null : t(finished),
  intervals: intervals.map(([a, b]) => ({ startedAt: t(a), endedAt: b === null ? null : t(b) })),
});

describe("stepState and elapsed time", () => {
  test.each<[string, StepClock, string, number]>([
    ["never started", step("a", []), "not_started", 0],
    ["running since 10 s", step("a", [[0, null]]), "running", 30_000],
    ["paused after 10 s", step("a", [[0, 10]]), "paused", 10_000],
    [
      "paused and resumed: the pause does not count",
      step("a", [
        [0, 10],
        [20, null],
      ]),
      "running",
      20_000,
    ],
    [
      "finished",
      step(
        "a",
        [
          [0, 10],
          [20, 25],
        ],
        25,
      ),
      "finished",
      15_000,
    ],
  ])("%s", (_name, s, state, elapsedAt30) => {
    expect(stepState(s)).toBe(state);
    expect(stepElapsedMs(s, t(30))).toBe(elapsedAt30);
  });

  test("the total is the sum of the steps' times", () => {
    const steps = [
      step("a", [[0, 10]], 10),
      step(
        "b",
        [
          [10, 15],
          [40, 45],
        ],
        45,
      ),
      step("c", [[45, null]]),
    ];
    expect(totalElapsedMs(steps, t(50))).toBe(10_000 + 10_000 + 5_000);
  });
});

describe("refusals: one step runs at a time, and only sensible transitions", () => {
  const steps = [step("done", [[0, 10]], 10), step("run", [[10, null]]), step("paused", [[5, 8]]), step("new", [])];
  test.each<[string, StopwatchAction, RegExp | null]>([
    ["new", "start", /"Step run" is still running: pause or finish it first/],
    ["paused", "resume", /"Step run" is still running/],
    ["run", "pause", null],
    ["run", "finish", null],
    ["paused", "finish", null],
    ["done", "start", /already been started; it is finished/],
    ["done", "pause", /is not running \(it is finished\)/],
    ["new", "pause", /is not running \(it is not started\)/],
    ["new", "finish", /cannot be finished: it is not started/],
    ["run", "resume", /is not paused \(it is running\)/],
    ["nope", "start", /not part of this drill/],
  ])("%s: %s", (id, action, expected) => {
    const r = refusal(steps, id, action);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toMatch(expected);
  });

  test("with nothing running, a new step may start and a paused one resume", () => {
    const idle = [step("a", [[0, 10]]), step("b", [])];
    expect(refusal(idle, "b", "start")).toBeNull();
    expect(refusal(idle, "a", "resume")).toBeNull();
  });
});

test("apply: start, pause, resume, finish", () => {
  let s = step("a", []);
  s = { ...s, ...apply(s, "start", t(0)) };
  expect(stepState(s)).toBe("running");
  s = { ...s, ...apply(s, "pause", t(10)) };
  expect(stepState(s)).toBe("paused");
  s = { ...s, ...apply(s, "resume", t(20)) };
  s = { ...s, ...apply(s, "finish", t(27)) };
  expect(stepState(s)).toBe("finished");
  expect(stepElapsedMs(s, t(100))).toBe(17_000);
  expect(s.finishedAt).toEqual(t(27));
});

test.each<[number, number, boolean, number]>([
  [10 * 60_000, 15, true, 5 * 60_000],
  [15 * 60_000, 15, true, 0],
  [16 * 60_000, 15, false, 60_000],
])("%d ms against an RTO of %d min → met %s by %d ms", (total, rto, met, diff) => {
  expect(rtoOutcome(total, rto)).toEqual({ met, differenceMs: diff });
});

describe("drillStatus: a changed runbook version needs a re-drill until a drill of it passes", () => {
  test.each<[string, number, { scenarioVersion: number; status: string; outcome: string | null }[], string]>([
    ["never drilled", 1, [], "never_drilled"],
    ["a failed drill only", 1, [{ scenarioVersion: 1, status: "closed", outcome: "missed" }], "never_drilled"],
    ["passed on this version", 1, [{ scenarioVersion: 1, status: "closed", outcome: "met" }], "up_to_date"],
    ["version raised since", 2, [{ scenarioVersion: 1, status: "closed", outcome: "met" }], "needs_redrill"],
    [
      "new version drilled but missed",
      2,
      [
        { scenarioVersion: 1, status: "closed", outcome: "met" },
        { scenarioVersion: 2, status: "closed", outcome: "missed" },
      ],
      "needs_redrill",
    ],
    [
      "new version passed",
      2,
      [
        { scenarioVersion: 1, status: "closed", outcome: "met" },
        { scenarioVersion: 2, status: "closed", outcome: "met" },
      ],
      "up_to_date",
    ],
    [
      "a running drill does not count yet",
      2,
      [
        { scenarioVersion: 1, status: "closed", outcome: "met" },
        { scenarioVersion: 2, status: "running", outcome: null },
      ],
      "needs_redrill",
    ],
  ])("%s", (_name, version, drills, expected) => {
    expect(drillStatus(version, drills)).toBe(expected);
  });
});

describe("skipping a step: on purpose, with a reason", () => {
  const skipped: StepClock = { ...step("s", []), skippedAt: t(5) };
  test.each<[string, StepClock, string, RegExp | null]>([
    ["a step never started", step("a", []), "not needed on staging", null],
    ["a paused step keeps its time", step("a", [[0, 10]]), "the rest is done by the DBA team", null],
    ["no reason", step("a", []), "   ", /Say why "Step a" is skipped/],
    ["a running step", step("a", [[0, null]]), "x", /is running: pause it before skipping it/],
    ["a finished step", step("a", [[0, 10]], 10), "x", /a finished step cannot be skipped/],
    ["a skipped step", skipped, "x", /is already skipped/],
  ])("%s", (_name, s, reason, expected) => {
    const why = skipRefusal(s, reason);
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });

  test("a skipped step is its own state and its stopwatch no longer moves", () => {
    expect(stepState(skipped)).toBe("skipped");
    for (const action of ["start", "resume", "pause", "finish"] as const)
      expect(refusal([skipped], "s", action)).toMatch(/was skipped/);
  });
});

describe("the drill's outcome: met only when every step was done or skipped", () => {
  const done = step("a", [[0, 60]], 60);
  const skipped: StepClock = { ...step("b", []), skippedAt: t(61) };
  test.each<[string, StepClock[], number, number | null, string]>([
    ["every step done, within the RTO", [done], 60_000, 15, "met"],
    ["done or skipped with a reason, within the RTO", [done, skipped], 60_000, 15, "met"],
    ["over the RTO", [done, skipped], 16 * 60_000, 15, "missed"],
    ["an untouched step, even far within the RTO", [done, step("c", [])], 60_000, 15, "incomplete"],
    ["a paused, unfinished step", [done, step("c", [[0, 5]])], 60_000, 15, "incomplete"],
    [
      "seven of eleven steps untouched",
      [done, done, done, done, ...Array.from({ length: 7 }, (_, i) => step(`u${i}`, []))],
      60_000,
      15,
      "incomplete",
    ],
    ["no RTO to compare with", [done], 60_000, null, "missed"],
  ])("%s → %s", (_name, steps, total, rto, outcome) => {
    expect(drillOutcome(steps, total, rto)).toBe(outcome);
  });

  test("unfinished steps are listed by name", () => {
    expect(unfinishedSteps([done, skipped, step("c", []), step("d", [[0, null]])]).map((s) => s.title)).toEqual([
      "Step c",
      "Step d",
    ]);
  });
});
