"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { useServerAction } from "@/components/ui/use-server-action";
import { hasRole, type Role } from "@/lib/auth/roles";
import {
  ACTION_WORDS,
  APPROVAL_STATE_DISPLAY,
  BREAK_GLASS_REASON_MIN,
  timeLeftText,
  type ApprovalAction,
} from "@/lib/approvals/rules";
import type { ApprovalView } from "@/lib/approvals/queries";
import {
  approveAction,
  breakGlassAction,
  declineAction,
  requestApprovalAction,
} from "@/app/(console)/approvals/actions";

/**
 * The two-person rule on a step that needs it: who asked, who may answer, the countdown, and the
 * buttons each role has (request: operators; approve/decline: approvers who did not plan, confirm
 * or request the run; break glass: admins, with a written reason). The server checks all of it
 * again; this only says it before the click.
 */
export function ApprovalBox({
  runId,
  action,
  environment,
  approvals,
  me,
  runPeople,
  serverNow,
  onChange,
}: {
  runId: string;
  action: ApprovalAction;
  environment: string;
  /** This run's approvals, newest first (all actions). */
  approvals: ApprovalView[];
  me: { email: string; role: Role };
  /** Who planned and confirmed the run: they may not approve it. */
  runPeople: (string | null)[];
  serverNow: number;
  onChange: () => void;
}) {
  const mine = approvals.filter((a) => a.action === action);
  // The one that decides the step: a valid approval, else the newest request or answer.
  const current =
    mine.find((a) => a.state === "approved") ??
    mine.find((a) => a.state === "pending") ??
    mine.find((a) => a.state !== "withdrawn") ??
    null;
  const left = current ? timeLeftText(current.expiresAt, serverNow) : null;
  // The poll brings the state from the server; between polls the countdown may reach zero first.
  const state =
    current && (current.state === "pending" || current.state === "approved") && !left ? "expired" : current?.state;
  const what = ACTION_WORDS[action];
  const lower = (s: string | null) => (s ?? "").trim().toLowerCase();
  const isSelf = current !== null && [current.requestedBy, ...runPeople].some((p) => p && lower(p) === lower(me.email));
  const canRequest = hasRole(me.role, "operator") && (state === undefined || !["pending", "approved"].includes(state));
  const canAnswer = hasRole(me.role, "approver") && state === "pending" && !isSelf;

  return (
    <div
      className={`mt-2 rounded-md border-2 p-3 text-sm ${state === "approved" ? "border-emerald-500 bg-emerald-50" : "border-amber-400 bg-amber-50"}`}
      data-testid={`approval-${action}`}
    >
      <div className="flex flex-wrap items-center gap-2">
        <strong data-testid="approval-headline">
          {state === "approved"
            ? current?.kind === "break_glass"
              ? "Break glass: approved without a second person"
              : `Approved by ${current?.decidedBy}`
            : state === "pending"
              ? "Waiting for an approver"
              : `Needs a second person's approval`}
        </strong>
        {state && (
          <Badge kind={APPROVAL_STATE_DISPLAY[state].tone} testId="approval-state">
            {APPROVAL_STATE_DISPLAY[state].symbol} {APPROVAL_STATE_DISPLAY[state].label}
          </Badge>
        )}
        {left && (state === "pending" || state === "approved") && (
          <span className="tabular text-slate-700" data-testid="approval-countdown">
            {left}
          </span>
        )}
      </div>
      <p className="mt-1 text-slate-700">
        {state === "approved" ? (
          <>
            The {what} can go ahead once: confirm the step before the approval expires. It is bound to this plan, this
            backup and this target; if any of them changes it no longer counts.
          </>
        ) : (
          <>
            {environment.charAt(0).toUpperCase() + environment.slice(1)} is under the two-person rule: the {what} waits
            for an approver who did not plan, confirm or request this run.
          </>
        )}
      </p>
      {current && state !== undefined && (
        <p className="mt-1 text-slate-700 [overflow-wrap:anywhere]" data-testid="approval-facts">
          Requested by {current.requestedBy} <Time value={current.requestedAt} relative />
          {current.decidedBy && state !== "pending" && current.kind !== "break_glass" && (
            <>
              {" "}
              · {state === "declined" ? "declined" : "approved"} by {current.decidedBy}
            </>
          )}
          {current.reason && <> · “{current.reason}”</>}
          {state === "expired" && " · expired: request it again"}
          {state === "used" && current.usedBy && ` · used by ${current.usedBy}`}
        </p>
      )}
      {state === "pending" && isSelf && hasRole(me.role, "approver") && (
        <p className="mt-1 text-amber-900" data-testid="approval-self">
          You requested this or planned or confirmed the run, so another approver must approve it.
        </p>
      )}
      <div className="mt-2 flex flex-wrap items-start gap-2">
        {canRequest && <RequestButton runId={runId} action={action} again={state !== undefined} onDone={onChange} />}
        {canAnswer && current && <Answer approvalId={current.id} onDone={onChange} />}
      </div>
      {me.role === "admin" && state !== "approved" && <BreakGlass runId={runId} action={action} onDone={onChange} />}
    </div>
  );
}

function RequestButton({
  runId,
  action,
  again,
  onDone,
}: {
  runId: string;
  action: ApprovalAction;
  again: boolean;
  onDone: () => void;
}) {
  const { pending, error, run } = useServerAction();
  return (
    <div>
      <Button
        variant="primary"
        loading={pending}
        loadingText="Requesting…"
        onClick={() => run(() => requestApprovalAction({ action, subjectId: runId }), { onSuccess: onDone })}
      >
        {again ? "Request approval again" : "Request approval"}
      </Button>
      {error && (
        <p role="alert" className="mt-1 text-red-700">
          {error.text}
        </p>
      )}
    </div>
  );
}

function Answer({ approvalId, onDone }: { approvalId: string; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const { pending, error, run } = useServerAction();
  return (
    <div className="flex flex-wrap items-end gap-2">
      <Button
        variant="primary"
        loading={pending}
        onClick={() => run(() => approveAction({ approvalId }), { onSuccess: onDone })}
      >
        Approve
      </Button>
      <label className="text-xs">
        Reason to decline (optional)
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          className="ml-1 block rounded border border-slate-300 px-2 py-1 text-sm sm:inline-block"
        />
      </label>
      <Button
        variant="danger"
        disabled={pending}
        onClick={() => run(() => declineAction({ approvalId, reason: reason || undefined }), { onSuccess: onDone })}
      >
        Decline
      </Button>
      {error && (
        <p role="alert" className="basis-full text-red-700">
          {error.text}
        </p>
      )}
    </div>
  );
}

function BreakGlass({ runId, action, onDone }: { runId: string; action: ApprovalAction; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const { pending, error, run } = useServerAction();
  return (
    <details className="mt-3 rounded border border-red-300 bg-white p-2" data-testid="break-glass">
      <summary className="cursor-pointer font-medium text-red-800">Break glass (emergency, admins only)…</summary>
      <form
        className="mt-2"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => breakGlassAction({ action, subjectId: runId, reason }), { onSuccess: onDone });
        }}
      >
        <p className="text-slate-700">
          Overrides the two-person rule for this one step. The reason goes to the audit log and stays on everyone&apos;s
          dashboard for a week.
        </p>
        <label className="mt-2 block text-xs font-medium">
          Why no second person can approve (required, at least {BREAK_GLASS_REASON_MIN} characters)
          <textarea
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={2}
            required
            minLength={BREAK_GLASS_REASON_MIN}
            className="mt-1 block w-full rounded border border-slate-400 px-2 py-1 text-sm"
          />
        </label>
        <Button type="submit" variant="danger" loading={pending} className="mt-2 font-medium">
          Break glass
        </Button>
        {error && (
          <p role="alert" className="mt-1 text-red-700">
            {error.text}
          </p>
        )}
      </form>
    </details>
  );
}
