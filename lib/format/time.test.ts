import { describe, expect, test } from "vitest";
import { formatDuration, formatRelative, formatUtc } from "./time";

describe("formatUtc", () => {
  test("prints minutes in UTC whatever the process zone", () => {
    expect(formatUtc(new Date("2026-03-01T02:00:59.999Z"))).toBe("2026-03-01 02:00 UTC");
  });
});

describe("formatRelative", () => {
  const now = new Date("2026-03-10T12:00:00Z");
  test.each([
    ["2026-03-10T11:59:30Z", "just now"],
    ["2026-03-10T11:55:00Z", "5 min ago"],
    ["2026-03-10T09:00:00Z", "3 h ago"],
    ["2026-03-08T12:00:00Z", "2 d ago"],
    ["2025-12-01T12:00:00Z", "3 mo ago"],
    ["2024-03-01T12:00:00Z", "2 y ago"],
    ["2026-03-12T12:00:00Z", "in 2 d"],
  ])("%s → %s", (when, expected) => {
    expect(formatRelative(when, now)).toBe(expected);
  });
});

describe("formatDuration", () => {
  test.each([
    [0, "0:00"],
    [75, "1:15"],
    [3725, "1:02:05"],
    [-5, "0:00"],
  ])("%d s → %s", (s, expected) => {
    expect(formatDuration(s)).toBe(expected);
  });
});
