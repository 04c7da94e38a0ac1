"use client";

import Link from "next/link";
import { useId, useState, useSyncExternalStore } from "react";
import { Time } from "@/components/time";
import { buttonClass } from "@/components/ui/button";
import { formatUtc } from "@/lib/format/time";

// The recoverable window drawn as a bar: base backups as marks above it, WAL coverage as the
// bar, gaps in red, restore points as marks below, and "newest recoverable moment" at its end.
// Clicking the bar (or moving the slider, for the keyboard) picks a moment inside the window;
// `pickHref` turns it into the restore wizard's address.

export type TimelineBackup = { label: string; type: "full" | "diff" | "incr"; stoppedAt: string };
export type TimelineGap = { from: string | null; to: string | null; afterSegment: string; beforeSegment: string };
export type TimelinePoint = { name: string; createdAt: string; lsn: string };

export type PitrTimelineProps = {
  /** Earliest moment a time target can name (end of the oldest base backup). */
  from: string | null;
  /** Newest moment recovery reaches. */
  newestRecoverable: string | null;
  newestRecoverableLsn: string | null;
  /** When the archive was read: the bar's right edge when later than the window. */
  checkedAt: string;
  backups: TimelineBackup[];
  gaps: TimelineGap[];
  restorePoints: TimelinePoint[];
  /** The wizard's address for a picked moment (ISO); absent: picking is not offered. */
  pickHrefBase?: string | null;
  onPick?: (iso: string) => void;
};

const TYPE_WORD = { full: "full", diff: "differential", incr: "incremental" } as const;

const noSubscription = () => () => {};
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * A recovery moment to the second (or millisecond): <Time> rounds to the minute, which is not
 * enough for a target. UTC first; the viewer's zone beside it once in the browser.
 */
export function Moment({ iso, ms = false }: { iso: string; ms?: boolean }) {
  const zone = useSyncExternalStore(noSubscription, browserZone, () => null);
  const utc = `${iso.slice(0, ms ? 23 : 19).replace("T", " ")} UTC`;
  const local =
    zone && zone !== "UTC" && zone !== "Etc/UTC"
      ? new Date(iso).toLocaleString(undefined, {
          dateStyle: "medium",
          timeStyle: "medium",
          timeZoneName: "short",
        })
      : null;
  return (
    <time dateTime={iso} className="tabular">
      {utc}
      {local && <span className="ml-1 text-xs text-slate-500">{`· ${local}`}</span>}
    </time>
  );
}

export function PitrTimeline(p: PitrTimelineProps) {
  const sliderId = useId();
  const from = p.from ? Date.parse(p.from) : null;
  const to = p.newestRecoverable ? Date.parse(p.newestRecoverable) : null;
  const [picked, setPicked] = useState<number | null>(null);

  const times = [
    ...p.backups.map((b) => Date.parse(b.stoppedAt)),
    ...p.restorePoints.map((r) => Date.parse(r.createdAt)),
    Date.parse(p.checkedAt),
    from ?? NaN,
    to ?? NaN,
  ].filter((t) => Number.isFinite(t));
  if (times.length === 0 || from === null || to === null || to < from) {
    return (
      <p className="text-sm text-slate-600" data-testid="pitr-timeline-empty">
        {p.backups.length === 0
          ? "No base backup in the repository yet: nothing can be recovered to a moment. Take one on the database server (pgbackrest --stanza=… --type=full backup)."
          : "No archived commit after the newest base backup yet: the only recoverable point is the end of a base backup. Switch WAL now to archive the current segment."}
      </p>
    );
  }
  const start = Math.min(...times);
  const end = Math.max(...times);
  const span = Math.max(end - start, 1000);
  const pct = (t: number) => `${(((t - start) / span) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(((b - a) / span) * 100, 0.4).toFixed(3)}%`;
  const clamp = (t: number) => Math.min(Math.max(t, from), to);

  function pickAt(clientX: number, el: HTMLElement) {
    const r = el.getBoundingClientRect();
    const t = start + ((clientX - r.left) / r.width) * span;
    const c = clamp(Math.round(t / 1000) * 1000);
    setPicked(c);
    p.onPick?.(new Date(c).toISOString());
  }
  const pickedIso = picked === null ? null : new Date(picked).toISOString();
  const gapBefore =
    picked === null
      ? null
      : p.gaps.find((g) => {
          const gFrom = g.from ? Date.parse(g.from) : NaN;
          // A gap between the base backup recovery starts from and the moment: unreachable.
          const backupBefore = p.backups.filter((b) => Date.parse(b.stoppedAt) < picked).at(-1);
          return (
            Number.isFinite(gFrom) && gFrom < picked && (!backupBefore || Date.parse(backupBefore.stoppedAt) < gFrom)
          );
        });

  return (
    <div className="space-y-2" data-testid="pitr-timeline">
      <div
        className="relative h-14 cursor-crosshair select-none"
        onClick={(e) => pickAt(e.clientX, e.currentTarget)}
        role="presentation"
        data-testid="pitr-timeline-bar"
      >
        {/* The whole span: not recoverable unless covered. */}
        <div className="absolute inset-x-0 top-5 h-4 rounded bg-slate-200" />
        <div
          className="absolute top-5 h-4 rounded bg-sky-600"
          style={{ left: pct(from), width: width(from, to) }}
          title={`Recoverable: ${formatUtc(new Date(from))} to ${formatUtc(new Date(to))}`}
          data-testid="pitr-coverage"
        />
        {p.gaps.map((g) => {
          const a = g.from ? Date.parse(g.from) : from;
          const b = g.to ? Date.parse(g.to) : a;
          return (
            <div
              key={g.afterSegment}
              className="absolute top-4 h-6 rounded-sm bg-red-600"
              style={{ left: pct(a), width: width(a, b) }}
              title={`Gap: WAL missing after ${g.afterSegment} until ${g.beforeSegment}`}
              data-testid="pitr-gap"
            />
          );
        })}
        {p.backups.map((b) => (
          <div
            key={b.label}
            className="absolute top-0 flex h-9 -translate-x-1/2 flex-col items-center"
            style={{ left: pct(Date.parse(b.stoppedAt)) }}
            title={`Base backup ${b.label} (${TYPE_WORD[b.type]}), ended ${formatUtc(b.stoppedAt)}`}
          >
            <span className="text-[10px] font-semibold leading-3 text-slate-800">{b.type[0]?.toUpperCase()}</span>
            <span className="w-0.5 flex-1 bg-slate-800" />
          </div>
        ))}
        {p.restorePoints.map((r) => (
          <div
            key={r.name}
            className="absolute top-9 h-3 w-3 -translate-x-1/2 rotate-45 border border-amber-800 bg-amber-400"
            style={{ left: pct(Date.parse(r.createdAt)) }}
            title={`Restore point ${r.name} (${formatUtc(r.createdAt)}, LSN ${r.lsn})`}
          />
        ))}
        {picked !== null && (
          <div
            className="absolute top-2 h-10 w-0.5 -translate-x-1/2 bg-emerald-600"
            style={{ left: pct(picked) }}
            data-testid="pitr-picked-mark"
          />
        )}
      </div>
      <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 text-xs text-slate-600">
        <span>
          from <Time value={new Date(from)} />
        </span>
        <span className="text-right" data-testid="pitr-newest">
          newest recoverable moment{" "}
          <strong className="text-slate-900">
            <Moment iso={new Date(to).toISOString()} ms />
          </strong>
        </span>
      </div>
      <p className="text-xs text-slate-600">
        <span className="font-semibold">F/D/I</span> base backups (full, differential, incremental) ·{" "}
        <span className="text-sky-700">blue</span> WAL archived · <span className="text-red-700">red</span> gaps
        (missing WAL) · <span className="text-amber-800">◆</span> restore points · grey: not recoverable
      </p>
      <label htmlFor={sliderId} className="block text-xs text-slate-600">
        Moment to restore to (click the bar, or use the arrow keys here)
      </label>
      <input
        id={sliderId}
        type="range"
        min={Math.ceil(from / 1000)}
        max={Math.floor(to / 1000)}
        step={1}
        value={Math.round((picked ?? to) / 1000)}
        onChange={(e) => {
          const c = clamp(Number(e.target.value) * 1000);
          setPicked(c);
          p.onPick?.(new Date(c).toISOString());
        }}
        className="w-full"
        data-testid="pitr-slider"
      />
      {pickedIso && (
        <div className="rounded-md border border-emerald-200 bg-emerald-50 p-2 text-sm" data-testid="pitr-picked">
          <p>
            Picked: <Moment iso={pickedIso} />
          </p>
          {gapBefore ? (
            <p className="mt-1 text-red-800">
              WAL is missing between this moment and the base backup before it (after {gapBefore.afterSegment}):
              recovery cannot reach it. Pick a moment before the gap or after a later base backup.
            </p>
          ) : (
            p.pickHrefBase && (
              <Link
                href={`${p.pickHrefBase}${p.pickHrefBase.includes("?") ? "&" : "?"}pitrTime=${encodeURIComponent(pickedIso)}`}
                className={buttonClass("primary", "sm", "mt-2")}
                data-testid="pitr-restore-link"
              >
                Restore to this moment…
              </Link>
            )
          )}
        </div>
      )}
    </div>
  );
}
