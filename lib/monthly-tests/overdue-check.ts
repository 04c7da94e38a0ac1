import "server-only";
import { db } from "@/lib/db";
import { raiseAlert, resolveAlert } from "@/lib/alerts/incidents";
import { SCENARIOS } from "@/lib/scenarios/registry";
import { alertableOverdue, calendarRows, drillDues, lastMonths, monthLabel } from "@/lib/monthly-tests/calendar";

// Run with the alert checks (every few minutes): a database whose test plan promised a monthly
// test that did not happen, and a scenario whose annual drill is more than 12 months old, are
// alert incidents until the test or the drill is done. A scenario never drilled is shown on the
// calendar and the dashboard, but not alerted: a fresh install would otherwise alert at once.

export async function checkTestsAndDrillsOverdue(
  opts: { now?: Date } = {},
): Promise<{ testsOverdue: string[]; drillsOverdue: string[] }> {
  const now = opts.now ?? new Date();
  const first = lastMonths(now, 12)[0]!;
  const [databases, tests, plans, drills] = await Promise.all([
    db.database.findMany({ select: { id: true, name: true, environment: true, createdAt: true } }),
    db.backupTest.findMany({
      where: { month: { gte: first } },
      select: {
        id: true,
        databaseId: true,
        month: true,
        status: true,
        performedBy: true,
        countersignedBy: true,
        startedAt: true,
      },
    }),
    db.testPlan.findMany({ select: { databaseId: true, enabled: true, createdAt: true } }),
    db.drill.findMany({ where: { status: "closed" }, select: { id: true, scenarioId: true, closedAt: true } }),
  ]);
  const overdue = alertableOverdue(calendarRows(databases, tests, now).rows, plans);
  for (const d of databases) {
    const o = overdue.find((x) => x.databaseId === d.id);
    const ref = { event: "monthly_test_overdue" as const, databaseId: d.id };
    if (o)
      await raiseAlert({
        ...ref,
        now,
        link: "/tests",
        message: `No monthly test of ${d.name} for ${o.months.map((m) => monthLabel(m)).join(", ")}, although its test plan asks for one. Run the test now (Monthly tests → Test plans), then sign it.`,
      });
    else await resolveAlert({ ...ref, now, resolution: `Every month of ${d.name}'s test plan has a test.` });
  }
  const dues = drillDues(
    SCENARIOS.map((s) => ({ id: s.id, title: s.meta.title })),
    drills,
    now,
  );
  const late = dues.filter((d) => d.overdue && d.lastClosedAt);
  for (const d of dues) {
    const ref = { event: "drill_overdue" as const, subject: d.scenarioId };
    if (d.overdue && d.lastClosedAt)
      await raiseAlert({
        ...ref,
        now,
        link: "/drills",
        message: `The annual DR drill of "${d.title}" is overdue: the last one closed ${d.lastClosedAt.slice(0, 10)}, more than 12 months ago. Schedule a drill (Drills → Schedule a drill).`,
      });
    else await resolveAlert({ ...ref, now, resolution: `"${d.title}" was drilled within the last 12 months.` });
  }
  return { testsOverdue: overdue.map((o) => o.databaseId), drillsOverdue: late.map((d) => d.scenarioId) };
}
