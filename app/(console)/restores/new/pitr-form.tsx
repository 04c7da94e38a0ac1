"use client";

import { useRouter } from "next/navigation";
import { useState, useSyncExternalStore, useTransition } from "react";
import type { ScenarioId } from "@/lib/scenarios/registry";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Time } from "@/components/time";
import { useServerAction } from "@/components/ui/use-server-action";
import { formatUtc } from "@/lib/format/time";
import { prepareRunAction, switchWalAction } from "../actions";

type Kind = "time" | "lsn" | "xid" | "name" | "immediate";

export type PitrWindowProps = {
  stanza: string;
  from: string | null;
  newestRecoverable: string | null;
  newestRecoverableLsn: string | null;
  checkedAt: string;
  gaps: number;
  baseBackups: { label: string; type: string; stoppedAt: string }[];
  restorePoints: { name: string; lsn: string; createdAt: string }[];
};

const KINDS: { kind: Kind; label: string }[] = [
  { kind: "time", label: "A time" },
  { kind: "name", label: "A named restore point" },
  { kind: "lsn", label: "A WAL position (LSN)" },
  { kind: "xid", label: "A transaction id" },
  { kind: "immediate", label: "The end of a base backup" },
];

const noSubscription = () => () => {};
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "2026-12-01T22:59:58" (the UTC input's value) from an ISO time. */
function utcInputValue(iso: string | null): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return "";
  return new Date(iso).toISOString().slice(0, 19);
}

/** The UTC input's value as an ISO time with its zone, or null. */
function isoFromUtcInput(value: string): string | null {
  const v = value.length === 16 ? `${value}:00` : value;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$/.test(v)) return null;
  const ms = Date.parse(`${v}Z`);
  return Number.isFinite(ms) ? `${v}Z` : null;
}

function localText(iso: string, zone: string): string {
  return new Date(iso).toLocaleString(undefined, {
    timeZone: zone,
    dateStyle: "medium",
    timeStyle: "medium",
  });
}

export function PitrForm({
  scenarioId,
  databaseId,
  fields,
  window: w,
  presetTime,
  drill,
}: {
  scenarioId: ScenarioId;
  databaseId: string;
  fields: "deleted-rows" | "health-urls" | null;
  window: PitrWindowProps;
  /** From the timeline's click (pitrTime) or one second before the deletion. */
  presetTime: string | null;
  drill: { id: string; step: number } | null;
}) {
  const router = useRouter();
  const zone = useSyncExternalStore(noSubscription, browserZone, () => null);
  const [kind, setKind] = useState<Kind>("time");
  const [time, setTime] = useState(utcInputValue(presetTime ?? w.newestRecoverable));
  const { pending, error, run } = useServerAction();
  const [refusal, setRefusal] = useState<string | null>(null);
  const [switching, startSwitch] = useTransition();
  const [switched, setSwitched] = useState<string | null>(null);

  const iso = isoFromUtcInput(time);
  const outside =
    kind === "time" && iso
      ? w.newestRecoverable && Date.parse(iso) > Date.parse(w.newestRecoverable)
        ? "after"
        : w.from && Date.parse(iso) < Date.parse(w.from)
          ? "before"
          : null
      : null;

  function target(f: FormData) {
    switch (kind) {
      case "time":
        return { kind, at: iso ?? time };
      case "lsn":
        return { kind, lsn: String(f.get("lsn") ?? "") };
      case "xid":
        return { kind, xid: String(f.get("xid") ?? "") };
      case "name":
        return { kind, name: String(f.get("pointName") || f.get("pointTyped") || "") };
      case "immediate":
        return { kind };
    }
  }

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setRefusal(null);
    setSwitched(null);
    run(
      async () => {
        const r = await prepareRunAction({
          scenarioId,
          databaseId,
          backupId: "",
          pitr: {
            target: target(f),
            ...(kind === "immediate" ? { baseBackupLabel: String(f.get("baseBackupLabel") ?? "") } : {}),
            keepHours: Number(f.get("keepHours") ?? 0) || 0,
            ...(zone ? { timeZone: zone } : {}),
          },
          input: Object.fromEntries(
            ["table", "idColumn", "ids"].filter((k) => f.has(k)).map((k) => [k, String(f.get(k))]),
          ),
          ...(drill ? { drillId: drill.id, drillStep: drill.step } : {}),
        });
        // The moment is after what is archived: say so beside the Switch WAL now button.
        if (!r.ok && r.code === "after_window") {
          setRefusal(r.error);
          return { ok: true as const, data: null };
        }
        return r;
      },
      { onSuccess: (d) => (d ? router.push(`/restores/${d.runId}`) : undefined) },
    );
  }

  function switchWal() {
    startSwitch(async () => {
      const r = await switchWalAction({ databaseId }).catch(() => null);
      if (!r) {
        setSwitched("The console did not answer: check the connection and try again.");
      } else if (!r.ok) {
        setSwitched(r.error);
      } else {
        setSwitched(
          r.data.archived
            ? `Switched: segment ${r.data.segment ?? "?"} is archived. Newest recoverable moment now: ${r.data.newestRecoverable ? formatUtc(r.data.newestRecoverable) : "unknown"}. Press “Preflight and plan” again.`
            : `Switched at ${r.data.lsn}, but the segment was not archived within 15 s: check the archive's health on the database's page.`,
        );
        router.refresh();
      }
    });
  }

  const input = "w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  return (
    <form onSubmit={onSubmit} aria-label="Restore to a moment" className="space-y-4">
      <div className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="pitr-window">
        <div className="font-semibold">Recoverable window (stanza {w.stanza})</div>
        {w.newestRecoverable && w.from ? (
          <p>
            From <Time value={w.from} /> to <Time value={w.newestRecoverable} />{" "}
            <span className="text-slate-600">(the newest recoverable moment)</span>
            {w.gaps > 0 && (
              <span className="ml-1 font-semibold text-red-700">
                · {w.gaps} gap{w.gaps === 1 ? "" : "s"} in the archive: moments after a gap cannot be reached
              </span>
            )}
          </p>
        ) : (
          <p className="text-amber-900">
            Nothing after the oldest base backup is archived yet: press Switch WAL now, or take a base backup.
          </p>
        )}
        <p className="text-xs text-slate-500">
          Read from the repository <Time value={w.checkedAt} relative />.
        </p>
      </div>

      <fieldset className="space-y-2 rounded-lg border border-slate-200 bg-white p-3">
        <legend className="px-1 text-sm font-semibold">Restore to</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {KINDS.map((k) => (
            <label key={k.kind} className="flex items-center gap-1">
              <input
                type="radio"
                name="kind"
                value={k.kind}
                checked={kind === k.kind}
                onChange={() => setKind(k.kind)}
              />
              {k.label}
            </label>
          ))}
        </div>
        {kind === "time" && (
          <div className="space-y-1 text-sm">
            <label className="block">
              Time (UTC, to the second)
              <input
                type="datetime-local"
                step={1}
                name="time"
                value={time}
                onChange={(e) => setTime(e.target.value)}
                className={`${input} font-mono sm:max-w-xs`}
                data-testid="pitr-time"
                required
              />
            </label>
            <p className="text-xs text-slate-600" data-testid="pitr-time-local">
              {iso
                ? zone && zone !== "UTC" && zone !== "Etc/UTC"
                  ? `= ${localText(iso, zone)} in your time zone (${zone})`
                  : "Your browser's time zone is UTC."
                : "Enter a date and a time."}
            </p>
            {outside === "after" && w.newestRecoverable && (
              <p className="text-xs font-medium text-amber-900">
                After the newest recoverable moment ({formatUtc(w.newestRecoverable)}): the plan will be refused unless
                newer WAL is archived first.
              </p>
            )}
            {outside === "before" && w.from && (
              <p className="text-xs font-medium text-amber-900">
                Before the end of the oldest base backup ({formatUtc(w.from)}): the archive cannot go back that far.
              </p>
            )}
          </div>
        )}
        {kind === "lsn" && (
          <label className="block text-sm">
            WAL position
            <input
              name="lsn"
              className={`${input} font-mono sm:max-w-xs`}
              placeholder={w.newestRecoverableLsn ?? "0/16B3748"}
              required
            />
          </label>
        )}
        {kind === "xid" && (
          <label className="block text-sm">
            Transaction id (recovery stops after it commits)
            <input
              name="xid"
              inputMode="numeric"
              className={`${input} font-mono sm:max-w-xs`}
              placeholder="742"
              required
            />
          </label>
        )}
        {kind === "name" && (
          <div className="grid gap-2 text-sm sm:grid-cols-2">
            <label className="block">
              A restore point made through Lifeboat
              <select name="pointName" className={input} defaultValue={w.restorePoints[0]?.name ?? ""}>
                <option value="">— type a name instead —</option>
                {w.restorePoints.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.name} ({formatUtc(p.createdAt)}, {p.lsn})
                  </option>
                ))}
              </select>
            </label>
            <label className="block">
              or its name
              <input name="pointTyped" className={`${input} font-mono`} placeholder="before-v42" />
            </label>
          </div>
        )}
        {kind === "immediate" && (
          <label className="block text-sm">
            Base backup (recovery stops as soon as it is consistent)
            <select name="baseBackupLabel" className={`${input} font-mono`} defaultValue={w.baseBackups.at(-1)?.label}>
              {[...w.baseBackups].reverse().map((b) => (
                <option key={b.label} value={b.label}>
                  {b.label} ({b.type}, ended {formatUtc(b.stoppedAt)})
                </option>
              ))}
            </select>
          </label>
        )}
        <p className="text-xs text-slate-600">
          pgBackRest starts from the newest base backup that ended before the moment; the plan names it, and the run
          uses exactly that one.
        </p>
      </fieldset>

      {refusal && (
        <div
          className="space-y-2 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900"
          role="alert"
          data-testid="pitr-refusal"
        >
          <p>{refusal}</p>
          <div className="flex flex-wrap items-center gap-2">
            <Button type="button" variant="secondary" onClick={switchWal} loading={switching} loadingText="Switching…">
              Switch WAL now
            </Button>
            {switched && (
              <span className="text-slate-800" role="status" data-testid="pitr-switched">
                {switched}
              </span>
            )}
          </div>
        </div>
      )}

      {fields === "deleted-rows" && (
        <fieldset className="grid gap-2 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-3">
          <legend className="px-1 text-sm font-semibold">Which rows were deleted?</legend>
          <label className="text-sm">
            Table (schema.table)
            <input name="table" className={`${input} font-mono`} placeholder="public.transactions" />
          </label>
          <label className="text-sm">
            Id column
            <input name="idColumn" defaultValue="id" className={`${input} font-mono`} />
          </label>
          <label className="text-sm">
            Ids: a list (1, 5, 9) or a range (100-250)
            <input name="ids" className={`${input} font-mono`} placeholder="100-250" />
          </label>
        </fieldset>
      )}

      <label className="block text-sm">
        Keep the recovery instance for inspection
        <select name="keepHours" defaultValue="0" className={`${input} sm:max-w-xs`}>
          <option value="0">No: stop and remove it at the end</option>
          <option value="1">1 hour</option>
          <option value="4">4 hours</option>
          <option value="24">24 hours</option>
          <option value="72">72 hours</option>
        </select>
      </label>

      {drill && (
        <p className="rounded-md border border-sky-200 bg-sky-50 p-2 text-sm text-sky-900" data-testid="drill-link">
          Part of a drill: the run&apos;s measured time becomes the drill step&apos;s time.
        </p>
      )}
      <Feedback feedback={error} testId="prepare-error" />
      <Button type="submit" variant="primary" size="lg" loading={pending} loadingText="Reading the archive…">
        Preflight and plan
      </Button>
      <p className="text-xs text-slate-600">
        Nothing is changed yet: the next page shows the base backup, every step and its exact command, then asks you to
        type the target&apos;s name.
      </p>
    </form>
  );
}
