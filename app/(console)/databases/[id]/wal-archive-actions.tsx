"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { formatUtc } from "@/lib/format/time";
import { RESTORE_POINT_NAME_MAX } from "@/lib/pitr/schemas";
import {
  checkWalArchiveAction,
  createRestorePointAction,
  refreshArchiveHealthAction,
  switchWalAction,
} from "./actions";

/** The operator's buttons on the WAL archive: read it again, switch WAL now, pgbackrest check. */
export function WalArchiveButtons({ databaseId }: { databaseId: string }) {
  const { pending, feedback, run } = useServerAction();
  const [busy, setBusy] = useState<string | null>(null);
  // A check that ran but failed is an outcome to read in red, not a success message.
  const [checkFailed, setCheckFailed] = useState<string | null>(null);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <Button
          variant="primary"
          disabled={pending}
          data-testid="switch-wal"
          onClick={() => {
            setBusy("switch");
            run(() => switchWalAction({ databaseId }), {
              refresh: true,
              onSuccess: (d) =>
                d.archived
                  ? `Switched WAL at ${d.lsn}: segment ${d.segment ?? "?"} is archived. Newest recoverable moment: ${d.newestRecoverable ? formatUtc(d.newestRecoverable) : "none yet"}.`
                  : `Switched WAL at ${d.lsn}, but segment ${d.segment ?? "?"} was not archived within 15 s: archiving may be failing (see the health above).`,
            });
          }}
        >
          {pending && busy === "switch" ? "Switching…" : "Switch WAL now"}
        </Button>
        <Button
          disabled={pending}
          data-testid="refresh-archive"
          onClick={() => {
            setBusy("refresh");
            run(() => refreshArchiveHealthAction({ databaseId }), {
              refresh: true,
              onSuccess: () => "The archive was read again.",
            });
          }}
        >
          {pending && busy === "refresh" ? "Reading…" : "Refresh now"}
        </Button>
        <Button
          disabled={pending}
          data-testid="check-archive"
          onClick={() => {
            setBusy("check");
            setCheckFailed(null);
            run(() => checkWalArchiveAction({ databaseId }), {
              refresh: true,
              onSuccess: (d) => {
                setCheckFailed(d.ok ? null : d.output);
                return d.ok ? "pgbackrest check passed." : undefined;
              },
            });
          }}
        >
          {pending && busy === "check" ? "Checking (up to a minute)…" : "Run pgbackrest check"}
        </Button>
      </div>
      <Feedback feedback={feedback} testId="wal-archive-feedback" />
      {checkFailed && !pending && (
        <Feedback
          feedback={{ kind: "error", text: `pgbackrest check failed: ${checkFailed}` }}
          testId="wal-check-failed"
        />
      )}
    </div>
  );
}

/** Create a named restore point (operator): a name recovery can stop at later. */
export function RestorePointForm({ databaseId }: { databaseId: string }) {
  const { pending, feedback, fieldError, run } = useServerAction();
  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const name = String(new FormData(form).get("name") ?? "");
    run(() => createRestorePointAction({ databaseId, name }), {
      refresh: true,
      onSuccess: (d) => {
        form.reset();
        return `Restore point "${d.name}" created at LSN ${d.lsn}. It becomes recoverable once its WAL segment is archived (Switch WAL now).`;
      },
    });
  }
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-2" aria-label="Create a restore point">
      <div className="flex flex-wrap items-end gap-2">
        <Field
          label="Restore point name"
          hint={`Letters, digits, . _ : - (at most ${RESTORE_POINT_NAME_MAX}), e.g. before-migration-0042`}
          error={fieldError("name")}
          className="min-w-0 flex-1"
        >
          <input
            name="name"
            className={inputClass}
            maxLength={RESTORE_POINT_NAME_MAX}
            data-testid="restore-point-name"
          />
        </Field>
        <Button type="submit" disabled={pending} data-testid="create-restore-point">
          {pending ? "Creating…" : "Create restore point"}
        </Button>
      </div>
      <Feedback feedback={feedback} testId="restore-point-feedback" />
    </form>
  );
}
