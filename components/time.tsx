"use client";

import { useEffect, useState } from "react";
import { formatRelative, formatUtc } from "@/lib/format/time";

/** UTC first (what the runbook and the logs use), the viewer's local time beside it. */
export function Time({ value, relative = false }: { value: string | Date; relative?: boolean }) {
  const iso = typeof value === "string" ? value : value.toISOString();
  const [local, setLocal] = useState<string | null>(null);
  useEffect(() => {
    const d = new Date(iso);
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone === "UTC" || zone === "Etc/UTC") return;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the viewer's zone is only known in the browser
    setLocal(d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }));
  }, [iso]);
  return (
    <time dateTime={iso} suppressHydrationWarning className="tabular" title={local ? `${formatUtc(iso)} · local ${local}` : formatUtc(iso)}>
      {formatUtc(iso)}
      {relative && <span className="ml-1 text-slate-500">({formatRelative(iso)})</span>}
      {local && <span className="ml-1 text-xs text-slate-500">· {local} local</span>}
    </time>
  );
}
