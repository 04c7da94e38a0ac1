import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { Time } from "@/components/time";
import { requirePageUser } from "@/lib/auth/guard";
import { listAuditEvents } from "@/lib/audit/queries";
import { getHealth } from "@/lib/health";
import { databaseFreshness } from "@/lib/backups/freshness-query";
import { FreshnessTable } from "@/components/freshness-table";
import { RunStatusBadge } from "@/components/ui/badges";
import { listKeptScratchDatabases } from "@/lib/restores/queries";
import { hasRole } from "@/lib/auth/roles";
import { KeptScratchDatabases } from "./kept-scratch-databases";
import { recoveryInstancesForUser } from "@/lib/pitr/recovery-queries";
import { RECOVERY_STATUS_DISPLAY } from "@/lib/pitr/recovery-states";
import { Badge } from "@/components/ui/badges";
import { SCENARIOS, scenarioTitle } from "@/lib/scenarios/registry";
import { runbookDrillStatus, upcomingDrillsFor } from "@/lib/drills/queries";
import { listOpenIncidents } from "@/lib/alerts/queries";
import { OpenIncidents } from "./open-incidents";
import { pendingApprovals, recentBreakGlass } from "@/lib/approvals/queries";
import { BreakGlassBanner, PendingApprovalsCard } from "./approvals-card";
import { monthlyTestAttention } from "@/lib/monthly-tests/record-queries";
import { MonthlyTestsCard } from "./monthly-tests-card";
import { walArchiveVerdicts } from "@/lib/pitr/queries";
import { WalArchivesCard } from "./wal-archives-card";
import { activeRestoreRuns, keptTestScratchDatabases, locationSyncHealth } from "@/lib/dashboard/queries";
import { KeptTestScratchDatabases } from "./kept-test-scratch-databases";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requirePageUser();
  // One round: the loaders do not depend on one another.
  const [
    health,
    audit,
    freshness,
    locations,
    activeRuns,
    upcoming,
    drillStatus,
    keptScratch,
    keptTestScratch,
    openIncidents,
    approvals,
    breakGlass,
    testAttention,
    recoveryInstances,
    walArchives,
  ] = await Promise.all([
    getHealth(),
    listAuditEvents({ page: 1 }),
    databaseFreshness(),
    locationSyncHealth(),
    activeRestoreRuns(),
    upcomingDrillsFor(user.email),
    runbookDrillStatus(),
    listKeptScratchDatabases(),
    keptTestScratchDatabases(),
    listOpenIncidents(),
    pendingApprovals(),
    recentBreakGlass(),
    monthlyTestAttention(),
    recoveryInstancesForUser(),
    walArchiveVerdicts(),
  ]);
  const recoveryAttention = recoveryInstances.instances.filter((i) => i.alive || i.status === "interrupted");
  const canApprove = hasRole(user.role, "approver");
  const redrill = SCENARIOS.filter((s) => drillStatus[s.id] === "needs_redrill");
  const failing = locations.filter((l) => l.failing);
  return (
    <>
      <PageHeader title="Dashboard" description={`Signed in as ${user.name} (${user.role}).`} />
      <div className="grid gap-4 lg:grid-cols-3">
        {breakGlass.length > 0 && <BreakGlassBanner overrides={breakGlass} />}
        {(approvals.length > 0 || canApprove) && <PendingApprovalsCard pending={approvals} canApprove={canApprove} />}
        <OpenIncidents incidents={openIncidents} canManage={hasRole(user.role, "admin")} />
        {activeRuns.length > 0 && (
          <Card title="Restore runs that need attention" className="border-sky-300 lg:col-span-3">
            <ul className="text-sm" data-testid="active-runs">
              {activeRuns.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center gap-2 py-1">
                  <RunStatusBadge status={r.status} />
                  <Link href={`/restores/${r.id}`} className="font-medium text-sky-700 hover:underline">
                    {scenarioTitle(r.scenarioId)} on {r.databaseName}
                  </Link>
                  <span className="text-slate-600">confirmed by {r.confirmedBy ?? "nobody yet"}</span>
                </li>
              ))}
            </ul>
          </Card>
        )}
        {recoveryAttention.length > 0 && (
          <Card title="Recovery instances" className="border-amber-300 lg:col-span-3">
            <ul className="text-sm" data-testid="dashboard-recovery-instances">
              {recoveryAttention.map((i) => (
                <li key={i.id} className="flex flex-wrap items-center gap-2 py-1">
                  <Badge
                    kind={RECOVERY_STATUS_DISPLAY[i.status].tone}
                    title={RECOVERY_STATUS_DISPLAY[i.status].meaning}
                  >
                    {RECOVERY_STATUS_DISPLAY[i.status].symbol} {RECOVERY_STATUS_DISPLAY[i.status].label}
                  </Badge>
                  <span>
                    {i.databaseName}: {i.status === "ready" ? "recovered" : "restore"} to {i.targetWords}
                    {i.alive ? " (PostgreSQL running)" : ""}
                  </span>
                </li>
              ))}
            </ul>
            <Link
              href="/restores/recovery-instances"
              className="mt-2 inline-block text-sm text-sky-700 hover:underline"
            >
              Recovery instances: connect, keep or remove
            </Link>
          </Card>
        )}
        {keptScratch.length + keptTestScratch.length > 0 && (
          <Card title="Scratch databases kept for inspection" className="border-amber-300 lg:col-span-3">
            {keptScratch.length > 0 && (
              <KeptScratchDatabases kept={keptScratch} canDrop={hasRole(user.role, "operator")} />
            )}
            {keptTestScratch.length > 0 && <KeptTestScratchDatabases kept={keptTestScratch} />}
          </Card>
        )}
        <WalArchivesCard rows={walArchives} />
        <MonthlyTestsCard attention={testAttention} />
        {(upcoming.length > 0 || redrill.length > 0) && (
          <Card title="Drills" className="lg:col-span-3">
            <ul className="text-sm" data-testid="dashboard-drills">
              {upcoming.map((d) => (
                <li key={d.id} className="py-0.5">
                  Your drill:{" "}
                  <Link href={`/drills/${d.id}`} className="font-medium text-sky-700 hover:underline">
                    {d.scenarioTitle} on {d.databaseName}
                  </Link>{" "}
                  · <Time value={d.scheduledAt} relative /> ({d.status})
                </li>
              ))}
              {redrill.map((s) => (
                <li key={s.id} className="py-0.5 text-amber-900">
                  ▲ Runbook &quot;{s.meta.title}&quot; changed to v{s.version} since its last successful drill: it needs
                  a re-drill.
                </li>
              ))}
            </ul>
          </Card>
        )}
        <Card title="Backup freshness" className="lg:col-span-3">
          <FreshnessTable rows={freshness} />
        </Card>
        <Card title="Console">
          {failing.length > 0 && (
            <div
              className="mb-3 rounded-md border border-red-200 bg-red-50 p-2 text-sm text-red-800"
              data-testid="failing-locations"
            >
              {failing.map((l) => (
                <p key={l.id}>
                  <strong>{l.name}</strong>: last sync {l.lastSync?.status}. {l.lastSync?.error}
                </p>
              ))}
            </div>
          )}
          <dl className="grid grid-cols-2 gap-y-1 text-sm">
            <dt className="text-slate-500">Status</dt>
            <dd
              data-testid="console-status"
              className={health.status === "ok" ? "font-medium text-emerald-700" : "font-medium text-red-700"}
            >
              {health.status === "ok" ? "● ok" : "● degraded"}
            </dd>
            <dt className="text-slate-500">Own database</dt>
            <dd className="tabular">
              {health.database.reachable ? `reachable, ${health.database.latencyMs} ms` : "unreachable"}
            </dd>
            <dt className="text-slate-500">Locations</dt>
            <dd className="tabular">
              {locations.length} ({locations.length - failing.length} syncing fine)
            </dd>
            <dt className="text-slate-500">Version</dt>
            <dd className="tabular">{health.version}</dd>
          </dl>
        </Card>
        <Card title="Recent activity" className="lg:col-span-2">
          {audit.rows.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing has happened yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {audit.rows.slice(0, 8).map((e) => (
                <li key={e.id} className="flex flex-wrap justify-between gap-x-4 py-1.5">
                  <span>
                    <span className="font-mono text-xs">{e.action}</span>{" "}
                    <span className="text-slate-600">by {e.actorEmail}</span>
                  </span>
                  <Time value={e.at} relative />
                </li>
              ))}
            </ul>
          )}
          <Link href="/audit" className="mt-2 inline-block text-sm text-sky-700 hover:underline">
            All audit events →
          </Link>
        </Card>
      </div>
    </>
  );
}
