import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { Badge, EnvironmentBadge, VerificationBadge } from "@/components/ui/badges";
import { Table, THead, Th, Td, Tr } from "@/components/ui/table";
import { Time } from "@/components/time";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { approvalsOfDatabase } from "@/lib/approvals/queries";
import { formatBytes } from "@/lib/format/bytes";
import { retentionPreview, type RetentionPreview } from "@/lib/retention/queries";
import { ConfirmDeletion } from "./confirm-deletion";
import { RetentionSettings } from "./retention-settings";

export const metadata: Metadata = { title: "Retention" };

type Row = RetentionPreview["rows"][number];

function BackupTable({ rows, kept, testId }: { rows: Row[]; kept: boolean; testId: string }) {
  return (
    <Table label={kept ? "Backups kept" : "Backups to delete"} testId={testId}>
      <THead>
        <Th>Backup</Th>
        <Th>Taken (UTC)</Th>
        <Th numeric>Age</Th>
        <Th>Class</Th>
        <Th>{kept ? "Kept by" : "Why it goes"}</Th>
      </THead>
      <tbody>
        {rows.map((r) => (
          <Tr key={r.id} testId={kept ? "kept-row" : "delete-row"}>
            <Td className="max-w-[22rem]">
              <Link href={`/backups/${r.id}`} className="break-all font-mono text-xs text-sky-700 hover:underline">
                {r.key}
              </Link>
              <div className="mt-0.5 flex flex-wrap items-center gap-1 text-xs text-slate-500">
                {r.location} · {formatBytes(r.size)} <VerificationBadge state={r.verificationState} />
                {!r.madeByLifeboat && <Badge kind="neutral">not made by Lifeboat</Badge>}
              </div>
              {/* On a phone the last columns sit off-screen: the verdict is repeated here. */}
              <div className="mt-1 text-xs text-slate-700 sm:hidden">
                {r.ageDays} d · {r.classLabel} · {kept && r.ruleLabel ? `kept: ${r.ruleLabel}` : "goes"}
              </div>
            </Td>
            <Td>
              <Time value={r.takenAt} compact />
            </Td>
            <Td numeric>{r.ageDays} d</Td>
            <Td>{r.classLabel}</Td>
            <Td className="min-w-[14rem]">
              {kept && r.ruleLabel && (
                <Badge kind={r.rule === "refused" ? "bad" : r.rule === "foreign" ? "neutral" : "good"}>
                  {r.ruleLabel}
                </Badge>
              )}{" "}
              <span className="text-xs text-slate-600">{r.reason}</span>
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}

export default async function RetentionPage({ params }: { params: Promise<{ databaseId: string }> }) {
  const user = await requirePageUser();
  const { databaseId } = await params;
  const p = await retentionPreview(databaseId).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const approvals = p.database.twoPerson ? await approvalsOfDatabase(databaseId) : [];
  const refused = p.refusals.length > 0;
  const goes = p.rows.filter((r) => r.action === "delete" || r.rule === "refused");
  const kept = p.rows.filter((r) => r.action === "keep" && r.rule !== "refused");
  const operator = hasRole(user.role, "operator");
  const d = p.database;
  return (
    <>
      <PageHeader
        title={`Retention of ${d.name}`}
        description={
          <>
            <Link href="/backups/retention" className="text-sky-700 hover:underline">
              Retention
            </Link>{" "}
            › {d.name} <EnvironmentBadge environment={d.environment} />. Policy: dailies {d.policy.dailyDays} days,
            Sundays {d.policy.weeklyDays} days, 1sts of the month {d.policy.monthlyDays} days, critical forever; the
            newest {p.minVerified} verified backups are never deleted; RPO {d.rpoHours} h. Times are UTC.
          </>
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Safety verdict">
          {refused ? (
            <div data-testid="retention-verdict" data-verdict="refused">
              <p className="mb-2">
                <Badge kind="bad">✗ refused for safety</Badge> <strong>Nothing will be deleted</strong>, by hand or
                after a scheduled backup, until this is fixed:
              </p>
              <ul className="list-disc space-y-1 pl-5 text-sm text-red-900">
                {p.refusals.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="text-sm" data-testid="retention-verdict" data-verdict="safe">
              <Badge kind="good">✓ safe</Badge> The newest backup is good and within the RPO, and {p.verifiedCount}{" "}
              verified backups exist (at least {p.minVerified} needed).{" "}
              {p.toDeleteCount === 0 ? "Nothing is past retention." : `${p.toDeleteCount} backups are past retention.`}
            </p>
          )}
        </Card>
        <Card title="Delete what is past retention">
          {refused ? (
            <p className="text-sm text-slate-600">Deletion is refused for safety (see the verdict).</p>
          ) : p.toDeleteCount === 0 ? (
            <p className="text-sm text-slate-600" data-testid="retention-nothing">
              Nothing to delete: every backup is kept by a rule below.
            </p>
          ) : operator ? (
            <ConfirmDeletion
              databaseId={d.id}
              databaseName={d.name}
              environment={d.environment}
              fingerprint={p.fingerprint}
              count={p.toDeleteCount}
              bytes={p.toDeleteBytes}
              twoPerson={d.twoPerson}
              approvals={approvals}
              me={{ email: user.email, role: user.role }}
              serverNow={p.readAt}
            />
          ) : (
            <p className="text-sm text-slate-600">Operators and above can confirm the deletion.</p>
          )}
          <p className="mt-3 border-t border-slate-100 pt-3 text-xs text-slate-500">
            After each scheduled backup the same rules run by themselves; they never delete pre-migration backups.
          </p>
        </Card>
      </div>

      <h2 className="mb-2 mt-6 text-base font-semibold">
        {refused ? "Past retention, kept while refused" : "To be deleted"} ({goes.length})
      </h2>
      {goes.length === 0 ? (
        <p className="text-sm text-slate-600">No backup is past retention.</p>
      ) : (
        <BackupTable rows={goes} kept={refused} testId="retention-delete-table" />
      )}

      <h2 className="mb-2 mt-6 text-base font-semibold">Kept ({kept.length})</h2>
      {kept.length === 0 ? (
        <p className="text-sm text-slate-600">No backups of this database are catalogued yet.</p>
      ) : (
        <BackupTable rows={kept} kept testId="retention-kept-table" />
      )}

      <div className="mt-6 grid gap-4 lg:grid-cols-2">
        <Card title="Last retention run">
          {p.lastRun ? (
            <div className="text-sm" data-testid="retention-last-run">
              <p>
                <Time value={p.lastRun.at} relative /> by{" "}
                {p.lastRun.by === "anonymous" ? "the scheduler" : p.lastRun.by} (
                {p.lastRun.trigger === "schedule" ? "after a scheduled backup" : "confirmed by hand"}):{" "}
                {p.lastRun.status === "refused"
                  ? "refused for safety, nothing deleted."
                  : `${p.lastRun.deleted ?? 0} deleted, ${p.lastRun.retained ?? 0} retained, ${p.lastRun.failed ?? 0} failed.`}
              </p>
              {p.lastRun.objects.length > 0 && (
                <ul className="mt-2 space-y-1 text-xs">
                  {p.lastRun.objects.map((o, i) => (
                    <li key={i} className="[overflow-wrap:anywhere]">
                      <span className="font-mono">{o.detail.key}</span> ({o.detail.location}):{" "}
                      {o.action === "retention.retained" ? (
                        <>
                          retained
                          {o.detail.retainedUntil ? (
                            <>
                              {" "}
                              until <Time value={o.detail.retainedUntil} />
                            </>
                          ) : (
                            ""
                          )}
                          {o.detail.legalHold ? " (legal hold)" : ""} by the location&apos;s object lock; it goes once
                          that ends.
                        </>
                      ) : (
                        <span className="text-red-800">not deleted: {o.detail.error}</span>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ) : (
            <p className="text-sm text-slate-600">Retention has not run for this database yet.</p>
          )}
        </Card>
        <Card title="Settings">
          {user.role === "admin" ? (
            <RetentionSettings databaseId={d.id} minVerified={p.minVerified} locations={p.locations} />
          ) : (
            <p className="text-sm text-slate-600">
              Minimum redundancy {p.minVerified}.{" "}
              {p.locations
                .map(
                  (l) =>
                    `${l.name}: ${l.retentionDeletesForeign ? "foreign objects may be deleted" : "foreign objects kept"}`,
                )
                .join("; ")}
              . Admins change these here; the GFS days under Settings → Databases.
            </p>
          )}
        </Card>
      </div>
    </>
  );
}
