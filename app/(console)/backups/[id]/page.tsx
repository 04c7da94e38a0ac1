import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { Badge, EnvironmentBadge, RunStatusBadge, VerificationBadge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { getBackup } from "@/lib/backups/queries";
import { NotFoundError } from "@/lib/errors";
import { RETENTION_LABELS } from "@/lib/backups/retention";
import { formatBytes } from "@/lib/format/bytes";
import { VerifyPanel } from "./verify-panel";
import { BackupChecklist } from "./backup-checklist";
import { getBackupChecklist } from "@/lib/backups/checklist-query";
import { buttonClass } from "@/components/ui/button";
import { labelAndCopiesOf } from "@/lib/backups/copies-query";
import { BACKUP_LABEL_DISPLAY } from "@/lib/backups/labels";

export const metadata: Metadata = { title: "Backup" };

export default async function BackupPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  const b = await getBackup(id).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const checklist = await getBackupChecklist(b.id);
  const { label, copies } = await labelAndCopiesOf(b.id);
  const operator = hasRole(user.role, "operator");
  const row = (label: string, value: React.ReactNode) => (
    <div className="grid grid-cols-[9rem_1fr] gap-2 border-t border-slate-100 py-1.5 first:border-t-0">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0">{value}</dd>
    </div>
  );
  return (
    <>
      <PageHeader
        title="Backup"
        description={
          <>
            <Link href="/backups" className="text-sky-700 hover:underline">
              Backups
            </Link>{" "}
            › <span className="break-all font-mono">{b.key}</span>
          </>
        }
      />
      {b.vanishedAt && (
        <p className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
          ▲ This object was not found at the sync of <Time value={b.vanishedAt} />. The catalog keeps its record as
          evidence; it cannot be verified, downloaded or restored.
        </p>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Metadata">
          <dl className="text-sm">
            {row(
              "Key",
              <span className="break-all font-mono text-xs" data-testid="backup-key">
                {b.key}
              </span>,
            )}
            {row("Location", `${b.location.name} (${b.location.kind})`)}
            {row(
              "Database",
              b.database ? (
                <>
                  {b.database.name} <EnvironmentBadge environment={b.database.environment} />
                </>
              ) : (
                <span className="text-slate-500">not assigned to a database (Settings → Databases: key patterns)</span>
              ),
            )}
            {row(
              "Taken",
              <>
                <Time value={b.takenAt} relative />{" "}
                <span className="text-xs text-slate-500">
                  (from the{" "}
                  {b.takenAtSource === "name"
                    ? "file name"
                    : b.takenAtSource === "manifest"
                      ? "manifest"
                      : "object's modification time"}
                  )
                </span>
              </>,
            )}
            {row(
              "Size",
              <span className="tabular">
                {formatBytes(b.size)} ({b.size.toLocaleString("en")} bytes)
                {b.sizeAnomaly && (
                  <>
                    {" "}
                    <Badge kind="warn">▲ {b.sizeAnomaly}</Badge>
                  </>
                )}
              </span>,
            )}
            {row("Format", b.format)}
            {row("Kind", b.kind.replace("_", "-"))}
            {row(
              "Label",
              label ? (
                <span data-testid="backup-label">
                  {BACKUP_LABEL_DISPLAY[label].symbol} {BACKUP_LABEL_DISPLAY[label].label}{" "}
                  <span className="text-slate-500">— {BACKUP_LABEL_DISPLAY[label].meaning}</span>
                </span>
              ) : (
                <span className="text-slate-500">none (not taken by Lifeboat)</span>
              ),
            )}
            {row(
              "Copies",
              copies.length === 0 ? (
                <span className="text-slate-500">no other copy catalogued (same size and sha256 elsewhere)</span>
              ) : (
                <ul data-testid="backup-copies">
                  {copies.map((c) => (
                    <li key={c.id} className="[overflow-wrap:anywhere]">
                      <Link href={`/backups/${c.id}`} className="text-sky-700 hover:underline">
                        {c.location}
                      </Link>{" "}
                      <span className="font-mono text-xs">{c.key}</span> · {c.verificationState.replace("_", " ")}
                      {c.vanished ? " · vanished" : ""}
                    </li>
                  ))}
                </ul>
              ),
            )}
            {row(
              "Retention",
              b.retentionClass === null ? (
                <span className="text-slate-500">none: unassigned objects have no retention class</span>
              ) : (
                <>
                  {RETENTION_LABELS[b.retentionClass]}
                  {b.keptUntil ? (
                    <>
                      {" "}
                      · kept until <Time value={b.keptUntil} />
                    </>
                  ) : b.retentionClass === "critical" ? (
                    " · kept forever"
                  ) : (
                    ""
                  )}
                </>
              ),
            )}
            {row(
              "Verification",
              <>
                <VerificationBadge state={b.verificationState} />
                {b.lastVerifiedAt && (
                  <>
                    {" "}
                    · <Time value={b.lastVerifiedAt} relative />
                  </>
                )}
                {b.verificationSummary && <div className="mt-1 text-xs text-slate-600">{b.verificationSummary}</div>}
              </>,
            )}
            {row("First seen", <Time value={b.firstSeenAt} />)}
          </dl>
          <div className="mt-3 flex flex-wrap gap-2 border-t border-slate-100 pt-3">
            {operator && !b.vanishedAt && (
              <a href={`/api/backups/${b.id}/download`} className={buttonClass()}>
                Download
              </a>
            )}
            {operator && !b.vanishedAt && b.database && (
              <Link
                href={`/restores/new?scenario=database-corruption&database=${b.database.id}`}
                className={buttonClass()}
              >
                Restore from this backup…
              </Link>
            )}
          </div>
        </Card>
        <Card title="Verify">
          <VerifyPanel backupId={b.id} canVerify={operator && !b.vanishedAt} />
        </Card>
        <Card title="Checklist" className="lg:col-span-2">
          <BackupChecklist items={checklist} />
        </Card>
        <Card title="Manifest" className="lg:col-span-2">
          {b.manifest ? (
            <div className="text-sm">
              {b.manifestTrust && (
                <p className="mb-2 flex flex-wrap items-center gap-2" data-testid="manifest-trust">
                  <Badge kind={b.manifestTrust.trusted ? "good" : "warn"}>
                    {b.manifestTrust.trusted ? "✓ signed" : "⚠ not trusted"}
                  </Badge>
                  <span className={b.manifestTrust.trusted ? "text-slate-600" : "text-amber-800"}>
                    {b.manifestTrust.note}
                  </span>
                </p>
              )}
              <dl className="grid gap-x-6 sm:grid-cols-2">
                {row("Source database", <span className="break-all font-mono">{b.manifest.database}</span>)}
                {row("Server / pg_dump", `${b.manifest.serverVersion} / ${b.manifest.pgDumpVersion}`)}
                {row("Created", <Time value={b.manifest.createdAt} />)}
                {row("Migration head", <span className="break-all font-mono">{b.manifest.migrationHead ?? "—"}</span>)}
                {row("sha256", <span className="break-all font-mono text-xs">{b.manifest.sha256}</span>)}
                {row("Critical", b.manifest.critical ? "yes (kept forever)" : "no")}
              </dl>
              <table className="mt-3 w-full text-left text-sm">
                <thead className="text-xs uppercase text-slate-500">
                  <tr>
                    <th className="py-1">Table</th>
                    <th className="py-1 text-right">Rows</th>
                  </tr>
                </thead>
                <tbody>
                  {b.manifest.tables.map((t) => (
                    <tr key={`${t.schema}.${t.name}`} className="border-t border-slate-100">
                      <td className="py-1 font-mono text-xs">
                        {t.schema}.{t.name}
                      </td>
                      <td className="py-1 text-right tabular">{t.rows.toLocaleString("en")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="text-sm text-slate-600">
              {b.manifestError ??
                "No manifest: this backup was not written by Lifeboat. Verification checks its format and checksum, without expected row counts."}
            </p>
          )}
        </Card>
        <Card title="Verification history" className="lg:col-span-2">
          {b.verifications.length === 0 ? (
            <p className="text-sm text-slate-600">Never verified.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="verification-history">
              {b.verifications.map((v) => (
                <li key={v.id} className="py-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <RunStatusBadge status={v.status} /> <Time value={v.startedAt} />{" "}
                    <span className="text-slate-500">by {v.requestedBy}</span>
                    {v.durationMs !== null && (
                      <span className="tabular text-slate-500">· {(v.durationMs / 1000).toFixed(1)} s</span>
                    )}
                  </div>
                  {v.summary && <p className="mt-1">{v.summary}</p>}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
