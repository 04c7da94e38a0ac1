import { describe, expect, test } from "vitest";
import {
  dayStrip,
  DEFAULT_POLICY,
  freshness,
  keptUntil,
  RETENTION_CLASSES,
  retentionClass,
  retentionFacts,
  retentionWhere,
  sizeAnomaly,
  type RetentionClass,
  type RetentionFacts,
} from "./retention";

const now = new Date("2026-11-25T12:00:00Z"); // a Wednesday
const facts = (iso: string, critical = false): RetentionFacts => {
  const takenAt = new Date(iso);
  return { takenAt, critical, ...retentionFacts(takenAt) };
};

describe("retentionClass with the seed's GFS policy", () => {
  test.each<[string, string, boolean, RetentionClass]>([
    ["yesterday's daily", "2026-11-24T02:00:00Z", false, "daily"],
    ["29 days old", "2026-10-27T02:00:00Z", false, "daily"],
    ["31 days old, a Tuesday", "2026-10-25T02:00:00Z", false, "weekly"], // 2026-10-25 is a Sunday
    ["31 days old weekday", "2026-10-24T02:00:00Z", false, "past_retention"],
    ["a Sunday 80 days ago", "2026-09-06T02:00:00Z", false, "weekly"],
    ["a Sunday 120 days ago", "2026-07-26T02:00:00Z", false, "past_retention"],
    ["1st of a month 200 days ago", "2026-05-01T02:00:00Z", false, "monthly"],
    ["1st of a month 400 days ago", "2025-10-01T02:00:00Z", false, "past_retention"],
    ["a 1st that is also a Sunday", "2026-11-01T02:00:00Z", false, "monthly"],
    ["critical, 3 years old", "2023-11-25T02:00:00Z", true, "critical"],
    ["UTC decides the day: Sunday 23:30 UTC", "2026-08-30T23:30:00Z", false, "weekly"],
    ["UTC decides the day: Monday 00:30 UTC", "2026-08-31T00:30:00Z", false, "past_retention"],
  ])("%s (%s) → %s", (_name, iso, critical, expected) => {
    expect(retentionClass(facts(iso, critical), DEFAULT_POLICY, now)).toBe(expected);
  });

  test("keptUntil follows the class", () => {
    expect(keptUntil(facts("2026-11-24T02:00:00Z"), DEFAULT_POLICY, now)?.toISOString()).toBe(
      "2026-12-24T02:00:00.000Z",
    );
    expect(keptUntil(facts("2020-01-01T00:00:00Z", true), DEFAULT_POLICY, now)).toBeNull();
  });
});

// Evaluates a retentionWhere() object against one row, to prove SQL filter == pure rule.
function matches(where: Record<string, unknown>, row: Record<string, unknown>): boolean {
  return Object.entries(where).every(([k, v]) => {
    if (k === "AND") return (v as Record<string, unknown>[]).every((w) => matches(w, row));
    if (k === "NOT") return !matches(v as Record<string, unknown>, row);
    if (v && typeof v === "object" && "gte" in v)
      return (row[k] as Date).getTime() >= (v as { gte: Date }).gte.getTime();
    return row[k] === v;
  });
}

test("the SQL filter puts every backup of a 500-day span in exactly the class the rule gives", () => {
  for (let i = 0; i < 500; i++) {
    for (const critical of [false, true]) {
      const f = facts(new Date(now.getTime() - i * 86_400_000 - 3_600_000).toISOString(), critical);
      const expected = retentionClass(f, DEFAULT_POLICY, now);
      const hits = RETENTION_CLASSES.filter((c) => matches(retentionWhere(c, DEFAULT_POLICY, now), f));
      expect(hits).toEqual([expected]);
    }
  }
});

describe("sizeAnomaly", () => {
  test.each<[number, number[], string | null]>([
    [0, [100, 100, 100], "0 bytes"],
    [100, [100, 110, 90, 105], null],
    [40, [100, 100, 100, 100], "60% smaller than the median of the previous 4"],
    [160, [100, 100, 100], "60% larger than the median of the previous 3"],
    // The boundaries: half the median (a truncated dump) and 60% are flagged, 61% is not.
    [500, [1000, 1000, 1000, 1000, 1000, 1000, 1000], "50% smaller than the median of the previous 7"],
    [600, [1000, 1000, 1000], "40% smaller than the median of the previous 3"],
    [610, [1000, 1000, 1000], null],
    [1490, [1000, 1000, 1000], null],
    [1500, [1000, 1000, 1000], "50% larger than the median of the previous 3"],
    [40, [100, 100], null], // too little history to judge
    [100, [1, 1, 1, 1, 1, 1, 1, 100, 100, 100, 100, 100, 100, 100], null], // only the last 7 count
  ])("%d bytes after %j → %s", (size, previous, expected) => {
    expect(sizeAnomaly(size, previous)).toBe(expected);
  });
});

describe("freshness against the RPO", () => {
  test.each<[string | null, number, string]>([
    ["2026-11-25T02:00:00Z", 24, "ok"],
    ["2026-11-24T10:00:00Z", 24, "warning"],
    ["2026-11-23T12:00:00Z", 24, "breached"],
    [null, 24, "breached"],
    ["2026-11-25T11:57:00Z", 0.0833, "ok"],
  ])("newest %s with RPO %d h → %s", (newest, rpo, state) => {
    expect(freshness(newest ? new Date(newest) : null, rpo, now).state).toBe(state);
  });
});

test("dayStrip marks the days without a backup", () => {
  const strip = dayStrip(
    [new Date("2026-11-25T02:00:00Z"), new Date("2026-11-23T02:00:00Z"), new Date("2026-11-23T14:00:00Z")],
    3,
    now,
  );
  expect(strip).toEqual([
    { day: "2026-11-23", count: 2 },
    { day: "2026-11-24", count: 0 },
    { day: "2026-11-25", count: 1 },
  ]);
});
