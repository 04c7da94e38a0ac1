import Link from "next/link";
import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { BREAK_GLASS_SHOWN_DAYS } from "@/lib/approvals/rules";
import type { ApprovalView } from "@/lib/approvals/queries";

/** The dashboard's "Pending approvals": every request no approver has answered yet, with its link. */
export function PendingApprovalsCard({ pending, canApprove }: { pending: ApprovalView[]; canApprove: boolean }) {
  return (
    <Card
      title={`Pending approvals${pending.length > 0 ? ` · ${pending.length}` : ""}`}
      className={`lg:col-span-3 ${pending.length > 0 ? "border-amber-400" : ""}`}
    >
      {pending.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="pending-approvals-empty">
          Nothing is waiting for an approver. Production switch-overs, copy-backs and drops of a kept copy show up here
          when an operator requests approval.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="pending-approvals">
          {pending.map((a) => (
            <li key={a.id} className="flex flex-wrap items-center gap-x-2 gap-y-1 py-1.5">
              <Badge kind="warn">… waiting</Badge>
              {a.href ? (
                <Link href={a.href} className="font-medium text-sky-700 hover:underline [overflow-wrap:anywhere]">
                  {a.summary}
                </Link>
              ) : (
                <span className="font-medium [overflow-wrap:anywhere]">{a.summary}</span>
              )}
              <span className="text-slate-600">
                requested by {a.requestedBy} <Time value={a.requestedAt} relative />
              </span>
              <span className="tabular text-slate-600">· {a.timeLeft ?? "expired"}</span>
            </li>
          ))}
        </ul>
      )}
      {pending.length > 0 && !canApprove && (
        <p className="mt-2 text-xs text-slate-600">An approver who did not plan or confirm the run answers these.</p>
      )}
    </Card>
  );
}

/** The red shout: every break-glass override of the last days, with who, why and what it allowed. */
export function BreakGlassBanner({ overrides }: { overrides: ApprovalView[] }) {
  return (
    <section
      role="alert"
      className="rounded-lg border-2 border-red-600 bg-red-50 p-4 text-sm text-red-900 lg:col-span-3"
      data-testid="break-glass-banner"
    >
      <h2 className="font-semibold uppercase tracking-wide">
        ▲ Break glass: the two-person rule was overridden{" "}
        {overrides.length === 1 ? "once" : `${overrides.length} times`} in the last {BREAK_GLASS_SHOWN_DAYS} days
      </h2>
      <ul className="mt-2 space-y-1">
        {overrides.map((o) => (
          <li key={o.id} className="[overflow-wrap:anywhere]">
            <strong>{o.decidedBy}</strong> <Time value={o.decidedAt ?? o.requestedAt} relative />:{" "}
            {o.href ? (
              <Link href={o.href} className="font-medium underline">
                {o.summary}
              </Link>
            ) : (
              o.summary
            )}{" "}
            ({o.environment}) · {o.state === "used" ? "used" : o.state}. Reason: “{o.reason}”
          </li>
        ))}
      </ul>
      <p className="mt-2">
        Check each one in the{" "}
        <Link href="/audit" className="underline">
          audit log
        </Link>{" "}
        (action approval.break_glass).
      </p>
    </section>
  );
}
