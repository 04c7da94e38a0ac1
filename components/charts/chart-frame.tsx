"use client";

import { useState, type ReactNode } from "react";

/**
 * A chart with its numbers: the table is always there for screen readers and print, and
 * shown on screen on request. The chart itself is hidden from screen readers (the table says it all).
 */
export function ChartFrame({
  title,
  summary,
  chart,
  table,
  testId,
}: {
  title: string;
  summary: string;
  chart: ReactNode;
  table: ReactNode;
  testId?: string;
}) {
  const [showTable, setShowTable] = useState(false);
  return (
    <figure className="min-w-0" data-testid={testId}>
      <figcaption className="text-xs text-slate-600">
        <span className="font-medium text-slate-800">{title}</span> · {summary}
      </figcaption>
      {/* overflow-hidden: a tooltip placed for a wider layout must not widen the page after a resize or rotation. */}
      <div aria-hidden="true" className="mt-1 min-w-0 overflow-hidden">
        {chart}
      </div>
      <button
        type="button"
        onClick={() => setShowTable((v) => !v)}
        className="no-print mt-1 text-xs text-sky-700 hover:underline"
        aria-expanded={showTable}
      >
        {showTable ? "Hide the numbers" : "Show the numbers as a table"}
      </button>
      <div className={showTable ? "mt-1 max-w-full overflow-x-auto" : "sr-only print:not-sr-only"}>{table}</div>
    </figure>
  );
}

export const AXIS_TICK = { fontSize: 11, fill: "#475569" };
export const AXIS_LABEL = { fontSize: 11, fill: "#334155" };

/** "25 Nov" or "25 Nov 26" (UTC), short enough for an axis. */
export function shortDate(iso: string | number, withYear = false): string {
  const d = new Date(iso);
  return d.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    ...(withYear ? { year: "2-digit" } : {}),
    timeZone: "UTC",
  });
}

export const tableClass =
  "w-full text-left text-xs [&_td]:border-t [&_td]:border-slate-200 [&_td]:px-2 [&_td]:py-0.5 [&_th]:px-2 [&_th]:py-0.5";
