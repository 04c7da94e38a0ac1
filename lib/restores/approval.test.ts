import { expect, test } from "vitest";
import {
  COPY_BACK_NEEDS_APPROVER,
  DROP_NEEDS_APPROVER,
  SWITCH_OVER_NEEDS_APPROVER,
  dropNeedsApprover,
  stepNeedsApprover,
} from "./approval";

const switchOver = { kind: "confirmation", key: "confirm-switch-over" };
const copyBack = { kind: "confirmation", key: "confirm-copy-back" };
const manual = { kind: "manual", key: "run-migrations" };

test.each([
  [switchOver, "production", "operator", SWITCH_OVER_NEEDS_APPROVER],
  [copyBack, "production", "operator", COPY_BACK_NEEDS_APPROVER],
  [switchOver, "production", "viewer", SWITCH_OVER_NEEDS_APPROVER],
  [switchOver, "production", "approver", null],
  [switchOver, "production", "admin", null],
  [switchOver, "staging", "operator", null],
  [copyBack, "test", "operator", null],
  [manual, "production", "operator", null],
] as const)("%o on %s as %s → %s", (step, environment, role, expected) => {
  expect(stepNeedsApprover(step, environment, role)).toBe(expected);
});

test.each([
  ["production", "operator", DROP_NEEDS_APPROVER],
  ["production", "approver", null],
  ["staging", "operator", null],
  ["test", "operator", null],
] as const)("dropping a kept copy on %s as %s → %s", (environment, role, expected) => {
  expect(dropNeedsApprover(environment, role)).toBe(expected);
});
