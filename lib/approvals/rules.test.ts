import { expect, test } from "vitest";
import {
  approvalState,
  approvalUseRefusal,
  bindingChanges,
  selfApprovalRefusal,
  timeLeftText,
  type ApprovalBinding,
  type ApprovalFacts,
} from "./rules";

const binding: ApprovalBinding = {
  planHash: "p".repeat(64),
  backupSha256: "a".repeat(64),
  backupEtag: '"e1"',
  backupSize: "4096",
  targetHost: "db.internal",
  targetPort: 5432,
  targetDatabase: "amani",
};
const now = new Date("2026-12-02T03:00:00Z");
const facts: ApprovalFacts = {
  kind: "two_person",
  status: "approved",
  action: "run.switch-over",
  expiresAt: new Date("2026-12-02T03:10:00Z"),
  requestedBy: "op@example.test",
  decidedBy: "boss@example.test",
  binding,
};
const use = { action: "run.switch-over", now, current: binding, requesters: ["op@example.test"] };

test("an approval that fits is usable", () => {
  expect(approvalUseRefusal(facts, use)).toBeNull();
});

test.each([
  ["another action", { ...facts, action: "run.copy-back" }, use, "not this step"],
  ["used", { ...facts, status: "used" }, use, "already used"],
  ["pending", { ...facts, status: "pending" }, use, "not approved"],
  ["expired", { ...facts, expiresAt: now }, use, "expired"],
  ["self-approved", { ...facts, decidedBy: "OP@example.test" }, use, "a second person must approve it"],
  ["approved by the run's planner", facts, { ...use, requesters: ["boss@example.test"] }, "second person"],
  ["plan changed", facts, { ...use, current: { ...binding, planHash: "q".repeat(64) } }, "the plan changed"],
  ["sha changed", facts, { ...use, current: { ...binding, backupSha256: null } }, "sha256 changed"],
  ["etag changed", facts, { ...use, current: { ...binding, backupEtag: '"e2"' } }, "object changed"],
  ["port changed", facts, { ...use, current: { ...binding, targetPort: 5433 } }, "the target changed"],
] as const)("refused when %s", (_, a, u, words) => {
  expect(approvalUseRefusal(a, u)).toContain(words);
});

test("a break glass needs no second person but is still bound", () => {
  const glass = { ...facts, kind: "break_glass", requestedBy: "admin@example.test", decidedBy: "admin@example.test" };
  expect(approvalUseRefusal(glass, { ...use, requesters: ["admin@example.test"] })).toBeNull();
  expect(approvalUseRefusal(glass, { ...use, current: { ...binding, targetDatabase: "x" } })).toContain("target");
});

test("self-approval is matched without regard to case or spaces", () => {
  expect(selfApprovalRefusal(" Op@Example.test ", ["op@example.test"])).toContain("cannot approve");
  expect(selfApprovalRefusal("boss@example.test", ["op@example.test", null])).toBeNull();
});

test("bindingChanges lists every change", () => {
  expect(bindingChanges(binding, { ...binding, planHash: null, targetHost: "other" })).toHaveLength(2);
});

test("expiry: state and countdown", () => {
  expect(approvalState({ status: "approved", expiresAt: now }, now)).toBe("expired");
  expect(approvalState({ status: "used", expiresAt: now }, now)).toBe("used");
  expect(timeLeftText(new Date(now.getTime() + 125_000), now.getTime())).toBe("2 min 05 s left");
  expect(timeLeftText(now, now.getTime())).toBeNull();
});
