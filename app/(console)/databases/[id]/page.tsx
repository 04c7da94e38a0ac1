import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { EnvironmentBadge, RunStatusBadge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { BackupHistoryChart } from "@/components/charts/backup-history-chart";
import { requirePageUser } from "@/lib/auth/guard";
import { NotFoundError } from "@/lib/errors";
import { databaseHistory } from "@/lib/databases/backup-history";
import { scenarioTitle } from "@/lib/scenarios/registry";
import { outcomeWords } from "@/lib/drills/stopwatch";
import { formatDuration } from "@/lib/format/time";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { backupSetupOf } from "@/lib/schedules/queries";
import { BACKUP_RUN_FORMAT_LABELS, backupRunFormatSchema } from "@/lib/backups/backup-run-kind";
import { BackUpNow } from "./back-up-now";
import { ScheduleForm } from "./schedule-form";
import { WalArchiveSection } from "./wal-archive";
import { walArchiveView } from "@/lib/pitr/queries";

export const metadata: Metadata = { title: "Database" };

export default async function DatabasePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const h = await databaseHistory((await params).id).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const d = h.database;
  const setup = await backupSetupOf(d.id);
  const walArchive = await walArchiveView(d.id);
  const testPlanId = (await db.testPlan.findUnique({ where: { databaseId: d.id }, select: { id: true } }))?.id ?? null;
  const schedule = setup.schedule;
  const scheduleFormat = backupRunFormatSchema.safeParse(schedule?.format).data ?? "custom";
  return (
    <>
      <PageHeader
        title={d.name}
        description={
          <>
            <Link href="/" className="text-sky-700 hover:underline">
              Dashboard
            </Link>{" "}
            › database{" "}
            <span className="break-all font-mono text-xs">
              {d.dbName} on {d.server}
            </span>
          </>
        }
      />
      <Card className="text-sm">
        <dl className="grid gap-x-6 gap-y-1 sm:grid-cols-2">
          <div>
            <dt className="inline text-slate-500">Environment: </dt>
            <dd className="inline">
              <EnvironmentBadge environment={d.environment} />
            </dd>
          </div>
          <div>
            <dt className="inline text-slate-500">RPO: </dt>
            <dd className="inline tabular">{d.rpoHours} h</dd>
          </div>
          <div>
            <dt className="inline text-slate-500">RTO: </dt>
            <dd className="inline tabular">
              corruption {d.rto.corruption} min · infrastructure loss {d.rto.infraLoss} min · data-center failure{" "}
              {d.rto.dcFailure} min
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="inline text-slate-500">Backups from: </dt>
            <dd className="inline [overflow-wrap:anywhere]">
              {d.sources.length === 0
                ? "no location yet (Settings → Databases)"
                : d.sources.map((s) => `${s.location} (${s.patterns})`).join("; ")}
            </dd>
          </div>
          <div>
            <dt className="inline text-slate-500">TLS: </dt>
            <dd className="inline">
              {d.sslmode}
              {d.caCertificate ? " with its CA certificate" : ""}
              {d.environment === "production" && d.sslmode !== "verify-full" && (
                <span className="text-amber-800"> (verify-full is recommended for production)</span>
              )}
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="inline text-slate-500">Migration head: </dt>
            <dd className="inline [overflow-wrap:anywhere]">{d.migrationHead}</dd>
          </div>
        </dl>
        {d.migrationHeadNote && (
          <p className="mt-2 rounded-md border border-amber-300 bg-amber-50 p-2 text-amber-900" data-testid="head-note">
            {d.migrationHeadNote} (
            <Link href="/settings/databases" className="text-sky-700 hover:underline">
              Settings → Databases
            </Link>
            )
          </p>
        )}
        <p className="mt-2 flex flex-wrap gap-3">
          <Link href={`/backups?database=${d.id}`} className="text-sky-700 hover:underline">
            Its backups
          </Link>
          <Link href={`/restores/new?database=${d.id}`} className="text-sky-700 hover:underline">
            Restore it
          </Link>
          <Link
            href={testPlanId ? `/tests/plans/${testPlanId}` : `/tests/plans/new?database=${d.id}`}
            className="text-sky-700 hover:underline"
            data-testid="database-test-plan"
          >
            {testPlanId ? "Its monthly test plan" : "Add a monthly test plan"}
          </Link>
        </p>
      </Card>

      <Card title="Backups Lifeboat takes" className="mt-4">
        <div className="grid gap-4 lg:grid-cols-2">
          <section aria-labelledby="schedule-heading" className="min-w-0 space-y-2 text-sm">
            <h3 id="schedule-heading" className="font-semibold">
              Schedule
            </h3>
            {schedule ? (
              <dl className="space-y-1" data-testid="schedule">
                <div>
                  <dt className="inline text-slate-500">When: </dt>
                  <dd className="inline">
                    <span className="font-mono">{schedule.cron}</span> (UTC){schedule.enabled ? "" : " — turned off"}
                  </dd>
                </div>
                <div>
                  <dt className="inline text-slate-500">Next run: </dt>
                  <dd className="inline" data-testid="schedule-next-run">
                    {schedule.nextRunAt ? <Time value={schedule.nextRunAt} relative /> : "none (the schedule is off)"}
                  </dd>
                </div>
                <div className="[overflow-wrap:anywhere]">
                  <dt className="inline text-slate-500">To: </dt>
                  <dd className="inline">
                    {schedule.locationName}, {BACKUP_RUN_FORMAT_LABELS[scheduleFormat]}, labelled daily
                    {schedule.copyLocationNames.length > 0 && `; copied to ${schedule.copyLocationNames.join(", ")}`}
                  </dd>
                </div>
                {schedule.lastRunId && (
                  <div>
                    <dt className="inline text-slate-500">Last scheduled run: </dt>
                    <dd className="inline">
                      <Link href={`/restores/${schedule.lastRunId}`} className="text-sky-700 hover:underline">
                        {schedule.lastDueAt ? (
                          <>
                            due <Time value={schedule.lastDueAt} />
                          </>
                        ) : (
                          "open"
                        )}
                      </Link>
                    </dd>
                  </div>
                )}
              </dl>
            ) : (
              <p className="text-slate-600" data-testid="schedule">
                No schedule: Lifeboat takes no backup of {d.name} by itself.{" "}
                {hasRole(user.role, "admin") ? "Add one below." : "An admin can add one."}
              </p>
            )}
            {hasRole(user.role, "admin") && setup.locations.length > 0 && (
              <ScheduleForm
                databaseId={d.id}
                schedule={schedule}
                locations={setup.locations}
                defaultLocationId={setup.defaultLocationId}
              />
            )}
          </section>
          <section aria-labelledby="back-up-now-heading" className="min-w-0 space-y-2">
            <h3 id="back-up-now-heading" className="text-sm font-semibold">
              Back up now
            </h3>
            {hasRole(user.role, "operator") ? (
              <BackUpNow
                databaseId={d.id}
                databaseName={d.name}
                locations={setup.locations}
                defaultLocationId={setup.defaultLocationId}
                defaultFormat={scheduleFormat}
              />
            ) : (
              <p className="text-sm text-slate-600">Operators take backups by hand; you can follow them here.</p>
            )}
          </section>
        </div>
        <h3 className="mt-4 text-sm font-semibold">Recent backup runs</h3>
        {setup.runs.length === 0 ? (
          <p className="text-sm text-slate-600">No backup run yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="backup-runs">
            {setup.runs.map((r) => (
              <li key={r.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5">
                <Link href={`/restores/${r.id}`} className="text-sky-700 hover:underline">
                  <Time value={r.createdAt} />
                </Link>
                <RunStatusBadge status={r.status} />
                <span className="text-slate-600">by {r.createdBy}</span>
                {r.verdict && <span className="min-w-0 text-slate-700 [overflow-wrap:anywhere]">{r.verdict}</span>}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <WalArchiveSection databaseId={d.id} databaseName={d.name} role={user.role} view={walArchive} />

      <Card title={`Backups since ${h.since.slice(0, 10)}`} className="mt-4">
        {h.backups.length === 0 ? (
          <p className="text-sm text-slate-600">
            No backups of {d.name} in the catalog for this period: check its locations and key patterns, then sync
            (Backups → Sync all now).
          </p>
        ) : (
          <BackupHistoryChart database={d.name} backups={h.backups} />
        )}
      </Card>

      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <Card title="Restore runs">
          {h.runs.length === 0 ? (
            <p className="text-sm text-slate-600">No restore run yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {h.runs.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5">
                  <Link href={`/restores/${r.id}`} className="text-sky-700 hover:underline">
                    {scenarioTitle(r.scenarioId)}
                  </Link>
                  <RunStatusBadge status={r.status} />
                  <Time value={r.createdAt} />
                  {r.elapsedMs !== null && (
                    <span className="tabular text-slate-600">{formatDuration(r.elapsedMs / 1000)}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Drills">
          {h.drills.length === 0 ? (
            <p className="text-sm text-slate-600">No drill on this database yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {h.drills.map((x) => (
                <li key={x.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5">
                  <Link href={`/drills/${x.id}`} className="text-sky-700 hover:underline">
                    {scenarioTitle(x.scenarioId)}
                  </Link>
                  <span>{x.status === "closed" ? outcomeWords(x.outcome) : x.status}</span>
                  <Time value={x.scheduledAt} />
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
