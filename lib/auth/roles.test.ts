import { expect, test } from "vitest";
import { hasRole, isRole, type Role } from "./roles";

test.each<[Role, Role, boolean]>([
  ["viewer", "viewer", true],
  ["viewer", "operator", false],
  ["operator", "operator", true],
  ["operator", "approver", false],
  ["approver", "operator", true],
  ["approver", "admin", false],
  ["admin", "approver", true],
  ["admin", "viewer", true],
])("%s may act as %s: %s", (actual, needed, expected) => {
  expect(hasRole(actual, needed)).toBe(expected);
});

test.each([
  ["admin", true],
  ["root", false],
  ["", false],
  [undefined, false],
  ["Admin", false],
])("isRole(%s) → %s", (v, expected) => {
  expect(isRole(v)).toBe(expected);
});
