import { expect, test } from "vitest";
import {
  COPY_BACK_NEEDS_APPROVER,
  DROP_NEEDS_APPROVER,
  SWITCH_OVER_NEEDS_APPROVER,
  approvalActionOfStep,
  dropNeedsApprover,
  stepNeedsApproval,
  stepNeedsApprover,
} from "./approval";

const switchOver = { kind: "confirmation", key: "confirm-switch-over" };
const copyBack = { kind: "confirmation", key: "confirm-copy-back" };
const manual = { kind: "manual", key: "run-migrations" };
const ruleOff: string[] = [];
const ruleOnProduction = ["production"];

// Where the two-person rule is off, production still needs the approver role (as before it existed).
test.each([
  [switchOver, "production", "operator", SWITCH_OVER_NEEDS_APPROVER],
  [copyBack, "production", "operator", COPY_BACK_NEEDS_APPROVER],
  [switchOver, "production", "viewer", SWITCH_OVER_NEEDS_APPROVER],
  [switchOver, "production", "approver", null],
  [switchOver, "production", "admin", null],
  [switchOver, "staging", "operator", null],
  [copyBack, "test", "operator", null],
  [manual, "production", "operator", null],
] as const)("rule off: %o on %s as %s → %s", (step, environment, role, expected) => {
  expect(stepNeedsApprover(step, environment, role, ruleOff)).toBe(expected);
});

test.each([
  ["production", "operator", DROP_NEEDS_APPROVER],
  ["production", "approver", null],
  ["staging", "operator", null],
  ["test", "operator", null],
] as const)("rule off: dropping a kept copy on %s as %s → %s", (environment, role, expected) => {
  expect(dropNeedsApprover(environment, role, ruleOff)).toBe(expected);
});

// Under the rule, the role decides nothing (even an admin needs an approval or a break glass):
// the confirmation needs an approval of its action.
test.each([
  [switchOver, "production", "run.switch-over"],
  [copyBack, "production", "run.copy-back"],
  [manual, "production", null],
  [switchOver, "staging", null],
  [{ kind: "automatic", key: "confirm-switch-over" }, "production", null],
] as const)("rule on production: %o on %s needs %s", (step, environment, expected) => {
  expect(stepNeedsApproval(step, environment, ruleOnProduction)).toBe(expected);
  if (environment === "production") {
    expect(stepNeedsApprover(step, environment, "operator", ruleOnProduction)).toBeNull();
    expect(dropNeedsApprover(environment, "operator", ruleOnProduction)).toBeNull();
  }
});

test("only confirmation steps map to an approval action", () => {
  expect(approvalActionOfStep(switchOver)).toBe("run.switch-over");
  expect(approvalActionOfStep(copyBack)).toBe("run.copy-back");
  expect(approvalActionOfStep({ kind: "confirmation", key: "something-else" })).toBeNull();
});
