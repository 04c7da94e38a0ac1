import { describe, expect, test } from "vitest";
import {
  calendarRows,
  cellFor,
  drillDues,
  lastMonths,
  monthLabel,
  overdueMonths,
  testState,
  type CalendarTest,
} from "@/lib/monthly-tests/calendar";

const t = (over: Partial<CalendarTest>): CalendarTest => ({
  id: "t",
  databaseId: "db",
  month: "2026-11",
  status: "passed",
  performedBy: null,
  countersignedBy: null,
  startedAt: "2026-11-02T03:00:00Z",
  ...over,
});

describe("testState", () => {
  test.each([
    [{ status: "passed", performedBy: "op", countersignedBy: "ap" }, "signed"],
    [{ status: "passed", performedBy: "op", countersignedBy: null }, "passed"],
    [{ status: "passed", performedBy: null, countersignedBy: null }, "unsigned"],
    [{ status: "failed", performedBy: "op", countersignedBy: "ap" }, "failed"],
    [{ status: "partial", performedBy: null, countersignedBy: null }, "failed"],
    [{ status: "running", performedBy: null, countersignedBy: null }, "running"],
    [{ status: "something-new", performedBy: null, countersignedBy: null }, "failed"],
  ] as const)("%o is %s", (facts, state) => {
    expect(testState(facts)).toBe(state);
  });
});

describe("cellFor", () => {
  const current = "2026-12";
  test.each([
    ["2026-12", "2025-01", "due"],
    ["2026-11", "2025-01", "overdue"],
    ["2026-11", "2026-11", "overdue"],
    ["2026-10", "2026-11", "not_done"],
    ["2027-01", "2025-01", "not_done"],
  ] as const)("no test in %s (database added %s) is %s", (month, added, state) => {
    expect(cellFor([], month, current, added)).toEqual({ month, state, testId: null, tests: 0 });
  });

  test("a failed test and a passing re-test: the month shows the re-test", () => {
    const tests = [
      t({ id: "a", status: "failed", performedBy: "op", startedAt: "2026-11-02T03:00:00Z" }),
      t({ id: "b", status: "passed", startedAt: "2026-11-09T03:00:00Z" }),
    ];
    expect(cellFor(tests, "2026-11", current, "2025-01")).toEqual({
      month: "2026-11",
      state: "unsigned",
      testId: "b",
      tests: 2,
    });
  });

  test("two tests of the same state: the newest", () => {
    const tests = [
      t({ id: "old", status: "failed", startedAt: "2026-11-02T03:00:00Z" }),
      t({ id: "new", status: "failed", startedAt: "2026-11-20T03:00:00Z" }),
    ];
    expect(cellFor(tests, "2026-11", current, "2025-01").testId).toBe("new");
  });

  test("a test in a month before the database was added still shows", () => {
    expect(cellFor([t({ month: "2026-01" })], "2026-01", current, "2026-06").state).toBe("unsigned");
  });
});

test("lastMonths: twelve months ending with the current one, across a year boundary", () => {
  const months = lastMonths(new Date("2026-02-28T23:59:59Z"));
  expect(months).toHaveLength(12);
  expect(months[0]).toBe("2025-03");
  expect(months.at(-1)).toBe("2026-02");
  expect(lastMonths(new Date("2026-03-31T12:00:00Z"), 2)).toEqual(["2026-02", "2026-03"]);
  expect(monthLabel("2026-02")).toBe("Feb 2026");
});

test("calendarRows and overdueMonths", () => {
  const now = new Date("2026-12-01T10:00:00Z");
  const dbs = [
    { id: "a", name: "alpha", environment: "production", createdAt: "2026-09-15T00:00:00Z" },
    { id: "b", name: "beta", environment: "staging", createdAt: "2026-12-01T00:00:00Z" },
  ];
  const tests = [t({ id: "x", databaseId: "a", month: "2026-10", performedBy: "op", countersignedBy: "ap" })];
  const { months, rows } = calendarRows(dbs, tests, now);
  expect(months.at(-1)).toBe("2026-12");
  const alpha = Object.fromEntries(rows[0]!.cells.map((c) => [c.month, c.state]));
  expect(alpha).toMatchObject({
    "2026-08": "not_done",
    "2026-09": "overdue",
    "2026-10": "signed",
    "2026-11": "overdue",
    "2026-12": "due",
  });
  expect(rows[1]!.cells.filter((c) => c.state === "overdue")).toEqual([]);
  // A test from before the database was added: tests were expected from then on.
  const early = calendarRows(dbs, [t({ databaseId: "b", month: "2026-07" })], now).rows[1]!;
  expect(early.cells.filter((c) => c.state === "overdue").map((c) => c.month)).toEqual([
    "2026-08",
    "2026-09",
    "2026-10",
    "2026-11",
  ]);
  expect(early.cells.find((c) => c.month === "2026-06")!.state).toBe("not_done");
  expect(overdueMonths(rows)).toEqual([{ databaseId: "a", name: "alpha", months: ["2026-09", "2026-11"] }]);
});

describe("drillDues", () => {
  const scenarios = [
    { id: "s1", title: "One" },
    { id: "s2", title: "Two" },
    { id: "s3", title: "Three" },
  ];
  const now = new Date("2026-12-01T00:00:00Z");
  test("the last closed drill counts; over 12 months, or never, is overdue", () => {
    const dues = drillDues(
      scenarios,
      [
        { id: "d1", scenarioId: "s1", closedAt: "2025-11-30T00:00:00Z" },
        { id: "d2", scenarioId: "s1", closedAt: "2026-03-01T00:00:00Z" },
        { id: "d3", scenarioId: "s2", closedAt: "2025-11-30T23:00:00Z" },
        { id: "d4", scenarioId: "s2", closedAt: null },
      ],
      now,
    );
    expect(dues[0]).toMatchObject({ lastDrillId: "d2", overdue: false, dueBy: "2027-03-01T00:00:00.000Z" });
    expect(dues[1]).toMatchObject({ lastDrillId: "d3", overdue: true });
    expect(dues[2]).toMatchObject({ lastClosedAt: null, dueBy: null, overdue: true });
  });
  test("exactly 12 months ago is still on time", () => {
    const [d] = drillDues(
      scenarios.slice(0, 1),
      [{ id: "d", scenarioId: "s1", closedAt: "2025-12-01T00:00:00Z" }],
      now,
    );
    expect(d!.overdue).toBe(false);
  });
});
