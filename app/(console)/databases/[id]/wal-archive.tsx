import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { Moment, PitrTimeline } from "@/components/pitr-timeline";
import { formatBytes } from "@/lib/format/bytes";
import { hasRole, type Role } from "@/lib/auth/roles";
import type { WalArchiveView } from "@/lib/pitr/queries";
import type { HealthVerdict } from "@/lib/pitr/health";
import { RestorePointForm, WalArchiveButtons } from "./wal-archive-actions";
import { WalArchiveForm } from "./wal-archive-form";

// The database page's point-in-time section: archive health, the recoverable window and the
// operator's actions. What it shows is the last stored reading (the minute timer or "Refresh now").

const VERDICT_TONE: Record<HealthVerdict["state"], "good" | "bad" | "warn" | "neutral"> = {
  ok: "good",
  failing: "bad",
  rpo_breached: "bad",
  unreadable: "bad",
  unknown: "neutral",
};
const VERDICT_SYMBOL: Record<HealthVerdict["state"], string> = {
  ok: "✓",
  failing: "✗",
  rpo_breached: "✗",
  unreadable: "✗",
  unknown: "?",
};

function minutes(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 3 * 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function WalArchiveSection({
  databaseId,
  databaseName,
  role,
  view,
}: {
  databaseId: string;
  databaseName: string;
  role: Role;
  view: WalArchiveView;
}) {
  const { settings, health: h, verdict } = view;
  const isAdmin = hasRole(role, "admin");
  const isOperator = hasRole(role, "operator");
  return (
    <section id="wal-archive" aria-labelledby="wal-archive-heading" className="mt-4">
      <Card>
        <div className="flex flex-wrap items-center gap-2">
          <h2 id="wal-archive-heading" className="text-base font-semibold">
            Point-in-time recovery: WAL archive
          </h2>
          <Badge kind={VERDICT_TONE[verdict.state]} testId="wal-archive-verdict">
            {VERDICT_SYMBOL[verdict.state]} {verdict.words}
          </Badge>
          {view.lastCheckedAt && (
            <span className="text-xs text-slate-600">
              read <Time value={view.lastCheckedAt} relative />
            </span>
          )}
        </div>
        {!settings ? (
          <p className="mt-2 text-sm text-slate-600" data-testid="wal-archive-none">
            No WAL archive is set up for {databaseName}: only its dumps can be restored, to the moment each was taken.
            {isAdmin ? " Set up its pgBackRest stanza below." : " An admin sets up its pgBackRest stanza here."}
          </p>
        ) : (
          <div className="mt-2 space-y-3 text-sm" data-testid="wal-archive-health">
            <p className="text-slate-600 [overflow-wrap:anywhere]">
              pgBackRest stanza <span className="font-mono">{settings.stanza}</span> in {settings.repoType}{" "}
              <span className="font-mono">{settings.repoPath}</span>
              {settings.configPath && (
                <>
                  {" "}
                  (config <span className="font-mono">{settings.configPath}</span>)
                </>
              )}
              ; WAL RPO {settings.walRpoMinutes} min.
            </p>
            {settings.options.demo && (
              <p
                className="rounded-md border border-amber-200 bg-amber-50 p-2 text-amber-900"
                data-testid="wal-archive-demo"
              >
                Demo sample: this archive&apos;s health, base backups and timeline are made-up data for the demo, with
                no pgBackRest repository behind them, so Refresh now, Run pgbackrest check, Switch WAL now, restore
                points and restores to a moment say so instead of running.
                {isAdmin && " Saving real settings below turns it into a real archive."}
              </p>
            )}
            {view.healthProblem && (
              <p className="rounded-md border border-red-200 bg-red-50 p-2 text-red-800">{view.healthProblem}</p>
            )}
            {!h ? (
              <p className="text-slate-600">Not read yet: it is read every minute, or now with Refresh now.</p>
            ) : (
              <>
                {h.repoError && (
                  <p
                    role="alert"
                    className="rounded-md border border-red-200 bg-red-50 p-2 text-red-800"
                    data-testid="wal-repo-error"
                  >
                    The repository could not be read: {h.repoError}
                  </p>
                )}
                {h.failing && h.archiver && (
                  <div
                    role="alert"
                    className="rounded-md border border-red-200 bg-red-50 p-2 text-red-800"
                    data-testid="wal-failing"
                  >
                    <p className="font-semibold">
                      Archiving fails: {h.archiver.failedCount} failed attempt{h.archiver.failedCount === 1 ? "" : "s"},
                      the last for <span className="font-mono">{h.archiver.lastFailedWal}</span>
                      {h.archiver.lastFailedAt && (
                        <>
                          {" "}
                          at <Time value={h.archiver.lastFailedAt} />
                        </>
                      )}
                      .
                    </p>
                    {h.lastError ? (
                      <p className="mt-1 [overflow-wrap:anywhere]" data-testid="wal-last-error">
                        <span className="font-mono text-xs">{h.lastError.message}</span>{" "}
                        <span className="text-xs">({h.lastError.source})</span>
                      </p>
                    ) : (
                      <p className="mt-1">The error is in PostgreSQL&apos;s log (archive command failed …).</p>
                    )}
                    <p className="mt-1">
                      Nothing written after the newest recoverable moment can be recovered until this is fixed: check
                      the repository (space, permissions, keys) and archive_command, then run pgbackrest check.
                    </p>
                  </div>
                )}
                {h.archiverError && (
                  <p className="rounded-md border border-amber-300 bg-amber-50 p-2 text-amber-900">
                    The database could not be asked about its archiving (pg_stat_archiver): {h.archiverError}
                  </p>
                )}
                <dl className="grid gap-x-6 gap-y-1 sm:grid-cols-2">
                  <div data-testid="wal-rpo" className={h.rpo.breached ? "font-semibold text-red-800" : ""}>
                    <dt className="inline text-slate-500">WAL RPO: </dt>
                    <dd className="inline">
                      {h.rpo.ageSeconds === null
                        ? "nothing archived yet"
                        : h.rpo.pendingBytes === 0
                          ? `nothing written since the newest archived segment (${minutes(h.rpo.ageSeconds)} ago)`
                          : `newest archived WAL ${minutes(h.rpo.ageSeconds)} old`}{" "}
                      (limit {h.walRpoMinutes} min){h.rpo.breached ? " ✗ breached" : " ✓"}
                    </dd>
                  </div>
                  <div>
                    <dt className="inline text-slate-500">Newest archived segment: </dt>
                    <dd className="inline [overflow-wrap:anywhere]">
                      {h.newestSegment ? (
                        <>
                          <span className="font-mono text-xs">{h.newestSegment.name}</span>
                          {h.newestSegment.archivedAt && (
                            <>
                              {" "}
                              at <Time value={h.newestSegment.archivedAt} />
                            </>
                          )}
                        </>
                      ) : (
                        "none"
                      )}
                    </dd>
                  </div>
                  <div className="[overflow-wrap:anywhere]">
                    <dt className="inline text-slate-500">WAL range: </dt>
                    <dd className="inline font-mono text-xs">
                      {h.walMin && h.walMax ? `${h.walMin} – ${h.walMax}` : "empty"}
                    </dd>
                  </div>
                  <div>
                    <dt className="inline text-slate-500">Archiver: </dt>
                    <dd className="inline">
                      {h.archiver
                        ? `${h.archiver.archivedCount} archived, ${h.archiver.failedCount} failed since the statistics were reset (archive_mode ${h.archiver.archiveMode})`
                        : "unknown"}
                    </dd>
                  </div>
                  <div>
                    <dt className="inline text-slate-500">Gaps: </dt>
                    <dd
                      className={`inline ${h.gaps.length ? "font-semibold text-red-800" : ""}`}
                      data-testid="wal-gaps"
                    >
                      {h.gaps.length === 0
                        ? "none"
                        : h.gaps.map((g) => `after ${g.afterSegment} until ${g.beforeSegment}`).join("; ")}
                    </dd>
                  </div>
                  <div>
                    <dt className="inline text-slate-500">Newest recoverable moment: </dt>
                    <dd className="inline" data-testid="wal-newest-recoverable">
                      {h.newestRecoverable ? (
                        <>
                          <Moment iso={h.newestRecoverable} ms />
                          {h.newestRecoverableLsn && (
                            <span className="ml-1 font-mono text-xs text-slate-500">LSN {h.newestRecoverableLsn}</span>
                          )}
                        </>
                      ) : (
                        "none yet (no archived commit after a base backup)"
                      )}
                    </dd>
                  </div>
                </dl>
                {h.lastCheck && (
                  <p
                    className={`rounded-md border p-2 [overflow-wrap:anywhere] ${h.lastCheck.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-800"}`}
                    data-testid="wal-last-check"
                  >
                    pgbackrest check <Time value={h.lastCheck.at} />: {h.lastCheck.ok ? "passed" : "failed"}.{" "}
                    <span className="font-mono text-xs">{h.lastCheck.output}</span>
                  </p>
                )}
                <h3 className="pt-1 font-semibold">Recoverable window</h3>
                <PitrTimeline
                  from={h.from}
                  newestRecoverable={h.newestRecoverable}
                  newestRecoverableLsn={h.newestRecoverableLsn}
                  checkedAt={h.checkedAt}
                  backups={h.backups}
                  gaps={h.gaps}
                  restorePoints={view.restorePoints.map((r) => ({
                    name: r.name,
                    lsn: r.lsn,
                    createdAt: r.createdAt.toISOString(),
                  }))}
                  pickHrefBase={isOperator ? `/restores/new?database=${encodeURIComponent(databaseId)}` : null}
                />
                <h3 className="pt-1 font-semibold">Base backups</h3>
                {h.backups.length === 0 ? (
                  <p className="text-slate-600">None in the repository.</p>
                ) : (
                  <ul className="divide-y divide-slate-100" data-testid="wal-base-backups">
                    {[...h.backups].reverse().map((b) => (
                      <li key={b.label} className="flex flex-wrap items-center gap-x-3 gap-y-0.5 py-1">
                        <span className="font-mono text-xs">{b.label}</span>
                        <Badge kind={b.error ? "warn" : "neutral"}>{b.type}</Badge>
                        <span>
                          ended <Time value={b.stoppedAt} />
                        </span>
                        <span className="tabular text-slate-600">
                          {formatBytes(b.sizeBytes)} ({formatBytes(b.repoSizeBytes)} in the repository)
                        </span>
                        {b.error && <span className="text-amber-900">pgBackRest found page checksum errors</span>}
                      </li>
                    ))}
                  </ul>
                )}
                {h.rejectedBackups > 0 && (
                  <p className="text-amber-900">
                    {h.rejectedBackups} entr{h.rejectedBackups === 1 ? "y" : "ies"} of pgBackRest&apos;s backup list did
                    not pass Lifeboat&apos;s checks and are not offered.
                  </p>
                )}
              </>
            )}
            <h3 className="pt-1 font-semibold">Restore points</h3>
            {view.restorePoints.length === 0 ? (
              <p className="text-slate-600">None created through Lifeboat yet.</p>
            ) : (
              <ul className="divide-y divide-slate-100" data-testid="restore-points">
                {view.restorePoints.map((r) => (
                  <li key={r.id} className="flex flex-wrap items-center gap-x-3 gap-y-0.5 py-1">
                    <span className="font-mono text-xs [overflow-wrap:anywhere]">{r.name}</span>
                    <Time value={r.createdAt} />
                    <span className="font-mono text-xs text-slate-500">LSN {r.lsn}</span>
                    <span className="text-slate-600">
                      by {r.createdBy} ({r.source === "api" ? "pipeline API" : "console"})
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {isOperator ? (
              <>
                <RestorePointForm databaseId={databaseId} />
                <WalArchiveButtons databaseId={databaseId} />
              </>
            ) : (
              <p className="text-slate-600">Operators switch WAL, create restore points and run pgbackrest check.</p>
            )}
          </div>
        )}
        {isAdmin && (
          <details className="mt-3" open={!settings}>
            <summary className="cursor-pointer text-sm font-semibold text-sky-700">
              {settings ? "WAL archive settings" : "Set up the WAL archive"}
            </summary>
            <div className="mt-2">
              <WalArchiveForm databaseId={databaseId} current={settings} />
            </div>
          </details>
        )}
      </Card>
    </section>
  );
}
