import { expect, test } from "vitest";
import { typedConfirmationOf } from "./typed-confirmation";

test.each([
  ["production", "amani-production/amani"],
  ["staging", "amani"],
  ["test", "amani"],
])("on %s the operator types %s", (environment, expected) => {
  expect(typedConfirmationOf({ name: "amani-production", environment, dbName: "amani" })).toBe(expected);
});

test("production's text differs from staging's even when both databases have the same name", () => {
  const prod = typedConfirmationOf({ name: "amani-prod", environment: "production", dbName: "amani" });
  const staging = typedConfirmationOf({ name: "amani-staging", environment: "staging", dbName: "amani" });
  expect(prod).not.toBe(staging);
});
