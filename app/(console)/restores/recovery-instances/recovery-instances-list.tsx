"use client";

import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/components/ui/badges";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { useServerAction } from "@/components/ui/use-server-action";
import { Time } from "@/components/time";
import { RECOVERY_STATUS_DISPLAY } from "@/lib/pitr/recovery-states";
import type { RecoveryInstanceRow } from "@/lib/pitr/recovery-queries";
import { keepRecoveryInstanceAction, removeRecoveryInstanceAction } from "./actions";

/** Recovery instances with their state, their connection (operators) and keep/remove buttons. */
export function RecoveryInstancesList({
  instances,
  canManage,
}: {
  instances: RecoveryInstanceRow[];
  canManage: boolean;
}) {
  return (
    <ul className="space-y-3" data-testid="recovery-instances">
      {instances.map((i) => (
        <RecoveryInstanceItem key={i.id} instance={i} canManage={canManage} />
      ))}
    </ul>
  );
}

const KEEP_CHOICES = [4, 24, 72];

function RecoveryInstanceItem({ instance: i, canManage }: { instance: RecoveryInstanceRow; canManage: boolean }) {
  const { pending, feedback, run } = useServerAction();
  const [hours, setHours] = useState(24);
  const display = RECOVERY_STATUS_DISPLAY[i.status];
  const c = i.connection;
  const psql = c ? `psql "host=${c.host} port=${c.port} dbname=${i.dbName} user=${c.user}"` : "";
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={`recovery-instance-${i.id}`}>
      <div className="flex flex-wrap items-center gap-2">
        <Badge kind={display.tone} title={display.meaning}>
          {display.symbol} {display.label}
        </Badge>
        <Badge kind={i.alive ? "info" : "neutral"} title="Whether its PostgreSQL process runs now">
          {i.alive ? "PostgreSQL running" : "not running"}
        </Badge>
        <span className="font-medium">{i.databaseName}</span>
        <span className="text-sm text-slate-600">
          {i.status === "ready" ? "recovered" : "restore"} to {i.targetWords}
        </span>
      </div>
      {/* The note says it for this instance (PostgreSQL's reason, what happened); else the state's meaning. */}
      {i.note ? (
        <p className="mt-2 text-sm text-slate-800 [overflow-wrap:anywhere]">{i.note}</p>
      ) : (
        <p className="mt-1 text-xs text-slate-600">{display.meaning}</p>
      )}
      <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-sm">
        {c && (
          <>
            <dt className="text-slate-500">Connect</dt>
            <dd className="min-w-0">
              host <code>{c.host}</code>, port <code>{c.port}</code>, database{" "}
              <code className="[overflow-wrap:anywhere]">{i.dbName}</code>, user{" "}
              <code className="[overflow-wrap:anywhere]">{c.user}</code>{" "}
              <span className="text-slate-500">(the database&apos;s own password, as in Settings → Databases)</span>
              {i.alive && (
                <div className="mt-1">
                  <CopyButton text={psql} label="Copy psql command" />
                </div>
              )}
            </dd>
            <dt className="text-slate-500">Folder</dt>
            <dd className="min-w-0 [overflow-wrap:anywhere]">
              <code>{c.dataDir}</code>
            </dd>
          </>
        )}
        <dt className="text-slate-500">Base backup</dt>
        <dd>{i.baseBackupLabel ?? "—"}</dd>
        <dt className="text-slate-500">Started</dt>
        <dd>
          <Time value={i.createdAt} />
        </dd>
        {i.keepUntil && (
          <>
            <dt className="text-slate-500">Kept until</dt>
            <dd>
              <Time value={i.keepUntil} /> <span className="text-slate-500">(then stopped and removed)</span>
            </dd>
          </>
        )}
        {i.runId && (
          <>
            <dt className="text-slate-500">Run</dt>
            <dd>
              <Link href={`/restores/${i.runId}`} className="text-sky-700 hover:underline">
                the restore run that started it
              </Link>
            </dd>
          </>
        )}
      </dl>
      {canManage && (
        <div className="mt-3 flex flex-wrap items-center gap-2">
          {i.status === "ready" && i.alive && (
            <>
              <label className="flex items-center gap-1 text-sm">
                Keep for
                <select
                  className="rounded border border-slate-300 px-1 py-0.5"
                  value={hours}
                  onChange={(e) => setHours(Number(e.target.value))}
                  aria-label="Hours to keep it"
                >
                  {KEEP_CHOICES.map((h) => (
                    <option key={h} value={h}>
                      {h} hours
                    </option>
                  ))}
                </select>
              </label>
              <Button
                size="xs"
                loading={pending}
                onClick={() =>
                  run(() => keepRecoveryInstanceAction({ instanceId: i.id, hours }), {
                    refresh: true,
                    onSuccess: () => `Kept for ${hours} hours.`,
                  })
                }
              >
                Keep
              </Button>
            </>
          )}
          <Button
            variant="danger"
            size="xs"
            loading={pending}
            loadingText="Removing…"
            onClick={() => {
              if (
                window.confirm(
                  `Remove this recovery instance of ${i.databaseName}? Its PostgreSQL is stopped and its folder deleted. Production is not touched.`,
                )
              )
                run(() => removeRecoveryInstanceAction({ instanceId: i.id }), { refresh: true });
            }}
          >
            Remove
          </Button>
          {feedback && (
            <span
              role="status"
              className={feedback.kind === "error" ? "text-sm text-red-700" : "text-sm text-emerald-700"}
            >
              {feedback.text}
            </span>
          )}
        </div>
      )}
    </li>
  );
}
