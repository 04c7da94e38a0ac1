import { expect, test } from "vitest";
import { formatHours, rpoVerdict } from "@/lib/alerts/rpo-rule";

const now = new Date("2026-12-02T12:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

test.each([
  ["no backup at all", null, 24, true],
  ["one inside the RPO", hoursAgo(23.9), 24, false],
  ["exactly at the RPO", hoursAgo(24), 24, false],
  ["just past the RPO", hoursAgo(24.01), 24, true],
  ["far past a short RPO", hoursAgo(3), 1, true],
])("%s", (_, newest, rpo, breached) => {
  expect(rpoVerdict(newest, rpo, now).breached).toBe(breached);
});

test.each([
  [24, "24 h"],
  [1.5, "1.5 h"],
  [26.4, "26 h"],
  [0.25, "15 min"],
])("formatHours(%s) = %s", (h, text) => {
  expect(formatHours(h)).toBe(text);
});
