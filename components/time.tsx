"use client";

import { useSyncExternalStore } from "react";
import { formatRelative, formatUtc } from "@/lib/format/time";

// The browser's clock, to the half-minute: the same value for every <Time> on the page, so React
// re-renders them together twice a minute and never in a loop (a snapshot must be stable).
const TICK_MS = 30_000;
const tickListeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
function subscribeToClock(onTick: () => void) {
  tickListeners.add(onTick);
  timer ??= setInterval(() => tickListeners.forEach((l) => l()), TICK_MS);
  return () => {
    tickListeners.delete(onTick);
    if (tickListeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}
const clockNow = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;

const noSubscription = () => () => {};
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The browser's clock after hydration; null while rendering on the server and while hydrating. */
export function useNow(): number | null {
  return useSyncExternalStore(subscribeToClock, clockNow, () => null);
}

/**
 * UTC first (what the runbook and the logs use), the viewer's local time beside it.
 *
 * The server cannot know the viewer's clock or zone, so the UTC text is the only part rendered
 * identically on both sides. The relative part ("3 h ago") is the server's guess until the page
 * hydrates (its text may legitimately differ, hence suppressHydrationWarning on that one span),
 * then the browser's clock takes over; the local time appears only in the browser.
 */
export function Time({
  value,
  relative = false,
  compact = false,
}: {
  value: string | Date;
  relative?: boolean;
  /** For a table whose header says UTC: no "UTC" suffix, the relative part on its own line, local time only on hover. */
  compact?: boolean;
}) {
  const iso = typeof value === "string" ? value : value.toISOString();
  const now = useNow();
  const zone = useSyncExternalStore(noSubscription, browserZone, () => null);
  const local =
    zone && zone !== "UTC" && zone !== "Etc/UTC"
      ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })
      : null;
  const utc = compact ? formatUtc(iso).replace(/ UTC$/, "") : formatUtc(iso);
  return (
    <time dateTime={iso} className="tabular" title={local ? `${formatUtc(iso)} · local ${local}` : formatUtc(iso)}>
      {utc}
      {relative && (
        <span className={compact ? "block text-xs text-slate-500" : "ml-1 text-slate-500"} suppressHydrationWarning>
          {`(${formatRelative(iso, now === null ? new Date() : new Date(now))})`}
        </span>
      )}
      {local && !compact && <span className="ml-1 text-xs text-slate-500">{`· ${local} local`}</span>}
    </time>
  );
}
