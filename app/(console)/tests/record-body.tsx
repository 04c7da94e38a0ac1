import type { ReactNode } from "react";
import Link from "next/link";
import { Badge } from "@/components/ui/badges";
import { formatBytes } from "@/lib/format/bytes";
import { formatDuration, formatUtc } from "@/lib/format/time";
import type { EvidenceTest } from "@/lib/monthly-tests/evidence";

// One monthly test record as the record page and the printable report show it: what was tested,
// by whom, the measured numbers, the signatures, remarks, action items and the audit trail.

const COMPARATOR: Record<string, string> = { gte: "≥", lte: "≤", eq: "=", eq_manifest: "= the manifest's" };
const SEVERITY: Record<string, [string, "bad" | "warn" | "info"]> = {
  error: ["✗ error", "bad"],
  warning: ["▲ warning", "warn"],
  info: ["● info", "info"],
};

const utc = (iso: string | null) => (iso ? formatUtc(iso) : "—");
const th = "px-2 py-1 text-left font-medium";
const td = "border-t border-slate-200 px-2 py-1 align-top";

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section
      className="break-inside-avoid rounded-lg border border-slate-200 bg-white p-4 shadow-sm print:border-0 print:p-0 print:shadow-none"
      data-testid={testId}
    >
      <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500 print:text-slate-800">
        {title}
      </h2>
      {children}
    </section>
  );
}

function ageWords(hours: number | null): string {
  if (hours === null) return "—";
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round(hours / 24)} days`;
}

export function RecordBody({
  t,
  startedBy,
  signatureControls,
  actionControls,
  remarkControls,
  print = false,
}: {
  t: EvidenceTest;
  startedBy: string;
  signatureControls?: ReactNode;
  actionControls?: (index: number) => ReactNode;
  remarkControls?: ReactNode;
  print?: boolean;
}) {
  const r = t.restore;
  return (
    <div className="space-y-4 text-sm">
      <Section title="What was tested" testId="record-tested">
        <dl className="grid grid-cols-[8rem_minmax(0,1fr)] gap-x-3 gap-y-1 sm:grid-cols-[11rem_minmax(0,1fr)]">
          <dt className="text-slate-500">Database</dt>
          <dd>
            {t.database.name} ({t.database.environment})
          </dd>
          <dt className="text-slate-500">Month</dt>
          <dd>{t.month}</dd>
          <dt className="text-slate-500">Backup</dt>
          <dd className="font-mono text-xs [overflow-wrap:anywhere]" data-testid="record-backup-key">
            {t.backup.key ?? "— (none chosen: the test stopped before)"}
          </dd>
          <dt className="text-slate-500">Location</dt>
          <dd className="[overflow-wrap:anywhere]">{t.backup.location ?? "—"}</dd>
          <dt className="text-slate-500">Size</dt>
          <dd className="tabular" data-testid="record-size">
            {t.backup.sizeBytes === null
              ? "—"
              : `${formatBytes(t.backup.sizeBytes)} (${t.backup.sizeBytes.toLocaleString("en-US")} bytes)`}
          </dd>
          <dt className="text-slate-500">Backup taken</dt>
          <dd className="tabular">
            {utc(t.backup.createdAt)}
            {t.backup.ageHoursAtTest !== null && (
              <span className="text-slate-600"> · {ageWords(t.backup.ageHoursAtTest)} old at the test</span>
            )}
          </dd>
          <dt className="text-slate-500">sha256</dt>
          <dd className="font-mono text-xs [overflow-wrap:anywhere]">{t.backup.sha256 ?? "—"}</dd>
          <dt className="text-slate-500">Started / finished</dt>
          <dd className="tabular">
            {utc(t.startedAt)} / {t.finishedAt ? utc(t.finishedAt) : "still running"}
          </dd>
          <dt className="text-slate-500">Started by</dt>
          <dd className="[overflow-wrap:anywhere]">{startedBy}</dd>
          {t.runId && (
            <>
              <dt className="text-slate-500">Run</dt>
              <dd>
                {print ? (
                  <span className="font-mono text-xs">{t.runId}</span>
                ) : (
                  <Link href={`/restores/${t.runId}`} className="text-sky-700 hover:underline">
                    the run&apos;s log and step times
                  </Link>
                )}
              </dd>
            </>
          )}
          <dt className="text-slate-500">Scratch database</dt>
          <dd className="[overflow-wrap:anywhere]">
            {t.scratch.database ?? "—"}
            {t.scratch.droppedAt
              ? ` · dropped ${utc(t.scratch.droppedAt)}`
              : t.scratch.keptUntil
                ? ` · kept until ${utc(t.scratch.keptUntil)}`
                : ""}
          </dd>
        </dl>
      </Section>

      <Section title="Measured" testId="record-numbers">
        <p data-testid="record-restore-time">
          <span className="text-slate-500">Restore time: </span>
          {r.ms === null ? (
            "not measured (the restore did not run)"
          ) : (
            <>
              <span className="tabular font-semibold">{formatDuration(r.ms / 1000)}</span> ({(r.ms / 1000).toFixed(1)}{" "}
              s) against an RTO of {r.rtoMinutes} min{" "}
              {r.withinRto ? <Badge kind="good">✓ within the RTO</Badge> : <Badge kind="bad">✗ over the RTO</Badge>}
            </>
          )}
        </p>
        <h3 className="mt-3 font-medium">Rows per table</h3>
        {t.tableCounts.length === 0 ? (
          <p className="text-slate-600">No table counts were recorded.</p>
        ) : (
          <div className="mt-1 max-w-full overflow-x-auto">
            <table className="w-full text-xs" data-testid="record-table-counts">
              <thead className="text-slate-500">
                <tr>
                  <th className={th}>Table</th>
                  <th className={`${th} text-right`}>Manifest</th>
                  <th className={`${th} text-right`}>Restored</th>
                  <th className={th}>Result</th>
                </tr>
              </thead>
              <tbody className="tabular">
                {t.tableCounts.map((c) => (
                  <tr key={`${c.schema}.${c.table}`}>
                    <td className={`${td} font-mono [overflow-wrap:anywhere]`}>
                      {c.schema}.{c.table}
                    </td>
                    <td className={`${td} text-right`}>
                      {c.manifest === null ? "—" : c.manifest.toLocaleString("en-US")}
                    </td>
                    <td className={`${td} text-right`}>{c.restored.toLocaleString("en-US")}</td>
                    <td className={td}>
                      {c.ok ? "✓ equal" : c.manifest === null ? "○ no manifest count" : "✗ differs"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h3 className="mt-3 font-medium">Validation queries</h3>
        {t.queryResults.length === 0 ? (
          <p className="text-slate-600">No validation queries ran.</p>
        ) : (
          <ul className="mt-1 space-y-2" data-testid="record-queries">
            {t.queryResults.map((q, i) => (
              <li key={i} className="rounded border border-slate-200 p-2">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <span className="font-medium [overflow-wrap:anywhere]">{q.name}</span>
                  {q.ok ? <Badge kind="good">✓ passed</Badge> : <Badge kind="bad">✗ failed</Badge>}
                </div>
                <pre className="mt-1 whitespace-pre-wrap break-all rounded bg-slate-50 p-1.5 font-mono text-xs">
                  {q.sql}
                </pre>
                <p className="mt-1 text-xs tabular">
                  expected {COMPARATOR[q.comparator] ?? q.comparator} {q.expected ?? "—"} · got{" "}
                  <strong>{q.actual ?? "NULL"}</strong> · {q.ms} ms
                  {q.error && <span className="text-red-800"> · {q.error}</span>}
                </p>
              </li>
            ))}
          </ul>
        )}
        <h3 className="mt-3 font-medium">Findings</h3>
        {t.findings.length === 0 ? (
          <p className="text-slate-600">None.</p>
        ) : (
          <ul className="mt-1 space-y-1" data-testid="record-findings">
            {t.findings.map((f, i) => (
              <li key={i} className="flex flex-wrap items-start gap-2">
                <Badge kind={SEVERITY[f.severity]?.[1] ?? "info"}>{SEVERITY[f.severity]?.[0] ?? f.severity}</Badge>
                <span className="text-xs text-slate-500">{f.step}</span>
                <span className="min-w-0 flex-1 [overflow-wrap:anywhere]">{f.text}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title="Signatures" testId="record-signatures">
        <dl className="grid grid-cols-[8rem_minmax(0,1fr)] gap-x-3 gap-y-1 sm:grid-cols-[11rem_minmax(0,1fr)]">
          <dt className="text-slate-500">Performed by</dt>
          <dd data-testid="performed-by" className="[overflow-wrap:anywhere]">
            {t.signatures.performedBy
              ? `${t.signatures.performedBy}, ${utc(t.signatures.performedAt)}`
              : "not signed yet"}
          </dd>
          {t.signatures.reason && (
            <>
              <dt className="text-slate-500">Reason</dt>
              <dd className="whitespace-pre-wrap [overflow-wrap:anywhere]" data-testid="sign-reason">
                {t.signatures.reason}
              </dd>
            </>
          )}
          <dt className="text-slate-500">Countersigned by</dt>
          <dd data-testid="countersigned-by" className="[overflow-wrap:anywhere]">
            {t.signatures.countersignedBy
              ? `${t.signatures.countersignedBy}, ${utc(t.signatures.countersignedAt)}`
              : "not countersigned yet"}
          </dd>
          <dt className="text-slate-500">Locked</dt>
          <dd data-testid="locked-at">{t.signatures.lockedAt ? `locked since ${utc(t.signatures.lockedAt)}` : "no"}</dd>
        </dl>
        {signatureControls && <div className="no-print mt-3 border-t border-slate-100 pt-3">{signatureControls}</div>}
      </Section>

      <Section title="Action items" testId="record-actions">
        {t.actionItems.length === 0 ? (
          <p className="text-slate-600">None.</p>
        ) : (
          <ul className="space-y-1">
            {t.actionItems.map((a, i) => (
              <li key={i} className="flex flex-wrap items-center gap-2">
                {a.closedAt ? <Badge kind="good">✓ closed</Badge> : <Badge kind="warn">○ open</Badge>}
                <span className="min-w-0 [overflow-wrap:anywhere]">
                  {a.text} — {a.owner}, due {a.dueDate}
                  {a.closedAt && (
                    <span className="text-slate-600">
                      {" "}
                      (closed by {a.closedBy}, {utc(a.closedAt)})
                    </span>
                  )}
                </span>
                {!a.closedAt && actionControls?.(i)}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title="Remarks" testId="record-remarks">
        {t.remarks.length === 0 ? (
          <p className="text-slate-600">None.</p>
        ) : (
          <ul className="space-y-2">
            {t.remarks.map((m, i) => (
              <li key={i}>
                <p className="text-xs text-slate-500">
                  {m.by}, {utc(m.at)}
                </p>
                <p className="whitespace-pre-wrap [overflow-wrap:anywhere]">{m.text}</p>
              </li>
            ))}
          </ul>
        )}
        {remarkControls && <div className="no-print mt-3 border-t border-slate-100 pt-3">{remarkControls}</div>}
      </Section>

      <Section title="Audit trail of this record" testId="record-audit">
        {t.auditTrail.length === 0 ? (
          <p className="text-slate-600">No audit events yet.</p>
        ) : (
          <div className="max-w-full overflow-x-auto">
            <table className="w-full text-xs">
              <thead className="text-slate-500">
                <tr>
                  <th className={th}>#</th>
                  <th className={th}>At (UTC)</th>
                  <th className={th}>Who</th>
                  <th className={th}>Action</th>
                  <th className={th}>Detail</th>
                </tr>
              </thead>
              <tbody>
                {t.auditTrail.map((e, i) => (
                  <tr key={i}>
                    <td className={`${td} tabular`}>{e.seq ?? "—"}</td>
                    <td className={`${td} whitespace-nowrap tabular`}>{formatUtc(e.at).replace(/ UTC$/, "")}</td>
                    <td className={`${td} [overflow-wrap:anywhere]`}>{e.actor}</td>
                    <td className={`${td} font-mono`}>{e.action}</td>
                    <td className={`${td} max-w-64 font-mono text-[11px] [overflow-wrap:anywhere]`}>{e.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
