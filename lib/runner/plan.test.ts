import { describe, expect, test } from "vitest";
import { canonicalJson, firstDifferentStep, planProblems, serializePlan, storedPlan } from "@/lib/runner/plan";
import type { Plan } from "@/lib/runner/types";

const run = async () => null;

function plan(overrides: Partial<Plan> = {}): Plan {
  return {
    scenarioId: "corruption",
    scenarioVersion: 3,
    summary: { target: "amani", backup: { key: "a.dump", size: 10 } },
    steps: [
      { key: "download", title: "Download", kind: "automatic", command: null, description: "Fetch it.", run },
      {
        key: "restore",
        title: "Restore",
        kind: "automatic",
        command: ["pg_restore", "--clean", "--", "/tmp/a.dump"],
        description: "Restore it.",
        run,
      },
      {
        key: "deploy",
        title: "Deploy",
        kind: "manual",
        command: ["kubectl", "rollout", "restart"],
        description: "Start the app.",
      },
    ],
    ...overrides,
  };
}

describe("plan hash", () => {
  test("does not depend on the order of keys, and stores no functions", () => {
    const a = serializePlan(plan());
    const b = serializePlan(plan({ summary: { backup: { size: 10, key: "a.dump" }, target: "amani" } }));
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.json).not.toContain("run");
    expect(JSON.parse(a.json)).toEqual(JSON.parse(canonicalJson(storedPlan(plan()))));
  });

  test.each([
    [
      "a command argument",
      (p: Plan) => ({
        ...p,
        steps: p.steps.map((s, i) => (i === 1 ? { ...s, command: ["pg_restore", "--", "/tmp/b.dump"] } : s)),
      }),
    ],
    ["the summary", (p: Plan) => ({ ...p, summary: { ...p.summary, target: "amani_staging" } })],
    [
      "a step's kind",
      (p: Plan) => ({ ...p, steps: p.steps.map((s, i) => (i === 2 ? { ...s, kind: "confirmation" as const } : s)) }),
    ],
    ["the scenario version", (p: Plan) => ({ ...p, scenarioVersion: 4 })],
  ])("changes when %s changes", (_what, change) => {
    expect(serializePlan(change(plan())).hash).not.toBe(serializePlan(plan()).hash);
  });
});

describe("firstDifferentStep", () => {
  const confirmed = storedPlan(plan());
  test("the same steps with a changed summary (preflight facts) are the same plan", () => {
    expect(firstDifferentStep(confirmed, plan({ summary: { connections: 4 } }))).toBeNull();
  });
  test("names the step whose command changed", () => {
    const changed = plan();
    changed.steps[1] = { ...changed.steps[1]!, command: ["pg_restore", "--", "/tmp/other.dump"] };
    expect(firstDifferentStep(confirmed, changed)).toEqual({
      index: 1,
      reason: "the command of step 2 (Restore) changed",
    });
  });
  test("a missing or added step is a difference", () => {
    expect(firstDifferentStep(confirmed, plan({ steps: plan().steps.slice(0, 2) }))?.index).toBe(2);
    expect(
      firstDifferentStep(
        confirmed,
        plan({
          steps: [...plan().steps, { key: "x", title: "Extra", kind: "manual", command: null, description: "" }],
        }),
      )?.reason,
    ).toMatch(/step 4 \(Extra\) was added/);
  });
});

describe("planProblems", () => {
  test("a valid plan has none", () => expect(planProblems(plan())).toEqual([]));
  test("refuses duplicate keys, automatic steps without run() and manual steps with one", () => {
    const bad = plan({
      steps: [
        { key: "a", title: "A", kind: "automatic", command: null, description: "" },
        { key: "a", title: "B", kind: "manual", command: null, description: "", run },
      ],
    });
    expect(planProblems(bad)).toEqual([
      "step 1 (a): an automatic step needs run()",
      "step 2 (a): the key is used twice",
      "step 2 (a): a manual step waits for an operator and cannot have run()",
    ]);
    expect(planProblems(plan({ steps: [] }))).toEqual(["the plan has no steps"]);
  });
});
