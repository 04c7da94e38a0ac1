"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { KeyPatternPreviewResponse } from "@/app/api/databases/key-patterns/route";

const DEBOUNCE_MS = 350;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}

async function fetchPreview(
  locationId: string,
  patterns: string,
  databaseId: string | undefined,
): Promise<KeyPatternPreviewResponse> {
  const params = new URLSearchParams({ locationId, patterns, ...(databaseId ? { databaseId } : {}) });
  const res = await fetch(`/api/databases/key-patterns?${params}`, { cache: "no-store" });
  const body = (await res.json()) as KeyPatternPreviewResponse | { error: string };
  if (!res.ok || "error" in body) throw new Error("error" in body ? body.error : `The preview failed (${res.status}).`);
  return body;
}

/**
 * What the patterns being typed match in the location's catalog now: a count and the first
 * keys, a warning for each pattern that matches nothing (with a folder-aware pattern to use
 * instead when there is one), so a pattern cannot fail silently.
 */
export function PatternPreview({
  locationId,
  patterns,
  databaseId,
  onUse,
}: {
  locationId: string;
  patterns: string;
  /** The database being edited: its own saved patterns do not count as an overlap. */
  databaseId?: string;
  onUse: (pattern: string, instead: string) => void;
}) {
  const key = useDebounced(`${locationId}\u0000${patterns}`, DEBOUNCE_MS);
  const [debouncedLocation, debouncedPatterns = ""] = key.split("\u0000");
  const enabled = Boolean(debouncedLocation) && debouncedPatterns.trim() !== "";
  const { data, error, isFetching } = useQuery({
    queryKey: ["key-patterns", debouncedLocation, debouncedPatterns, databaseId],
    queryFn: () => fetchPreview(debouncedLocation!, debouncedPatterns, databaseId),
    enabled,
    staleTime: 10_000,
    placeholderData: (previous) => previous,
  });
  if (!enabled) return null;
  const box = "sm:col-span-3 rounded-md border px-3 py-2 text-xs";
  if (error)
    return (
      <p className={`${box} border-red-200 bg-red-50 text-red-800`} role="status">
        {error.message}
      </p>
    );
  if (!data)
    return (
      <p className={`${box} border-slate-200 text-slate-600`} role="status">
        Checking the patterns…
      </p>
    );
  if (data.total === 0) {
    return (
      <p className={`${box} border-slate-200 bg-slate-50 text-slate-700`} role="status" data-testid="pattern-preview">
        {data.location} has no catalogued backups yet, so the patterns cannot be checked: sync it (Backups → Sync all
        now), then edit again.
      </p>
    );
  }
  const silent = data.patterns.filter((p) => p.matched === 0);
  return (
    <div
      className={`${box} ${data.matched === 0 ? "border-amber-300 bg-amber-50 text-amber-950" : "border-emerald-200 bg-emerald-50 text-emerald-950"}`}
      role="status"
      aria-live="polite"
      data-testid="pattern-preview"
    >
      <p data-testid="pattern-preview-count" className="font-medium">
        {data.matched === 0 ? "⚠ " : "✓ "}Matches {data.matched.toLocaleString("en")} of{" "}
        {data.total.toLocaleString("en")} catalogued backups in {data.location}
        {isFetching ? " (checking…)" : "."}
      </p>
      {data.examples.length > 0 && (
        <ul className="mt-1 space-y-0.5 font-mono" aria-label="First matching keys">
          {data.examples.map((k) => (
            <li key={k} className="truncate" title={k}>
              {k}
            </li>
          ))}
          {data.matched > data.examples.length && (
            <li className="font-sans text-slate-600">
              …and {(data.matched - data.examples.length).toLocaleString("en")} more
            </li>
          )}
        </ul>
      )}
      {silent.map((p) => (
        <p key={p.pattern} className="mt-1 text-amber-900" data-testid="pattern-warning">
          <span className="font-mono">{p.pattern}</span> matches nothing.
          {p.suggestion ? (
            <>
              {" "}
              The keys sit in folders: <span className="font-mono">{p.suggestion.pattern}</span> matches{" "}
              {p.suggestion.matched.toLocaleString("en")}.{" "}
              <button
                type="button"
                className="rounded border border-amber-400 bg-white px-1.5 py-0.5 font-medium hover:bg-amber-100"
                onClick={() => onUse(p.pattern, p.suggestion!.pattern)}
              >
                Use {p.suggestion.pattern}
              </button>
            </>
          ) : (
            " Patterns are relative to the location's prefix; * stops at a folder, **/ crosses folders."
          )}
        </p>
      ))}
      {data.overlaps.map((o) => (
        <p key={o.database} className="mt-1 text-amber-900" data-testid="pattern-overlap">
          ⚠ {o.count.toLocaleString("en")} of these also match the patterns of {o.database}: a backup belongs to one
          database only, so make the patterns exclusive.
        </p>
      ))}
      {data.sampleKeys.length > 0 && (
        <p className="mt-1 text-amber-900">
          Keys there look like: <span className="font-mono">{data.sampleKeys.slice(0, 3).join(", ")}</span>
        </p>
      )}
    </div>
  );
}
