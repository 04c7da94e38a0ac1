"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { useServerAction } from "@/components/ui/use-server-action";
import type { RunResponse } from "@/app/api/runs/[id]/route";
import { Badge, EnvironmentBadge, RunStatusBadge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { commandText } from "@/lib/scenarios/command-text";
import { formatBytes } from "@/lib/format/bytes";
import { formatDuration } from "@/lib/format/time";
import {
  cancelRunAction,
  completeStepAction,
  confirmRunAction,
  dropOldCopyAction,
  resumeBackupAction,
  resumeRunAction,
} from "../actions";
import { StepRowPreview } from "./row-preview";
import { canCancelRun, canResumeRun, isActiveRun, type RunStatus } from "@/lib/runner/states";
import { approvalActionOfStep, dropNeedsApprover, stepNeedsApprover } from "@/lib/restores/approval";
import type { Role } from "@/lib/auth/roles";
import { ApprovalBox } from "./approval-box";

type Log = RunResponse["logs"][number];

const STATUS_WORDS: Record<string, string> = {
  planned: "Planned: review the steps, then confirm",
  queued: "Starting: the runner is picking up the first step",
  running: "Running",
  waiting: "Waiting for an operator",
  succeeded: "Succeeded",
  failed: "Failed",
  interrupted: "Interrupted",
  cancelled: "Cancelled",
};

/**
 * The server's clock, advanced by the local one between polls (ticking every second while
 * something runs). It starts at the server's "now" of the first render, so the server's HTML
 * and the browser's first render show the same elapsed times (no hydration mismatch).
 */
function useServerNow(serverNow: string, active: boolean) {
  const [clock, setClock] = useState(() => ({ local: Date.parse(serverNow), skew: 0 }));
  useEffect(() => {
    const local = Date.now();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the offset is measured when a poll arrives
    setClock({ local, skew: Date.parse(serverNow) - local });
  }, [serverNow]);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setClock((c) => ({ ...c, local: Date.now() })), 1000);
    return () => clearInterval(t);
  }, [active]);
  return clock.local + clock.skew;
}

export function RunPanel({
  initial,
  canOperate,
  role,
  email,
  targetDbName,
  confirmationText,
  targetServer,
  rtoMinutes,
  backupRun = false,
  monthlyTest = false,
}: {
  initial: RunResponse;
  canOperate: boolean;
  role: Role;
  /** The signed-in user: the two-person rule does not offer them an approval of their own run. */
  email: string;
  targetDbName: string;
  /** Exactly what the operator types to start the run (production: "<name in Lifeboat>/<database>"). */
  confirmationText: string;
  targetServer: string;
  rtoMinutes: number | null;
  /** A backup Lifeboat takes (not a restore): it reads the database and writes a backup. */
  backupRun?: boolean;
  /** A monthly test: it reads a backup and restores it on a test server; the database is not touched. */
  monthlyTest?: boolean;
}) {
  const [logs, setLogs] = useState<Log[]>(initial.logs);
  const cursor = useRef(initial.nextLogId);
  const queryKey = ["run", initial.run.id];
  const queryClient = useQueryClient();
  const { data } = useQuery({
    queryKey,
    initialData: initial,
    queryFn: async ({ signal }): Promise<RunResponse> => {
      // While the run moves the server holds the request until a new log line or change (a
      // second at most), so a child's output shows within a fraction of a second without
      // asking several times a second when nothing happens.
      const moving = queryClient.getQueryData<RunResponse>(queryKey)?.run.active ?? initial.run.active;
      const res = await fetch(`/api/runs/${initial.run.id}?after=${cursor.current}${moving ? "&wait=1" : ""}`, {
        cache: "no-store",
        signal,
      });
      if (!res.ok) throw new Error((await res.json()).error);
      return res.json();
    },
    // While the run moves: the next request a quarter second after the last answer (each one
    // waits for news); a planned or finished run rarely changes by itself, so it is polled
    // slowly; the page's own actions refetch at once instead of waiting for the next tick.
    refetchInterval: (q) => (q.state.data?.run.active ? 250 : 10_000),
  });
  useEffect(() => {
    if (!data || data.nextLogId <= cursor.current) return;
    const fresh = data.logs.filter((l) => l.id > cursor.current);
    cursor.current = data.nextLogId;
    setLogs((prev) => [...prev, ...fresh]);
  }, [data]);

  const view = data ?? initial;
  const { run, steps } = view;
  // Elapsed times come from the server's clock; between polls they advance with the local one.
  const serverNow = useServerNow(view.now, run.active);
  const liveElapsed = (startedAt: string | null, finishedAt: string | null, running: boolean) =>
    startedAt ? Math.max(0, (running ? serverNow : Date.parse(finishedAt ?? view.now)) - Date.parse(startedAt)) : null;
  const total = liveElapsed(run.startedAt, run.finishedAt, run.active);
  const rtoMs = rtoMinutes ? rtoMinutes * 60_000 : null;
  const over = total !== null && rtoMs !== null && total > rtoMs;
  const production = run.environment === "production";
  // "Kept as" only once the switch-over really happened; before that (or while interrupted) it is a promise.
  const switchedOver = steps.some((s) => s.key === "switch-over" && s.status === "succeeded");
  const previewStep = steps.find((s) => s.key === "preview-rows");
  // The two-person rule (LIFEBOAT_TWO_PERSON_ENVIRONMENTS) as the server applies it to this run.
  const ruleEnvironments = view.twoPersonRule ? [run.environment] : [];
  const approvedFor = (action: string) => view.approvals.some((a) => a.action === action && a.state === "approved");
  const refreshRun = () => void queryClient.invalidateQueries({ queryKey });
  // Said at the top too: on a phone the waiting step is several screens down.
  const approvalStep = steps.find((s) => s.status === "waiting" && view.twoPersonRule && approvalActionOfStep(s));
  const approvalNow = approvalStep
    ? view.approvals.find(
        (a) => a.action === approvalActionOfStep(approvalStep) && (a.state === "pending" || a.state === "approved"),
      )
    : undefined;
  const summary = run.summary as {
    backup?: {
      key?: string;
      size?: number;
      format?: string;
      location?: string;
      label?: string;
      copies?: string[];
      hasManifest?: boolean;
      verified?: boolean | null;
      rows?: number;
      tables?: number;
      migrationHead?: string | null;
    };
    target?: { connection?: string };
    /** What the confirmed plan is bound to (lib/restores/binding.ts). */
    binding?: {
      backup: { sha256: string | null; sha256From: string | null; etag: string | null };
      target: { host: string; port: number; database: string };
    };
    preflight?: { ok: boolean; lines: string[] };
    scratchDatabase?: string;
    /** A monthly test's facts (lib/monthly-tests/test-run.ts). */
    monthlyTest?: { testServer?: string; testScratchDatabase?: string };
    oldCopy?: string;
    /** A restore to a moment from the WAL archive (lib/restores/pitr-source.ts). */
    pitr?: {
      stanza: string;
      moment: string;
      baseBackup: { label: string; type: string; stoppedAt: string | null };
      keepHours: number;
      user?: string;
    };
  };
  // The recovery instance of a point-in-time restore: where it listens once it is up, and whether it was kept.
  const recovery = steps.find((s) => s.key === "restore-to-moment" && s.status === "succeeded")?.result as
    { port?: number } | undefined;
  const recoveryEnd = steps.find((s) => s.key === "stop-recovery" && s.status === "succeeded")?.result as
    { kept?: boolean; keepUntil?: string } | undefined;

  return (
    <div className="space-y-4">
      <section
        className={`rounded-lg border-2 p-4 ${production && !backupRun && !monthlyTest ? "border-red-500 bg-red-50" : "border-slate-300 bg-white"}`}
        data-testid="run-target"
      >
        <div className="flex flex-wrap items-center gap-2">
          <RunStatusBadge status={run.status} />
          <span className="font-semibold" data-testid="run-status">
            {approvalNow?.state === "pending" ? "Waiting for an approver" : (STATUS_WORDS[run.status] ?? run.status)}
          </span>
        </div>
        <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          <div>
            <dt className="inline text-slate-500">{backupRun ? "Database: " : "Target: "}</dt>
            <dd className="inline font-semibold [overflow-wrap:anywhere]">
              {run.databaseName} <EnvironmentBadge environment={run.environment} />{" "}
              <span className="font-mono text-xs font-normal [overflow-wrap:anywhere]">
                {targetDbName} on {targetServer}
              </span>
            </dd>
          </div>
          {backupRun ? (
            <div>
              <dt className="inline text-slate-500">Writing: </dt>
              <dd className="inline font-mono text-xs [overflow-wrap:anywhere]" data-testid="run-backup-key">
                {summary.backup?.key}
              </dd>{" "}
              <span className="text-xs">
                ({summary.backup?.format === "plain_gzip" ? "plain SQL + gzip" : "custom format"} to{" "}
                {summary.backup?.location}, labelled {summary.backup?.label}
                {summary.backup?.copies?.length ? `; copies to ${summary.backup.copies.join(", ")}` : ""})
              </span>
            </div>
          ) : monthlyTest ? (
            <div data-testid="run-monthly-test">
              <dt className="inline text-slate-500">Restores into: </dt>
              <dd className="inline font-mono text-xs [overflow-wrap:anywhere]">
                {summary.monthlyTest?.testScratchDatabase} on the test server {summary.monthlyTest?.testServer}
              </dd>{" "}
              <span className="text-xs">
                (a scratch database, dropped after the test; {run.databaseName} itself is not touched)
              </span>
            </div>
          ) : summary.pitr ? (
            <div className="sm:col-span-2" data-testid="run-pitr">
              <dt className="inline text-slate-500">Restores to: </dt>
              <dd className="inline font-semibold [overflow-wrap:anywhere]">{summary.pitr.moment}</dd>{" "}
              <span className="text-xs [overflow-wrap:anywhere]">
                from the WAL archive (stanza {summary.pitr.stanza}), starting from base backup{" "}
                <span className="font-mono" data-testid="run-pitr-base-backup">
                  {summary.pitr.baseBackup.label}
                </span>{" "}
                ({summary.pitr.baseBackup.type}
                {summary.pitr.baseBackup.stoppedAt ? (
                  <>
                    , ended <Time value={summary.pitr.baseBackup.stoppedAt} />
                  </>
                ) : null}
                )
              </span>
            </div>
          ) : (
            <div>
              <dt className="inline text-slate-500">Backup: </dt>
              <dd className="inline font-mono text-xs [overflow-wrap:anywhere]">{summary.backup?.key}</dd>{" "}
              <span className="text-xs">
                ({summary.backup?.size !== undefined ? formatBytes(summary.backup.size) : "?"}, {summary.backup?.format}
                , {summary.backup?.location},{" "}
                {summary.backup?.verified
                  ? "✓ verified"
                  : summary.backup?.verified === false
                    ? "✗ failed verification"
                    : "not verified"}
                {summary.backup?.hasManifest
                  ? `, manifest: ${summary.backup.tables} tables, ${summary.backup.rows?.toLocaleString("en")} rows`
                  : ", no manifest"}
                )
              </span>
            </div>
          )}
          {summary.pitr && recovery?.port && canOperate && (
            <div className="sm:col-span-2" data-testid="run-recovery-instance">
              <dt className="inline text-slate-500">Recovery instance: </dt>
              <dd className="inline text-xs [overflow-wrap:anywhere]">
                <span className="font-mono">
                  host 127.0.0.1 port {recovery.port} dbname {targetDbName}
                  {summary.pitr.user ? ` user ${summary.pitr.user}` : ""}
                </span>{" "}
                (the production user&apos;s password) on the console&apos;s host ·{" "}
                {recoveryEnd ? (
                  recoveryEnd.kept && recoveryEnd.keepUntil ? (
                    <>
                      kept until <Time value={recoveryEnd.keepUntil} />, then removed
                    </>
                  ) : (
                    "stopped and removed"
                  )
                ) : (
                  "running until the step that stops it"
                )}
              </dd>
            </div>
          )}
          {summary.binding && !summary.pitr && (
            <div className="sm:col-span-2" data-testid="run-binding">
              <dt className="inline text-slate-500">Bound to: </dt>
              <dd className="inline text-xs">
                {summary.binding.backup.sha256 ? (
                  <>
                    sha256{" "}
                    <span className="font-mono [overflow-wrap:anywhere]" title={summary.binding.backup.sha256}>
                      {summary.binding.backup.sha256.slice(0, 16)}…
                    </span>{" "}
                    ({summary.binding.backup.sha256From === "verification" ? "Lifeboat's verification" : "its manifest"}
                    )
                  </>
                ) : (
                  "no sha256 known (never verified): the backup's size and etag"
                )}
                {" and "}
                <span className="font-mono [overflow-wrap:anywhere]">
                  {summary.binding.target.database} on {summary.binding.target.host}:{summary.binding.target.port}
                </span>
                ; a run stops if either changes.
              </dd>
            </div>
          )}
          {summary.scratchDatabase && (
            <div>
              <dt className="inline text-slate-500">Scratch database: </dt>
              <dd className="inline font-mono text-xs [overflow-wrap:anywhere]">{summary.scratchDatabase}</dd>
            </div>
          )}
          {summary.oldCopy && (
            <div>
              <dt className="inline text-slate-500">
                {switchedOver ? "Old copy kept as: " : "Old copy will be kept as: "}
              </dt>
              <dd className="inline font-mono text-xs [overflow-wrap:anywhere]" data-testid="run-old-copy">
                {summary.oldCopy}
              </dd>
            </div>
          )}
        </dl>
        <div className="mt-3 flex flex-wrap items-center gap-4 text-sm">
          <span>
            Elapsed{" "}
            <strong className="tabular text-lg" data-testid="run-elapsed">
              {total === null ? "—" : formatDuration(total / 1000)}
            </strong>
          </span>
          {rtoMs !== null && (
            <span className={over ? "font-semibold text-red-700" : "text-slate-700"} data-testid="run-rto">
              RTO {rtoMinutes} min ·{" "}
              {total === null
                ? "not started"
                : over
                  ? `▲ over by ${formatDuration((total - rtoMs) / 1000)}`
                  : `${formatDuration((rtoMs - total) / 1000)} left`}
            </span>
          )}
          {run.confirmedBy && (
            <span className="text-slate-600">
              {backupRun || monthlyTest ? "Started by" : "Confirmed by"} {run.confirmedBy}{" "}
              <Time value={run.confirmedAt!} />
            </span>
          )}
        </div>
        {approvalStep && (
          <p
            className="mt-3 rounded-md border border-amber-400 bg-amber-50 p-2 text-sm font-medium text-amber-950 [overflow-wrap:anywhere]"
            data-testid="run-approval-pointer"
          >
            {approvalNow?.state === "approved"
              ? `${approvalNow.kind === "break_glass" ? "Break glass by" : "Approved by"} ${approvalNow.decidedBy}: step ${approvalStep.index + 1} can be confirmed.`
              : approvalNow?.state === "pending"
                ? `Waiting for an approver: ${approvalNow.requestedBy} requested approval of step ${approvalStep.index + 1}.`
                : `Step ${approvalStep.index + 1} needs a second person's approval.`}{" "}
            <a href={`#step-${approvalStep.key}`} className="text-sky-700 underline">
              Go to step {approvalStep.index + 1} ↓
            </a>
          </p>
        )}
        {run.verdict && (
          <p
            className={`mt-3 rounded-md border p-3 text-sm font-medium [overflow-wrap:anywhere] ${run.status === "succeeded" ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-red-300 bg-white text-red-800"}`}
            data-testid="run-verdict"
          >
            {run.verdict}
          </p>
        )}
      </section>

      {summary.preflight && (
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">
            Preflight {summary.preflight.ok ? <Badge kind="good">✓ ok</Badge> : <Badge kind="bad">✗ problem</Badge>}
          </h2>
          <ul className="space-y-0.5 text-sm" data-testid="preflight">
            {summary.preflight.lines.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ul>
        </section>
      )}

      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">
          Plan · {steps.length} step{steps.length === 1 ? "" : "s"}
        </h2>
        <ol className="space-y-2" data-testid="run-steps">
          {steps.map((s) => {
            const running = s.status === "running" || s.status === "waiting";
            const el = liveElapsed(s.startedAt, s.finishedAt, running);
            const pct = s.bytesTotal ? Math.min(100, Math.round(((s.bytesDone ?? 0) / s.bytesTotal) * 100)) : null;
            return (
              <li
                key={s.index}
                className={`rounded-md border p-2 text-sm ${running ? "border-sky-400 bg-sky-50" : s.status === "failed" || s.status === "interrupted" ? "border-red-300 bg-red-50" : "border-slate-200"}`}
                data-testid={`step-${s.key}`}
                id={`step-${s.key}`}
              >
                <div className="flex flex-wrap items-center gap-2">
                  <span className="tabular text-slate-500">{s.index + 1}.</span>
                  <span className="font-medium" data-testid="step-title">
                    {s.title}
                  </span>
                  <Badge kind={s.kind === "automatic" ? "info" : s.kind === "confirmation" ? "warn" : "neutral"}>
                    {s.kind}
                  </Badge>
                  {s.status !== "pending" && <RunStatusBadge status={s.status} />}
                  {el !== null && (
                    <span className="tabular text-xs text-slate-600" data-testid="step-elapsed">
                      {formatDuration(el / 1000)}
                    </span>
                  )}
                </div>
                {s.description && <p className="mt-0.5 text-slate-600 [overflow-wrap:anywhere]">{s.description}</p>}
                {s.command && (
                  <pre
                    className="mt-1 max-w-full overflow-x-auto whitespace-pre rounded bg-slate-900 p-2 font-mono text-xs text-slate-100"
                    tabIndex={0}
                    aria-label={`Command of step ${s.index + 1}`}
                  >
                    {commandText(s.kind, s.command)}
                  </pre>
                )}
                {pct !== null && running && (
                  <div className="mt-1">
                    <div
                      className="h-2 w-full overflow-hidden rounded bg-slate-200"
                      role="progressbar"
                      aria-valuenow={pct}
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-label={`${s.title} progress`}
                    >
                      <div className="h-full bg-sky-600" style={{ width: `${pct}%` }} />
                    </div>
                    <span className="tabular text-xs text-slate-600">
                      {formatBytes(s.bytesDone ?? 0)} of {formatBytes(s.bytesTotal ?? 0)}
                    </span>
                  </div>
                )}
                {pct === null && running && s.bytesDone !== null && (
                  <p className="tabular mt-1 text-xs text-slate-600" data-testid="step-bytes">
                    {formatBytes(s.bytesDone)} written so far
                  </p>
                )}
                {s.error && <p className="mt-1 text-red-800 [overflow-wrap:anywhere]">{s.error}</p>}
                {s.note && (
                  <p className="mt-1 text-slate-700">
                    Note{s.completedBy ? ` by ${s.completedBy}` : ""}: {s.note}
                  </p>
                )}
                {s.status === "waiting" && s.kind === "confirmation" && previewStep && (
                  <StepRowPreview runId={run.id} step={previewStep} />
                )}
                {s.status === "waiting" && view.twoPersonRule && approvalActionOfStep(s) && (
                  <ApprovalBox
                    runId={run.id}
                    action={approvalActionOfStep(s)!}
                    environment={run.environment}
                    approvals={view.approvals}
                    me={{ email, role }}
                    runPeople={[run.createdBy, run.confirmedBy]}
                    serverNow={serverNow}
                    onChange={refreshRun}
                  />
                )}
                {s.status === "waiting" && canOperate && (
                  <ManualTick
                    runId={run.id}
                    stepIndex={s.index}
                    kind={s.kind}
                    approverNeeded={
                      view.twoPersonRule && approvalActionOfStep(s) && !approvedFor(approvalActionOfStep(s)!)
                        ? "Confirming needs the approval above first."
                        : stepNeedsApprover(s, run.environment, role, ruleEnvironments)
                    }
                  />
                )}
              </li>
            );
          })}
        </ol>
      </section>

      {run.status === "planned" && canOperate && (
        <ConfirmForm
          runId={run.id}
          planHash={run.planHash}
          confirmationText={confirmationText}
          production={production}
          onStarted={(confirmedBy) => {
            // Show the running view at once, then let the poll (now every second) bring the steps.
            queryClient.setQueryData<RunResponse>(queryKey, (old) =>
              old && old.run.status === "planned"
                ? {
                    ...old,
                    run: {
                      ...old.run,
                      status: "queued",
                      active: true,
                      confirmedBy,
                      confirmedAt: new Date().toISOString(),
                    },
                  }
                : old,
            );
            void queryClient.invalidateQueries({ queryKey });
          }}
        />
      )}
      {canOperate && <RunControls runId={run.id} status={run.status} backupRun={backupRun} monthlyTest={monthlyTest} />}
      {canOperate && run.status === "succeeded" && summary.oldCopy && (
        <DropOldCopy
          runId={run.id}
          oldCopy={summary.oldCopy}
          approverNeeded={
            view.twoPersonRule && !approvedFor("run.drop-old-copy")
              ? "Dropping it needs the approval below first."
              : dropNeedsApprover(run.environment, role, ruleEnvironments)
          }
          approval={
            view.twoPersonRule ? (
              <ApprovalBox
                runId={run.id}
                action="run.drop-old-copy"
                environment={run.environment}
                approvals={view.approvals}
                me={{ email, role }}
                runPeople={[run.createdBy, run.confirmedBy]}
                serverNow={serverNow}
                onChange={refreshRun}
              />
            ) : null
          }
        />
      )}

      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">Live log</h2>
        <pre
          className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-950 p-3 font-mono text-xs leading-relaxed text-slate-100"
          data-testid="run-log"
        >
          {logs.length === 0
            ? "Nothing yet."
            : logs
                .map(
                  (l) =>
                    `${l.at.slice(11, 19)} ${l.stream === "error" || l.stream === "stderr" ? "! " : "  "}${l.text}`,
                )
                .join("\n")}
        </pre>
      </section>
    </div>
  );
}

function ConfirmForm({
  runId,
  planHash,
  confirmationText,
  production,
  onStarted,
}: {
  runId: string;
  planHash: string;
  confirmationText: string;
  production: boolean;
  onStarted: (confirmedBy: string) => void;
}) {
  const [typed, setTyped] = useState("");
  const { pending, error, run } = useServerAction();
  return (
    <form
      aria-label="Confirm the restore"
      className={`rounded-lg border-2 p-4 ${production ? "border-red-500 bg-red-50" : "border-amber-400 bg-amber-50"}`}
      onSubmit={(e) => {
        e.preventDefault();
        run(() => confirmRunAction({ runId, typedName: typed, planHash }), { onSuccess: () => onStarted("you") });
      }}
    >
      <h2 className="font-semibold">
        {production ? "This changes a PRODUCTION database." : "This changes the target database."}
      </h2>
      <p className="mt-1 text-sm">
        Nothing has run yet. To start, type{" "}
        {production
          ? "the database's name in Lifeboat and its name on the server, with a slash between them"
          : "the target database's name"}
        : <strong className="font-mono [overflow-wrap:anywhere]">{confirmationText}</strong>. The server checks it and
        that the plan above is still the one you read.
      </p>
      <label className="mt-3 block text-sm font-medium">
        {production ? "Lifeboat name/database name" : "Target database name"}
        <input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          className="mt-1 block w-full max-w-sm rounded-md border border-slate-400 px-3 py-2 font-mono"
        />
      </label>
      {error && (
        <p className="mt-2 text-sm font-medium text-red-800" data-testid="confirm-error">
          {error.text}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="mt-3 rounded-md border-2 border-red-700 bg-white px-4 py-2 text-sm font-semibold text-red-800 hover:bg-red-700 hover:text-white disabled:opacity-60"
      >
        {pending ? "Starting…" : "Start the restore"}
      </button>
    </form>
  );
}

/** Refetches the run at once after an action, instead of waiting for the next poll. */
function useRefreshRun(runId: string) {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: ["run", runId] });
}

/** `approverNeeded`: said before the click; the server refuses the tick all the same. */
function ManualTick({
  runId,
  stepIndex,
  kind,
  approverNeeded,
}: {
  runId: string;
  stepIndex: number;
  kind: string;
  approverNeeded: string | null;
}) {
  const refresh = useRefreshRun(runId);
  const [note, setNote] = useState("");
  const { pending, error, run } = useServerAction();
  return (
    <div className="mt-2 flex flex-wrap items-end gap-2">
      <label className="text-xs">
        Note (optional)
        <input
          value={note}
          onChange={(e) => setNote(e.target.value)}
          className="ml-1 rounded border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      <Button
        variant="primary"
        loading={pending}
        // Only an approver can take this step: a button that is sure to be refused is not offered.
        disabled={approverNeeded !== null}
        onClick={() =>
          run(() => completeStepAction({ runId, stepIndex, note: note || undefined }), { onSuccess: refresh })
        }
      >
        {kind === "confirmation" ? "Confirm and continue" : "Done — continue"}
      </Button>
      {approverNeeded && !error && (
        <span className="text-sm text-amber-800" data-testid="needs-approver">
          {approverNeeded}
        </span>
      )}
      {error && (
        <span role="alert" className="text-sm text-red-700">
          {error.text}
        </span>
      )}
    </div>
  );
}

function RunControls({
  runId,
  status,
  backupRun,
  monthlyTest,
}: {
  runId: string;
  status: RunStatus;
  backupRun: boolean;
  monthlyTest: boolean;
}) {
  const refresh = useRefreshRun(runId);
  const [keepScratch, setKeepScratch] = useState(false);
  const { pending, error, run } = useServerAction();
  const canCancel = canCancelRun(status);
  // A monthly test is not resumed: its record is closed as failed and the next test starts afresh.
  const canResume = canResumeRun(status) && !monthlyTest;
  // A run that stopped part-way keeps its download and scratch database for a resume; cancelling it removes them.
  const cleansUp = canResume || isActiveRun(status);
  if (!canCancel && !canResume) return null;
  return (
    <div className="flex flex-wrap items-center gap-2">
      {canResume && (
        <Button
          variant="primary"
          disabled={pending}
          onClick={() =>
            run(() => (backupRun ? resumeBackupAction({ runId }) : resumeRunAction({ runId })), { onSuccess: refresh })
          }
        >
          Resume from the step that did not finish
        </Button>
      )}
      {canCancel && (
        <Button
          disabled={pending}
          data-testid="cancel-run"
          onClick={() => {
            const question = backupRun
              ? "Cancel this backup? pg_dump stops and whatever it wrote is deleted; nothing is kept."
              : monthlyTest
                ? "Cancel this monthly test? The running step stops, the test is recorded as failed (cancelled) and its scratch database is dropped."
                : cleansUp
                  ? `Cancel this run and clean up? A running step finishes first; nothing after it runs. The downloaded backup is deleted${keepScratch ? "; the scratch database is kept for inspection" : " and the scratch database dropped"}, so the run can no longer be resumed.`
                  : "Cancel this run? Nothing has run yet.";
            if (window.confirm(question)) run(() => cancelRunAction({ runId, keepScratch }), { onSuccess: refresh });
          }}
        >
          {backupRun
            ? "Cancel the backup"
            : monthlyTest
              ? "Cancel the test"
              : cleansUp
                ? "Cancel and clean up"
                : "Cancel the run"}
        </Button>
      )}
      {canCancel && cleansUp && !backupRun && !monthlyTest && (
        <label className="flex items-center gap-1 text-sm text-slate-700">
          <input type="checkbox" checked={keepScratch} onChange={(e) => setKeepScratch(e.target.checked)} /> keep the
          scratch database for inspection
        </label>
      )}
      {error && (
        <span role="alert" className="text-sm text-red-700" data-testid="run-control-error">
          {error.text}
        </span>
      )}
    </div>
  );
}

/** The old copy stays until an operator drops it, with its own typed confirmation. */
function DropOldCopy({
  runId,
  oldCopy,
  approverNeeded,
  approval,
}: {
  runId: string;
  oldCopy: string;
  approverNeeded: string | null;
  /** The two-person rule's box, where it applies. */
  approval: React.ReactNode;
}) {
  const [typed, setTyped] = useState("");
  const { pending, feedback: message, run } = useServerAction();
  return (
    <div className="rounded-lg border border-slate-300 bg-white p-4 text-sm">
      <form
        aria-label="Drop the old copy"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => dropOldCopyAction({ runId, typedName: typed }), {
            onSuccess: (d) => (d.dropped ? `Dropped ${d.oldCopy}.` : `${d.oldCopy} was already gone.`),
          });
        }}
      >
        <h2 className="font-semibold">Old copy</h2>
        <p className="mt-1 text-slate-600">
          The database as it was before the switch-over is kept as <strong className="font-mono">{oldCopy}</strong>.
          When the application runs well on the restored one, drop it: type its name.
        </p>
        <input
          aria-label="Old copy name"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          className="mt-2 block w-full max-w-md rounded-md border border-slate-400 px-3 py-1.5 font-mono"
        />
        <Button type="submit" variant="danger" loading={pending} className="mt-2 font-medium">
          Drop the old copy
        </Button>
        {approverNeeded && !message && (
          <p className="mt-2 text-amber-800" data-testid="drop-needs-approver">
            {approverNeeded}
          </p>
        )}
        {message && (
          <p
            role={message.kind === "ok" ? "status" : "alert"}
            className={`mt-2 ${message.kind === "ok" ? "text-emerald-800" : "text-red-800"}`}
            data-testid="drop-old-copy-result"
          >
            {message.text}
          </p>
        )}
      </form>
      {/* Outside the form: the box has forms of its own (break glass). */}
      {approval}
    </div>
  );
}
