import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { Badge, EnvironmentBadge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { requirePageUser } from "@/lib/auth/guard";
import { CELL_DISPLAY, CELL_STATES, lastMonths, monthLabel, type CalendarCell } from "@/lib/monthly-tests/calendar";
import { testCalendar } from "@/lib/monthly-tests/record-queries";
import { formatUtc } from "@/lib/format/time";
import { CELL_CLASS } from "./cell-style";

export const metadata: Metadata = { title: "Monthly tests" };
export const dynamic = "force-dynamic";

function cellHref(cell: CalendarCell, planId: string | null): string {
  if (cell.testId) return `/tests/${cell.testId}`;
  return planId ? `/tests/plans/${planId}` : "/tests/plans";
}

function cellTitle(name: string, cell: CalendarCell): string {
  const d = CELL_DISPLAY[cell.state];
  const more = cell.tests > 1 ? ` (${cell.tests} tests this month; the best is shown)` : "";
  return `${name}, ${monthLabel(cell.month)}: ${d.label}${more}. ${d.meaning}`;
}

export default async function MonthlyTestsPage() {
  await requirePageUser();
  const now = new Date();
  const { months, rows, drills } = await testCalendar(now);
  const from = `${lastMonths(now, 12)[0]}-01`;
  const to = now.toISOString().slice(0, 10);
  return (
    <>
      <PageHeader
        title="Monthly tests"
        description="Each database's backup is restored and checked once a month, then signed by who performed it and countersigned by an approver. Months are UTC."
        actions={
          <>
            <Link href="/tests/plans" className={buttonClass("secondary")}>
              Test plans
            </Link>
            <Link href="/tests/trends" className={buttonClass("secondary")}>
              Trends
            </Link>
          </>
        }
      />
      <div className="space-y-4">
        <Card title="Calendar: the last 12 months">
          <ul className="mb-3 flex flex-wrap gap-x-3 gap-y-1 text-xs" aria-label="Legend" data-testid="calendar-legend">
            {CELL_STATES.map((s) => (
              <li key={s} className="flex items-center gap-1" title={CELL_DISPLAY[s].meaning}>
                <span
                  className={`inline-flex h-5 min-w-5 items-center justify-center rounded border px-1 ${CELL_CLASS[s]}`}
                >
                  {CELL_DISPLAY[s].symbol}
                </span>
                <span>
                  <span className="font-medium">{CELL_DISPLAY[s].label}</span>
                  <span className="sr-only">: {CELL_DISPLAY[s].meaning}</span>
                </span>
              </li>
            ))}
          </ul>
          {rows.length === 0 ? (
            <EmptyState title="No databases yet">
              Add one under <Link href="/settings/databases">Settings → Databases</Link>, then give it a test plan.
            </EmptyState>
          ) : (
            <>
              {/* Wide screens: databases × months. */}
              <div className="hidden max-w-full overflow-x-auto md:block">
                <table className="w-full border-separate border-spacing-1 text-xs" data-testid="calendar-grid">
                  <caption className="sr-only">Monthly test state per database and month</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="text-left font-medium text-slate-500">
                        Database
                      </th>
                      {months.map((m, i) => (
                        <th key={m} scope="col" className="whitespace-nowrap font-medium text-slate-500">
                          {monthLabel(m, i === 0 || m.endsWith("-01"))}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.database.id}>
                        <th scope="row" className="max-w-48 pr-2 text-left font-medium">
                          <span className="block truncate" title={r.database.name}>
                            {r.database.name}
                          </span>
                          <span className="font-normal text-slate-500">{r.database.environment}</span>
                        </th>
                        {r.cells.map((c) => (
                          <td key={c.month} className="p-0">
                            <Link
                              href={cellHref(c, r.planId)}
                              title={cellTitle(r.database.name, c)}
                              aria-label={cellTitle(r.database.name, c)}
                              data-testid="calendar-cell"
                              data-database={r.database.name}
                              data-month={c.month}
                              data-state={c.state}
                              className={`flex h-10 flex-col items-center justify-center rounded border leading-tight hover:opacity-80 ${CELL_CLASS[c.state]}`}
                            >
                              <span aria-hidden>{CELL_DISPLAY[c.state].symbol}</span>
                              <span className="whitespace-nowrap text-[11px]">{CELL_DISPLAY[c.state].label}</span>
                            </Link>
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {/* Phones: one list per database, newest month first. */}
              <div className="space-y-4 md:hidden" data-testid="calendar-list">
                {rows.map((r) => (
                  <section key={r.database.id} aria-label={`${r.database.name} by month`}>
                    <h3 className="mb-1 flex flex-wrap items-center gap-2 text-sm font-medium [overflow-wrap:anywhere]">
                      {r.database.name} <EnvironmentBadge environment={r.database.environment} />
                    </h3>
                    <ul className="grid grid-cols-3 gap-1 text-xs">
                      {[...r.cells].reverse().map((c) => (
                        <li key={c.month}>
                          <Link
                            href={cellHref(c, r.planId)}
                            aria-label={cellTitle(r.database.name, c)}
                            data-testid="calendar-cell-phone"
                            data-database={r.database.name}
                            data-month={c.month}
                            data-state={c.state}
                            className={`flex items-center justify-between gap-1 rounded border px-1.5 py-1 ${CELL_CLASS[c.state]}`}
                          >
                            <span className="whitespace-nowrap">
                              {monthLabel(c.month, c.month.endsWith("-01") || c === r.cells.at(-1))}
                            </span>
                            <span className="whitespace-nowrap">
                              <span aria-hidden>{CELL_DISPLAY[c.state].symbol}</span> {CELL_DISPLAY[c.state].label}
                            </span>
                          </Link>
                        </li>
                      ))}
                    </ul>
                  </section>
                ))}
              </div>
            </>
          )}
        </Card>

        <Card title="Annual DR drill">
          <p className="mb-2 text-sm text-slate-600">
            Each scenario&apos;s runbook is drilled at least once a year; it is overdue 12 months after its last closed
            drill.
          </p>
          <ul className="divide-y divide-slate-100 text-sm" data-testid="drill-dues">
            {drills.map((d) => (
              <li key={d.scenarioId} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                <span className="font-medium">{d.title}</span>
                <span className="flex flex-wrap items-center gap-2">
                  {d.lastClosedAt && d.lastDrillId ? (
                    <Link href={`/drills/${d.lastDrillId}`} className="text-sky-700 hover:underline">
                      last drilled {formatUtc(d.lastClosedAt).slice(0, 10)}
                    </Link>
                  ) : (
                    <span className="text-slate-600">never drilled</span>
                  )}
                  {d.overdue ? (
                    <Badge kind="bad">■ overdue</Badge>
                  ) : (
                    <Badge kind="good" title={`due by ${d.dueBy?.slice(0, 10)}`}>
                      ✓ due by {d.dueBy?.slice(0, 10)}
                    </Badge>
                  )}
                </span>
              </li>
            ))}
          </ul>
          <Link href="/drills" className="mt-2 inline-block text-sm text-sky-700 hover:underline">
            Schedule a drill →
          </Link>
        </Card>

        <Card title="Evidence">
          <form method="get" action="/api/monthly-tests/evidence" className="flex flex-wrap items-end gap-3">
            <label className="text-sm">
              <span className="mb-1 block font-medium">From (UTC)</span>
              <input type="date" name="from" defaultValue={from} className={inputClass} required />
            </label>
            <label className="text-sm">
              <span className="mb-1 block font-medium">To (UTC)</span>
              <input type="date" name="to" defaultValue={to} className={inputClass} required />
            </label>
            <div className="flex flex-wrap gap-2">
              <button type="submit" name="format" value="csv" className={buttonClass("secondary")}>
                CSV
              </button>
              <button type="submit" name="format" value="json" className={buttonClass("secondary")}>
                JSON
              </button>
              <button type="submit" formAction="/tests/report" className={buttonClass("secondary")}>
                Printable report
              </button>
            </div>
          </form>
          <p className="mt-2 text-xs text-slate-600">
            Every test started in the range, with its numbers, signatures, remarks, action items and audit trail. The
            JSON follows the schema{" "}
            <a href="/schemas/monthly-test-evidence.schema.json" className="text-sky-700 hover:underline">
              monthly-test-evidence.schema.json
            </a>
            .
          </p>
        </Card>
      </div>
    </>
  );
}
