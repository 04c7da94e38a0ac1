import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { Badge, RunStatusBadge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { DRILL_HISTORY_POINTS, listDrills } from "@/lib/drills/queries";
import { wizardDatabases } from "@/lib/restores/wizard";
import { scenarioChoices, scenarioTitle } from "@/lib/scenarios/registry";
import { formatDuration } from "@/lib/format/time";
import { db } from "@/lib/db";
import { ScheduleForm } from "./schedule-form";
import { DrillStatusBadge } from "@/components/drill-status-badge";
import { DrillTotalsChart } from "@/components/charts/drill-totals-chart";
import { outcomeWords } from "@/lib/drills/stopwatch";

export const metadata: Metadata = { title: "Drills" };

export default async function DrillsPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const user = await requirePageUser();
  const requested = Number((await searchParams).page) || 1;
  const [{ drills, scenarios, openActions, page, pages, total }, databases, users] = await Promise.all([
    listDrills({ page: requested }),
    hasRole(user.role, "operator") ? wizardDatabases() : Promise.resolve([]),
    db.user.findMany({ where: { disabled: false }, select: { email: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  return (
    <>
      <PageHeader
        title="Drills"
        description="Scheduled DR exercises: a stopwatch per step against the scenario's RTO, issues and improvements, and a report."
      />
      <div className="grid gap-4 lg:grid-cols-2">
        {scenarios.map((s) => (
          <Card
            key={s.id}
            title={
              <span className="flex flex-wrap items-center gap-2">
                {s.title} · v{s.version} <DrillStatusBadge status={s.status} />
              </span>
            }
          >
            {s.history.length === 0 ? (
              <p className="text-xs text-slate-500">No closed drill yet.</p>
            ) : (
              <>
                <DrillTotalsChart scenario={s.title} drills={s.history} />
                {s.history.length === DRILL_HISTORY_POINTS && (
                  <p className="mt-1 text-xs text-slate-500">The last {DRILL_HISTORY_POINTS} closed drills.</p>
                )}
              </>
            )}
          </Card>
        ))}
      </div>
      <Card title="Drills" className="mt-4">
        {drills.length === 0 && total > 0 ? (
          <p className="text-sm text-slate-600">
            No drills on page {requested}.{" "}
            <Link className="text-sky-700" href="/drills">
              Back to the newest
            </Link>
          </p>
        ) : drills.length === 0 ? (
          <p className="text-sm text-slate-600">
            No drills yet{hasRole(user.role, "operator") ? ": schedule one below." : "."}
          </p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="drills-list">
            {drills.map((d) => (
              <li key={d.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2">
                <Link href={`/drills/${d.id}`} className="font-medium text-sky-700 hover:underline">
                  {scenarioTitle(d.scenarioId)} on {d.databaseName}
                </Link>
                <Time value={d.scheduledAt} />
                {d.status === "closed" ? (
                  <Badge kind={d.outcome === "met" ? "good" : "bad"}>{outcomeWords(d.outcome)}</Badge>
                ) : (
                  <RunStatusBadge status={d.status === "running" ? "running" : "queued"} />
                )}
                {d.status === "closed" && (
                  <span className="tabular text-slate-600">
                    {formatDuration(d.totalMs / 1000)} vs RTO {d.rtoMinutes} min
                  </span>
                )}
                <span className="text-xs text-slate-500">runbook v{d.scenarioVersion}</span>
              </li>
            ))}
          </ul>
        )}
        {pages > 1 && (
          <nav aria-label="Pages" className="mt-3 flex gap-3 text-sm">
            <span>
              Page {page} of {pages} ({total} drills)
            </span>
            {page > 1 && (
              <Link className="text-sky-700" href={`/drills?page=${page - 1}`}>
                ‹ Newer
              </Link>
            )}
            {page < pages && (
              <Link className="text-sky-700" href={`/drills?page=${page + 1}`}>
                Older ›
              </Link>
            )}
          </nav>
        )}
      </Card>
      <Card title="Open action items" className="mt-4">
        {openActions.length === 0 ? (
          <p className="text-sm text-slate-600">None.</p>
        ) : (
          <ul className="text-sm" data-testid="open-actions">
            {openActions.map((a) => (
              <li key={a.id} className="py-1">
                {a.text} — <strong>{a.owner}</strong>, due <Time value={a.dueDate} /> ·{" "}
                <Link className="text-sky-700" href={`/drills/${a.drillId}`}>
                  drill
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
      {hasRole(user.role, "operator") && (
        <Card title="Schedule a drill" className="mt-4">
          <ScheduleForm
            scenarios={scenarioChoices()}
            databases={databases}
            users={users}
            canAllowProduction={hasRole(user.role, "admin")}
          />
        </Card>
      )}
      <p className="mt-2 text-xs text-slate-500">
        <Badge kind="neutral">note</Badge> A drill uses a staging or test database; only an admin can allow production,
        explicitly.
      </p>
    </>
  );
}
