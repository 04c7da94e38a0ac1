import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PrintButton } from "@/components/print-button";
import { requirePageUser } from "@/lib/auth/guard";
import { NotFoundError } from "@/lib/errors";
import { getDrill } from "@/lib/drills/queries";
import { formatDuration, formatUtc } from "@/lib/format/time";
import { outcomeWords } from "@/lib/drills/stopwatch";
import { StepTimesChart } from "@/components/charts/step-times-chart";
import { buttonClass } from "@/components/ui/button";

export const metadata: Metadata = { title: "Drill report" };

export default async function DrillReportPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const d = await getDrill((await params).id).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  return (
    <article className="max-w-4xl text-sm" data-testid="drill-report">
      <div className="no-print mb-3 flex gap-2">
        <Link href={`/drills/${d.id}`} className="text-sky-700 hover:underline">
          ← the drill
        </Link>
        <PrintButton />
        <a href={`/api/drills/${d.id}/csv`} className={buttonClass()}>
          Steps as CSV
        </a>
      </div>
      <h1 className="text-xl font-semibold">DR drill report: {d.scenarioTitle}</h1>
      <dl className="mt-2 grid grid-cols-[7.5rem_1fr] gap-y-1 sm:grid-cols-[10rem_1fr]">
        <dt className="text-slate-500">Runbook version</dt>
        <dd>v{d.scenarioVersion}</dd>
        <dt className="text-slate-500">Database</dt>
        <dd>{d.database ? `${d.database.name} (${d.database.environment})` : "—"}</dd>
        <dt className="text-slate-500">Scheduled</dt>
        <dd>{formatUtc(d.scheduledAt)}</dd>
        <dt className="text-slate-500">Started / closed</dt>
        <dd>
          {d.startedAt ? formatUtc(d.startedAt) : "—"} / {d.closedAt ? formatUtc(d.closedAt) : "not closed"}
        </dd>
        <dt className="text-slate-500">Participants</dt>
        <dd>{d.participants.join(", ") || "—"}</dd>
        <dt className="text-slate-500">Total</dt>
        <dd className="tabular font-semibold" data-testid="report-total">
          {formatDuration(d.totalMs / 1000)}
        </dd>
        <dt className="text-slate-500">RTO</dt>
        <dd data-testid="report-outcome">
          {d.rtoMinutes ?? "?"} min · {d.status === "closed" ? outcomeWords(d.outcome) : "not closed"}
          {d.rto && ` (total ${d.rto.met ? "under" : "over"} by ${formatDuration(d.rto.differenceMs / 1000)})`}
        </dd>
      </dl>
      {d.unfinished.length > 0 && (
        <p className="mt-3 rounded border border-amber-400 bg-amber-50 p-2" data-testid="report-unfinished">
          ▲ {d.unfinished.length} step{d.unfinished.length === 1 ? " was" : "s were"} neither done nor skipped:{" "}
          {d.unfinished.join("; ")}.
        </p>
      )}
      <h2 className="mt-4 font-semibold">Steps</h2>
      <div className="mt-1 max-w-full overflow-x-auto">
        <table className="w-full text-left">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">#</th>
              <th>Step</th>
              <th>State</th>
              <th className="pr-2 text-right">Time</th>
              <th className="pl-2">Notes and issues</th>
            </tr>
          </thead>
          <tbody>
            {d.steps.map((s) => (
              <tr key={s.id} className="border-t border-slate-200 align-top" data-testid="report-step">
                <td className="py-1 pr-2 tabular">{s.index + 1}</td>
                <td className="pr-2">{s.title}</td>
                <td className="pr-2">{s.state.replace("_", " ")}</td>
                <td className="pr-2 text-right tabular" data-testid="report-step-time">
                  {formatDuration(s.elapsedMs / 1000)}
                </td>
                <td className="min-w-40 whitespace-pre-wrap pl-2 [overflow-wrap:anywhere]">
                  {[s.notes, s.issues && `Issues: ${s.issues}`].filter(Boolean).join("\n")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2 className="mt-4 font-semibold">Skipped steps</h2>
      {d.steps.some((s) => s.skippedAt) ? (
        <ul className="list-disc pl-5" data-testid="report-skipped">
          {d.steps
            .filter((s) => s.skippedAt)
            .map((s) => (
              <li key={s.id}>
                {s.index + 1}. {s.title}: <em>{s.skipReason}</em> (skipped by {s.skippedBy}, {formatUtc(s.skippedAt!)})
              </li>
            ))}
        </ul>
      ) : (
        <p>None.</p>
      )}
      {d.steps.some((s) => s.elapsedMs > 0) && (
        <div className="mt-4 break-inside-avoid">
          <StepTimesChart
            steps={d.steps.map((s) => ({ label: `${s.index + 1}. ${s.title}`, ms: s.elapsedMs, state: s.state }))}
            rtoMinutes={d.rtoMinutes}
          />
        </div>
      )}
      <h2 className="mt-4 font-semibold">Issues</h2>
      <p className="whitespace-pre-wrap">{d.issues || "None recorded."}</p>
      <h2 className="mt-4 font-semibold">Improvements</h2>
      <ul>
        {d.actions.map((a) => (
          <li key={a.id}>
            {a.done ? "✓" : "○"} {a.text} — {a.owner}, due {a.dueDate.slice(0, 10)}
          </li>
        ))}
      </ul>
      {d.notes && (
        <>
          <h2 className="mt-4 font-semibold">Notes</h2>
          <p className="whitespace-pre-wrap">{d.notes}</p>
        </>
      )}
    </article>
  );
}
