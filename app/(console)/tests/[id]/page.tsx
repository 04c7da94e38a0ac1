import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { buttonClass } from "@/components/ui/button";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { CELL_DISPLAY, monthLabel } from "@/lib/monthly-tests/calendar";
import { getTestRecord } from "@/lib/monthly-tests/record-queries";
import { countersignRefusal, needsReason, signRefusal } from "@/lib/monthly-tests/sign-off/rules";
import { formatUtc } from "@/lib/format/time";
import { RecordBody } from "../record-body";
import { CELL_CLASS } from "../cell-style";
import { CloseActionButton, CountersignButton, RemarkForm, SignForm } from "./sign-off-panel";

export const metadata: Metadata = { title: "Monthly test" };
export const dynamic = "force-dynamic";

export default async function TestRecordPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const record = await getTestRecord((await params).id).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const t = record.evidence;
  const s = t.signatures;
  const facts = {
    status: t.status,
    performedBy: s.performedBy,
    performedAt: s.performedAt,
    countersignedBy: s.countersignedBy,
    countersignedAt: s.countersignedAt,
    lockedAt: s.lockedAt,
    createdBy: record.createdBy,
  };
  const isOperator = hasRole(user.role, "operator");
  const isApprover = hasRole(user.role, "approver");
  // The same rules the commands enforce, said before the click. A reason and action items are
  // typed in the form, so the sign rule is asked here without them (the form asks for them).
  const signWhy = signRefusal(
    facts,
    { reason: "x".repeat(100), actions: [{ text: "x", owner: "x", dueDate: "9999-12-31" }] },
    new Date(),
  );
  const countersignWhy = countersignRefusal(facts, user.email);

  let signatureControls: React.ReactNode;
  if (!isOperator) {
    signatureControls = (
      <p className="text-sm text-slate-600" data-testid="viewer-note">
        You are signed in as a {user.role}: you can read this record and export it, but signing needs the operator role
        and countersigning the approver role.
      </p>
    );
  } else if (s.lockedAt) {
    signatureControls = null;
  } else if (!s.performedBy) {
    signatureControls = signWhy ? (
      <p className="text-sm text-slate-600" data-testid="sign-why">
        {signWhy}
      </p>
    ) : (
      <SignForm testId={t.id} needsReason={needsReason(t.status)} status={t.status} />
    );
  } else if (!isApprover && !countersignWhy?.startsWith("You (")) {
    signatureControls = (
      <p className="text-sm text-slate-600" data-testid="countersign-why">
        Signed; it now waits for an approver who did not run or sign it to countersign (you are signed in as an{" "}
        {user.role}).
      </p>
    );
  } else if (countersignWhy) {
    signatureControls = (
      <p
        className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900"
        data-testid="countersign-why"
      >
        {countersignWhy}
      </p>
    );
  } else {
    signatureControls = <CountersignButton testId={t.id} />;
  }

  return (
    <>
      <p className="no-print mb-2 text-sm">
        <Link href="/tests" className="text-sky-700 hover:underline">
          ← Monthly tests
        </Link>
      </p>
      <PageHeader
        title={`Monthly test: ${t.database.name}, ${monthLabel(t.month)}`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span
              className={`inline-flex items-center gap-1 rounded border px-1.5 py-0.5 text-xs font-medium ${CELL_CLASS[record.state]}`}
              data-testid="record-state"
            >
              {CELL_DISPLAY[record.state].symbol} {CELL_DISPLAY[record.state].label}
            </span>
            <span>
              test {t.status}, started {formatUtc(t.startedAt)}
            </span>
          </span>
        }
        actions={
          <>
            <Link href={`/tests/report?id=${t.id}`} className={buttonClass("secondary")}>
              Printable report
            </Link>
            <a href={`/api/monthly-tests/evidence?id=${t.id}&format=csv`} className={buttonClass("secondary")}>
              CSV
            </a>
            <a href={`/api/monthly-tests/evidence?id=${t.id}&format=json`} className={buttonClass("secondary")}>
              JSON
            </a>
          </>
        }
      />
      {s.lockedAt && (
        <p
          className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900"
          data-testid="locked-banner"
        >
          Locked: countersigned by {s.countersignedBy} on {formatUtc(s.lockedAt)}. The record no longer changes; remarks
          are appended below.
        </p>
      )}
      {t.status === "running" && (
        <p className="mb-4 rounded-md border border-sky-300 bg-sky-50 p-3 text-sm text-sky-900">
          ◌ The test is running: its numbers arrive as each step finishes.{" "}
          {t.runId && (
            <Link href={`/restores/${t.runId}`} className="font-medium underline">
              Watch the run
            </Link>
          )}
        </p>
      )}
      <RecordBody
        t={t}
        startedBy={record.createdBy}
        signatureControls={signatureControls}
        actionControls={
          isOperator
            ? (i) => {
                const a = record.actions[i];
                return a && !a.closedAt ? <CloseActionButton actionId={a.id} text={a.text} /> : null;
              }
            : undefined
        }
        remarkControls={isOperator ? <RemarkForm testId={t.id} /> : undefined}
      />
    </>
  );
}
