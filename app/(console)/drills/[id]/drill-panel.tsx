"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { useServerAction, type ActionOutcome } from "@/components/ui/use-server-action";
import type { DrillResponse } from "@/app/api/drills/[id]/route";
import { Badge, EnvironmentBadge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { formatDuration } from "@/lib/format/time";
import {
  closeDrillAction,
  saveStepNotesAction,
  skipDrillStepAction,
  startDrillAction,
  stopwatchAction,
} from "../actions";
import { StepTimesChart } from "@/components/charts/step-times-chart";
import { outcomeWords } from "@/lib/drills/stopwatch";

const STATE: Record<string, ["neutral" | "info" | "warn" | "good", string]> = {
  not_started: ["neutral", "○ not started"],
  running: ["info", "◌ running"],
  paused: ["warn", "‖ paused"],
  finished: ["good", "✓ finished"],
  skipped: ["neutral", "↷ skipped"],
};

/** A step the restore run did in under a second still shows that it took some time. */
const stepDuration = (ms: number) => (ms > 0 && ms < 1000 ? "< 0:01" : formatDuration(ms / 1000));

export function DrillPanel({ initial, canOperate }: { initial: DrillResponse; canOperate: boolean }) {
  const queryClient = useQueryClient();
  const { data } = useQuery({
    queryKey: ["drill", initial.id],
    initialData: initial,
    queryFn: async (): Promise<DrillResponse> => {
      const res = await fetch(`/api/drills/${initial.id}`, { cache: "no-store" });
      if (!res.ok) throw new Error((await res.json()).error);
      return res.json();
    },
    refetchInterval: (q) => (q.state.data?.status === "running" ? 2000 : false),
  });
  const d = data ?? initial;
  // Starts at the server's "now", so the server's HTML and the first render in the browser agree.
  const [now, setNow] = useState(() => Date.parse(initial.now));
  const [skew, setSkew] = useState(0);
  useEffect(() => {
    const local = Date.now();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the offset is measured when a poll arrives
    setNow(local);
    setSkew(Date.parse(d.now) - local);
  }, [d.now]);
  useEffect(() => {
    if (d.status !== "running") return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [d.status]);
  const action = useServerAction();
  const pending = action.pending;
  const error = action.error?.text ?? null;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["drill", initial.id] });
  // Refetched after a refusal too: the refusal may come from a state the page had not seen yet.
  const run = <T,>(fn: () => Promise<ActionOutcome<T>>) =>
    action.run(async () => {
      const r = await fn();
      await refresh();
      return r;
    });

  // Server times, advanced locally between polls for the running step.
  const live = (s: DrillResponse["steps"][number]) =>
    s.elapsedMs + (s.runningSince ? Math.max(0, now + skew - Date.parse(d.now)) : 0);
  const total = d.steps.reduce((sum, s) => sum + live(s), 0);
  const rtoMs = d.rtoMinutes !== null ? d.rtoMinutes * 60_000 : null;
  const over = rtoMs !== null && total > rtoMs;

  return (
    <div className="space-y-4">
      <section className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
        <div className="flex flex-wrap items-center gap-3">
          <Badge
            kind={
              d.status === "running"
                ? "info"
                : d.status === "closed"
                  ? d.outcome === "met"
                    ? "good"
                    : "bad"
                  : "neutral"
            }
            testId="drill-state"
          >
            {d.status === "closed" ? outcomeWords(d.outcome) : d.status}
          </Badge>
          <span>
            Scheduled <Time value={d.scheduledAt} />
          </span>
          {d.database && (
            <span>
              {d.database.name} <EnvironmentBadge environment={d.database.environment} />
            </span>
          )}
          <span>Participants: {d.participants.length ? d.participants.join(", ") : "none named"}</span>
        </div>
        <div className="mt-3 flex flex-wrap items-baseline gap-4">
          <span>
            Total{" "}
            <strong className="tabular text-2xl" data-testid="drill-total">
              {formatDuration(total / 1000)}
            </strong>
          </span>
          {rtoMs !== null && (
            <span className={over ? "font-semibold text-red-700" : "text-emerald-800"} data-testid="drill-rto">
              RTO {d.rtoMinutes} min ·{" "}
              {over
                ? `▲ over by ${formatDuration((total - rtoMs) / 1000)}`
                : `✓ under by ${formatDuration((rtoMs - total) / 1000)}`}
            </span>
          )}
        </div>
        {d.status === "scheduled" && canOperate && (
          <Button
            variant="primary"
            size="lg"
            className="mt-3"
            loading={pending}
            onClick={() => run(() => startDrillAction({ drillId: d.id }))}
          >
            Start the drill
          </Button>
        )}
        {error && (
          <p className="mt-2 font-medium text-red-700" data-testid="drill-error">
            {error}
          </p>
        )}
      </section>

      <ol className="space-y-2" data-testid="drill-steps">
        {d.steps.map((s) => {
          const [kind, label] = STATE[s.state] ?? ["neutral", s.state];
          const act = (action: "start" | "pause" | "resume" | "finish") =>
            run(() => stopwatchAction({ stepId: s.id, action }));
          return (
            <li
              key={s.id}
              data-testid={`drill-step-${s.index}`}
              data-key={s.key}
              className={`rounded-lg border bg-white p-3 text-sm ${s.state === "running" ? "border-sky-400" : "border-slate-200"}`}
            >
              <div className="flex flex-wrap items-center gap-2">
                <span className="tabular text-slate-500">{s.index + 1}.</span>
                <span className="font-medium">{s.title}</span>
                <Badge kind={kind}>{label}</Badge>
                <span className="tabular font-semibold" data-testid="step-time">
                  {stepDuration(live(s))}
                </span>
                {s.fromRun && <Badge kind="info">measured by the restore run</Badge>}
              </div>
              {s.command && (
                <pre
                  className="mt-1 max-w-full overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-2 font-mono text-xs text-slate-100"
                  data-testid="drill-step-command"
                >
                  {s.command}
                </pre>
              )}
              {s.skippedAt && (
                <p className="mt-1 text-slate-700" data-testid="skip-reason">
                  Skipped by {s.skippedBy}: {s.skipReason}
                </p>
              )}
              {d.status === "running" && canOperate && (
                <div className="mt-2 flex flex-wrap gap-2">
                  {s.state === "not_started" && (
                    <button
                      type="button"
                      disabled={pending}
                      onClick={() => act("start")}
                      className="rounded border border-sky-600 px-2 py-1 text-sky-800"
                    >
                      Start
                    </button>
                  )}
                  {s.state === "running" && (
                    <button
                      type="button"
                      disabled={pending}
                      onClick={() => act("pause")}
                      className="rounded border border-slate-300 px-2 py-1"
                    >
                      Pause
                    </button>
                  )}
                  {s.state === "paused" && (
                    <button
                      type="button"
                      disabled={pending}
                      onClick={() => act("resume")}
                      className="rounded border border-sky-600 px-2 py-1 text-sky-800"
                    >
                      Resume
                    </button>
                  )}
                  {(s.state === "running" || s.state === "paused") && (
                    <button
                      type="button"
                      disabled={pending}
                      onClick={() => act("finish")}
                      className="rounded border border-emerald-600 px-2 py-1 text-emerald-800"
                    >
                      Finish
                    </button>
                  )}
                  {s.kind === "automatic" && s.state === "not_started" && !s.runId && d.database && (
                    <Link
                      href={`/restores/new?scenario=${d.scenarioId}&database=${d.database.id}&drill=${d.id}&step=${s.index}`}
                      className="rounded border border-slate-300 px-2 py-1"
                    >
                      Launch the restore run for this step
                    </Link>
                  )}
                  {s.runId && (
                    <Link href={`/restores/${s.runId}`} className="rounded border border-slate-300 px-2 py-1">
                      Open its restore run
                    </Link>
                  )}
                  {(s.state === "not_started" || s.state === "paused") && (
                    <SkipStep stepId={s.id} title={s.title} onSkipped={refresh} />
                  )}
                </div>
              )}
              {d.status !== "scheduled" && (
                <StepNotes step={s} disabled={d.status === "closed" || !canOperate} onSaved={refresh} />
              )}
            </li>
          );
        })}
      </ol>
      {d.status !== "scheduled" && d.steps.some((s) => s.elapsedMs > 0) && (
        <section className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
          <StepTimesChart
            steps={d.steps.map((s) => ({ label: `${s.index + 1}. ${s.title}`, ms: s.elapsedMs, state: s.state }))}
            rtoMinutes={d.rtoMinutes}
          />
        </section>
      )}
      {d.status === "running" && canOperate && (
        <CloseForm drillId={d.id} unfinished={d.unfinished} onClosed={refresh} />
      )}
      {d.status === "closed" && (
        <section className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
          <h2 className="font-semibold">Issues</h2>
          <p className="whitespace-pre-wrap">{d.issues || "None recorded."}</p>
          <h2 className="mt-2 font-semibold">Improvements</h2>
          <ul>
            {d.actions.map((a) => (
              <li key={a.id}>
                {a.done ? "✓" : "○"} {a.text} — {a.owner}, due <Time value={a.dueDate} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function StepNotes({
  step,
  disabled,
  onSaved,
}: {
  step: DrillResponse["steps"][number];
  disabled: boolean;
  onSaved: () => void;
}) {
  const [notes, setNotes] = useState(step.notes);
  const [issues, setIssues] = useState(step.issues);
  const { pending, feedback, run } = useServerAction();
  if (disabled)
    return step.notes || step.issues ? (
      <p className="mt-1 whitespace-pre-wrap text-slate-700">
        {step.notes}
        {step.issues && (
          <>
            <br />
            <strong>Issues:</strong> {step.issues}
          </>
        )}
      </p>
    ) : null;
  return (
    <div className="mt-2 grid gap-2 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
      <label className="text-xs">
        Notes
        <textarea
          rows={1}
          value={notes}
          onChange={(e) => setNotes(e.target.value)}
          className="block w-full rounded border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      <label className="text-xs">
        Issues found
        <textarea
          rows={1}
          value={issues}
          onChange={(e) => setIssues(e.target.value)}
          className="block w-full rounded border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      <Button
        size="xs"
        disabled={pending}
        onClick={() =>
          run(
            async () => {
              const r = await saveStepNotesAction({ stepId: step.id, notes, issues });
              onSaved();
              return r;
            },
            { onSuccess: () => "saved" },
          )
        }
      >
        Save notes{feedback && ` (${feedback.text})`}
      </Button>
    </div>
  );
}

/** Skipping is explicit: a reason is required and shown in the report and the CSV. */
function SkipStep({ stepId, title, onSkipped }: { stepId: string; title: string; onSkipped: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const { pending, error, run } = useServerAction();
  if (!open)
    return (
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="rounded border border-slate-300 px-2 py-1 text-slate-700"
      >
        Skip…
      </button>
    );
  return (
    <form
      aria-label={`Skip ${title}`}
      className="flex w-full flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        run(() => skipDrillStepAction({ stepId, reason }), {
          onSuccess: () => {
            setOpen(false);
            onSkipped();
          },
        });
      }}
    >
      <label className="min-w-0 flex-1 text-xs">
        Why is this step skipped? (required, shown in the report)
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
          maxLength={2000}
          className="block w-full rounded border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      <Button type="submit" size="sm" loading={pending}>
        Skip this step
      </Button>
      <Button variant="ghost" size="sm" onClick={() => setOpen(false)}>
        Keep it
      </Button>
      {error && (
        <span role="alert" className="w-full text-red-700" data-testid="skip-error">
          {error.text}
        </span>
      )}
    </form>
  );
}

function CloseForm({ drillId, unfinished, onClosed }: { drillId: string; unfinished: string[]; onClosed: () => void }) {
  const [actions, setActions] = useState<{ text: string; owner: string; dueDate: string }[]>([]);
  const [issues, setIssues] = useState("");
  const { pending, error, run } = useServerAction();
  const input = "rounded border border-slate-300 px-2 py-1 text-sm";
  return (
    <form
      aria-label="Close the drill"
      className="rounded-lg border-2 border-slate-300 bg-white p-4 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        run(async () => {
          const r = await closeDrillAction({ drillId, issues, actions });
          onClosed();
          return r;
        });
      }}
    >
      <h2 className="font-semibold">Close the drill</h2>
      <p className="text-slate-600">
        The outcome is the measured total against the RTO. Record what went wrong and what to improve.
      </p>
      {unfinished.length > 0 && (
        <p
          className="mt-2 rounded border border-amber-400 bg-amber-50 p-2 text-amber-900"
          data-testid="close-unfinished"
        >
          ▲ {unfinished.length} step{unfinished.length === 1 ? " is" : "s are"} neither done nor skipped (
          {unfinished.join("; ")}). Closing now records the drill as <strong>incomplete</strong>, not as meeting the
          RTO: finish each step, or skip it with a reason.
        </p>
      )}
      <label className="mt-2 block">
        Issues
        <textarea
          value={issues}
          onChange={(e) => setIssues(e.target.value)}
          rows={2}
          className={`${input} block w-full`}
        />
      </label>
      <div className="mt-2 space-y-1">
        {actions.map((a, i) => (
          <div key={i} className="grid gap-1 sm:grid-cols-[1fr_12rem_10rem]">
            <input
              aria-label="Improvement"
              value={a.text}
              onChange={(e) => setActions(actions.map((x, j) => (j === i ? { ...x, text: e.target.value } : x)))}
              className={input}
              placeholder="Improvement"
            />
            <input
              aria-label="Owner"
              value={a.owner}
              onChange={(e) => setActions(actions.map((x, j) => (j === i ? { ...x, owner: e.target.value } : x)))}
              className={input}
              placeholder="Owner"
            />
            <input
              aria-label="Due date"
              type="date"
              value={a.dueDate}
              onChange={(e) => setActions(actions.map((x, j) => (j === i ? { ...x, dueDate: e.target.value } : x)))}
              className={input}
            />
          </div>
        ))}
        <button
          type="button"
          className="rounded border border-slate-300 px-2 py-1 text-xs"
          onClick={() => setActions([...actions, { text: "", owner: "", dueDate: "" }])}
        >
          Add an improvement
        </button>
      </div>
      {error && (
        <p role="alert" className="mt-2 font-medium text-red-700" data-testid="close-error">
          {error.text}
        </p>
      )}
      <Button type="submit" variant="primary" size="lg" className="mt-3" loading={pending}>
        Close the drill
      </Button>
    </form>
  );
}
