"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import type { Role } from "@/lib/auth/roles";
import type { ApprovalView } from "@/lib/approvals/queries";
import { formatBytes } from "@/lib/format/bytes";
import { ApprovalBox } from "@/app/(console)/restores/[id]/approval-box";
import { confirmRetentionAction } from "../actions";

/**
 * The operator's confirmation: type how many backups go. The server makes the plan again and
 * refuses when it is no longer the one read here (the fingerprint), so a backup that arrived or
 * was verified meanwhile is never deleted by a stale click.
 */
export function ConfirmDeletion({
  databaseId,
  databaseName,
  environment,
  fingerprint,
  count,
  bytes,
  twoPerson,
  approvals,
  me,
  serverNow,
}: {
  databaseId: string;
  databaseName: string;
  environment: string;
  fingerprint: string;
  count: number;
  bytes: number;
  twoPerson: boolean;
  approvals: ApprovalView[];
  me: { email: string; role: Role };
  serverNow: number;
}) {
  const router = useRouter();
  const [typed, setTyped] = useState("");
  const { pending, feedback, fieldError, run } = useServerAction();
  const approved = approvals.some((a) => a.action === "retention.delete" && a.state === "approved");
  const blockedByRule = twoPerson && !approved;
  return (
    <div className="text-sm" data-testid="retention-confirm">
      <p className="mb-3 text-slate-700">
        <strong className="tabular">
          {count} backup{count === 1 ? "" : "s"} ({formatBytes(bytes)})
        </strong>{" "}
        of <strong>{databaseName}</strong> will be deleted from their locations, oldest first, each recorded in the
        audit log. An object under object lock or a legal hold is kept and reported as retained.
      </p>
      {twoPerson && (
        <ApprovalBox
          runId={databaseId}
          action="retention.delete"
          environment={environment}
          approvals={approvals}
          me={me}
          runPeople={[]}
          serverNow={serverNow}
          onChange={() => router.refresh()}
        />
      )}
      <form
        className="mt-3 flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => confirmRetentionAction({ databaseId, fingerprint, typedCount: Number(typed.trim() || "NaN") }), {
            refresh: true,
            onSuccess: (r) => {
              setTyped("");
              if (r.status === "refused") return `Refused for safety; nothing was deleted: ${r.refusals.join(" ")}`;
              const parts = [`Deleted ${r.deleted} backup${r.deleted === 1 ? "" : "s"}`];
              if (r.retained) parts.push(`${r.retained} retained by object lock`);
              if (r.failed) parts.push(`${r.failed} failed (see the last run below)`);
              return `${parts.join("; ")}.`;
            },
          });
        }}
      >
        <Field
          label={`Type ${count} to confirm`}
          error={fieldError("typedCount")}
          className="w-40"
          id="retention-typed-count"
        >
          <input
            className={inputClass}
            inputMode="numeric"
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            data-testid="retention-typed-count"
          />
        </Field>
        <Button
          type="submit"
          variant="danger"
          loading={pending}
          disabled={typed.trim() !== String(count) || blockedByRule}
          data-testid="retention-delete"
        >
          Delete {count} backup{count === 1 ? "" : "s"}
        </Button>
      </form>
      {blockedByRule && (
        <p className="mt-2 text-slate-600">The button unlocks once an approver has approved this deletion.</p>
      )}
      <Feedback feedback={feedback} testId="retention-feedback" className="mt-3" />
    </div>
  );
}
