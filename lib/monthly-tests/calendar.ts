import type { StateDisplay } from "@/lib/runner/states";

// The monthly-test calendar and the annual drill, as pure rules: which state each database's
// month is in, and when each scenario's drill is overdue. The calendar page, the dashboard and
// the overdue alert all read these, so a month cannot be "overdue" on one and "due" on another.

export const CELL_STATES = ["signed", "passed", "unsigned", "failed", "running", "due", "overdue", "not_done"] as const;
export type CellState = (typeof CELL_STATES)[number];

export const CELL_DISPLAY: Record<CellState, StateDisplay> = {
  signed: {
    label: "signed",
    tone: "good",
    symbol: "✓",
    meaning: "Passed, signed by who performed it and countersigned by an approver; the record is locked.",
  },
  passed: {
    label: "passed",
    tone: "good",
    symbol: "●",
    meaning: "Passed and signed by who performed it; waits for an approver's countersignature.",
  },
  unsigned: {
    label: "unsigned",
    tone: "warn",
    symbol: "▲",
    meaning: "Passed, but nobody has signed it yet: the operator who ran or reviewed it signs first.",
  },
  failed: {
    label: "failed",
    tone: "bad",
    symbol: "✗",
    meaning: "The test failed or was partial: open it for the reason and its action items.",
  },
  running: { label: "running", tone: "info", symbol: "◌", meaning: "A test is running now." },
  due: { label: "due", tone: "info", symbol: "○", meaning: "This month's test has not been done yet." },
  overdue: { label: "overdue", tone: "bad", symbol: "■", meaning: "A past month with no test: it was missed." },
  not_done: {
    label: "not done",
    tone: "neutral",
    symbol: "–",
    meaning:
      "No test, in a month before the database was added to Lifeboat (or had its first test): nothing was expected.",
  },
};

/** What the calendar needs of a test record. */
export type CalendarTest = {
  id: string;
  databaseId: string;
  month: string;
  status: string;
  performedBy: string | null;
  countersignedBy: string | null;
  startedAt: Date | string;
};

export type CalendarDatabase = { id: string; name: string; environment: string; createdAt: Date | string };

/** "YYYY-MM" of a date, in UTC. */
export function monthOf(d: Date | string): string {
  return new Date(d).toISOString().slice(0, 7);
}

/** The `count` months ending with `now`'s, oldest first ("YYYY-MM", UTC). */
export function lastMonths(now: Date, count = 12): string[] {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - i, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Nov 2026" for "2026-11". */
export function monthLabel(month: string, withYear = true): string {
  const [y, m] = month.split("-");
  const name = MONTH_NAMES[Number(m) - 1] ?? month;
  return withYear ? `${name} ${y}` : name;
}

/** One test's state on the calendar. */
export function testState(t: Pick<CalendarTest, "status" | "performedBy" | "countersignedBy">): CellState {
  if (t.status === "running") return "running";
  if (t.status === "failed" || t.status === "partial") return "failed";
  if (t.status !== "passed") return "failed";
  if (t.countersignedBy) return "signed";
  if (t.performedBy) return "passed";
  return "unsigned";
}

// A month with several tests (a failed one, then a re-test) shows its best one: the month is
// as good as the best evidence it has.
const RANK: Record<CellState, number> = {
  signed: 0,
  passed: 1,
  unsigned: 2,
  failed: 3,
  running: 4,
  due: 5,
  overdue: 6,
  not_done: 7,
};

export type CalendarCell = {
  month: string;
  state: CellState;
  /** The test the cell shows (the best of the month), or null. */
  testId: string | null;
  /** How many tests the month has. */
  tests: number;
};

export function cellFor(
  tests: readonly CalendarTest[],
  month: string,
  currentMonth: string,
  addedMonth: string,
): CalendarCell {
  const mine = tests.filter((t) => t.month === month);
  if (mine.length > 0) {
    const best = [...mine].sort(
      (a, b) =>
        RANK[testState(a)] - RANK[testState(b)] || new Date(b.startedAt).getTime() - new Date(a.startedAt).getTime(),
    )[0]!;
    return { month, state: testState(best), testId: best.id, tests: mine.length };
  }
  let state: CellState;
  if (month > currentMonth) state = "not_done";
  else if (month === currentMonth) state = "due";
  else if (month < addedMonth) state = "not_done";
  else state = "overdue";
  return { month, state, testId: null, tests: 0 };
}

export type CalendarRow = { database: CalendarDatabase; cells: CalendarCell[] };

export function calendarRows(
  databases: readonly CalendarDatabase[],
  tests: readonly CalendarTest[],
  now: Date,
  count = 12,
): { months: string[]; rows: CalendarRow[] } {
  const months = lastMonths(now, count);
  const current = monthOf(now);
  const rows = databases.map((database) => {
    const own = tests.filter((t) => t.databaseId === database.id);
    // Tests are expected from the month Lifeboat first knew the database, or from its first
    // test when that is earlier (records kept from before it was added here).
    const added = [monthOf(database.createdAt), ...own.map((t) => t.month)].sort()[0]!;
    return { database, cells: months.map((m) => cellFor(own, m, current, added)) };
  });
  return { months, rows };
}

/** Per database, the past months of the window with no test (for the dashboard and the alert). */
export function overdueMonths(rows: readonly CalendarRow[]): { databaseId: string; name: string; months: string[] }[] {
  return rows
    .map((r) => ({
      databaseId: r.database.id,
      name: r.database.name,
      months: r.cells.filter((c) => c.state === "overdue").map((c) => c.month),
    }))
    .filter((r) => r.months.length > 0);
}

/**
 * The overdue months an alert is raised for: only databases with an enabled test plan, and only
 * months from the plan's own month on (a plan cannot be late for a month before it existed).
 * The calendar and the dashboard show every overdue month; an alert is for what was promised.
 */
export function alertableOverdue(
  rows: readonly CalendarRow[],
  plans: readonly { databaseId: string; enabled: boolean; createdAt: Date | string }[],
): { databaseId: string; name: string; months: string[] }[] {
  return overdueMonths(rows)
    .map((o) => {
      const plan = plans.find((p) => p.databaseId === o.databaseId && p.enabled);
      return plan ? { ...o, months: o.months.filter((m) => m >= monthOf(plan.createdAt)) } : { ...o, months: [] };
    })
    .filter((o) => o.months.length > 0);
}

// --- the annual DR drill -------------------------------------------------------------------------

export const DRILL_INTERVAL_MONTHS = 12;

export type DrillDue = {
  scenarioId: string;
  title: string;
  lastClosedAt: string | null;
  lastDrillId: string | null;
  /** When the next drill is due: 12 months after the last closed one; null when never drilled. */
  dueBy: string | null;
  overdue: boolean;
};

function addMonths(d: Date, months: number): Date {
  const out = new Date(d);
  out.setUTCMonth(out.getUTCMonth() + months);
  return out;
}

/** Each scenario's last closed drill, and whether the annual one is overdue (never drilled counts). */
export function drillDues(
  scenarios: readonly { id: string; title: string }[],
  drills: readonly { id: string; scenarioId: string; closedAt: Date | string | null }[],
  now: Date,
): DrillDue[] {
  return scenarios.map((s) => {
    const last = drills
      .filter((d) => d.scenarioId === s.id && d.closedAt)
      .sort((a, b) => new Date(b.closedAt!).getTime() - new Date(a.closedAt!).getTime())[0];
    if (!last)
      return { scenarioId: s.id, title: s.title, lastClosedAt: null, lastDrillId: null, dueBy: null, overdue: true };
    const dueBy = addMonths(new Date(last.closedAt!), DRILL_INTERVAL_MONTHS);
    return {
      scenarioId: s.id,
      title: s.title,
      lastClosedAt: new Date(last.closedAt!).toISOString(),
      lastDrillId: last.id,
      dueBy: dueBy.toISOString(),
      overdue: dueBy.getTime() < now.getTime(),
    };
  });
}
