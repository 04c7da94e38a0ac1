import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PrintButton } from "@/components/print-button";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { requirePageUser } from "@/lib/auth/guard";
import { NotFoundError, UserError } from "@/lib/errors";
import { formatUtc } from "@/lib/format/time";
import { CELL_DISPLAY, monthLabel, testState } from "@/lib/monthly-tests/calendar";
import { evidenceFor, evidenceQuery } from "@/lib/monthly-tests/record-queries";
import { RecordBody } from "../record-body";

export const metadata: Metadata = { title: "Monthly test report" };
export const dynamic = "force-dynamic";

// The printable report: one test (?id=) or every test started in a range (?from=&to=), one
// printed page per test, with the same numbers, signatures and audit trail as the exports.
export default async function TestReportPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePageUser();
  const raw = await searchParams;
  const params = new URLSearchParams();
  for (const k of ["id", "from", "to"]) {
    const v = raw[k];
    if (typeof v === "string" && v) params.set(k, v);
  }
  let evidence;
  try {
    const query = evidenceQuery(params);
    evidence = await evidenceFor(query);
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    if (e instanceof UserError && e.status === 400)
      return (
        <EmptyState title="This report cannot be made">
          {e.message}{" "}
          <Link href="/tests" className="text-sky-700 hover:underline">
            Back to Monthly tests
          </Link>
        </EmptyState>
      );
    throw e;
  }
  const exportQuery = params.toString();
  return (
    <div className="max-w-4xl" data-testid="test-report">
      <div className="no-print mb-4 flex flex-wrap items-center gap-2">
        <Link
          href={evidence.range ? "/tests" : `/tests/${evidence.tests[0]?.id}`}
          className="text-sm text-sky-700 hover:underline"
        >
          ← {evidence.range ? "Monthly tests" : "the record"}
        </Link>
        <PrintButton />
        <a href={`/api/monthly-tests/evidence?${exportQuery}&format=csv`} className={buttonClass("secondary")}>
          CSV
        </a>
        <a href={`/api/monthly-tests/evidence?${exportQuery}&format=json`} className={buttonClass("secondary")}>
          JSON
        </a>
      </div>
      <p className="mb-4 text-xs text-slate-600">
        Lifeboat monthly backup test evidence
        {evidence.range ? `, tests started ${evidence.range.from} to ${evidence.range.to} (UTC)` : ""}; generated{" "}
        {formatUtc(evidence.generatedAt)} by {evidence.generatedBy}.
      </p>
      {evidence.tests.length === 0 && <EmptyState title="No monthly test was started in this range." />}
      {evidence.tests.map((t) => {
        const state = testState({
          status: t.status,
          performedBy: t.signatures.performedBy,
          countersignedBy: t.signatures.countersignedBy,
        });
        return (
          <article key={t.id} className="mb-8 break-after-page print:mb-0" data-testid="report-test">
            <h1 className="mb-1 text-xl font-semibold">
              Monthly backup test: {t.database.name}, {monthLabel(t.month)}
            </h1>
            <p className="mb-3 text-sm" data-testid="report-state">
              {CELL_DISPLAY[state].symbol} {CELL_DISPLAY[state].label} · test {t.status} · record {t.id}
            </p>
            <RecordBody t={t} startedBy={t.startedBy} print />
          </article>
        );
      })}
    </div>
  );
}
