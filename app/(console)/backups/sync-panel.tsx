"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { LocationsResponse } from "@/app/api/locations/route";
import { RunStatusBadge } from "@/components/ui/badges";
import { Button } from "@/components/ui/button";
import { useServerAction } from "@/components/ui/use-server-action";
import { Time } from "@/components/time";
import { syncAllAction } from "./actions";

/** Each location's last sync, live while syncs run; one failing location never hides the others. */
export function SyncPanel({ canSync }: { canSync: boolean }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const { pending, error, run } = useServerAction();
  const { data } = useQuery({
    queryKey: ["locations"],
    queryFn: async (): Promise<LocationsResponse> => {
      const res = await fetch("/api/locations", { cache: "no-store" });
      if (!res.ok) throw new Error((await res.json()).error ?? "Could not load the locations.");
      return res.json();
    },
    refetchInterval: (q) =>
      q.state.data?.locations.some((l) => l.syncing || l.lastSync?.status === "running") ? 1000 : 15000,
  });
  const anySyncing = data?.locations.some((l) => l.syncing) ?? false;
  // When a sync finishes (any location's last run changes), reload the table below.
  const finished = data?.locations
    .map((l) => `${l.lastSync?.id}:${l.syncing ? "running" : l.lastSync?.status}`)
    .join(",");
  const seen = useRef<string | undefined>(undefined);
  // On a phone the backups come first: locations that synced fine fold behind one line once there
  // are more than two; a failing, running or never-synced one always shows.
  const [showAll, setShowAll] = useState(false);
  useEffect(() => {
    if (finished === undefined) return;
    if (seen.current !== undefined && seen.current !== finished && !anySyncing) router.refresh();
    seen.current = finished;
  }, [finished, anySyncing, router]);

  if (!data || data.locations.length === 0) return null;
  const fine = (l: LocationsResponse["locations"][number]) =>
    !l.syncing && l.lastSync?.status === "ok" && !l.lastSync.error;
  const folded = data.locations.length > 2 && !showAll;
  const fineCount = data.locations.filter(fine).length;
  return (
    <section aria-label="Locations" className="mb-4 rounded-lg border border-slate-200 bg-white p-3">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Locations</h2>
        {canSync && (
          <Button
            size="sm"
            disabled={anySyncing}
            loading={pending}
            onClick={() =>
              run(async () => {
                const r = await syncAllAction({});
                await queryClient.invalidateQueries({ queryKey: ["locations"] });
                return r;
              })
            }
          >
            {anySyncing ? "Syncing…" : "Sync all now"}
          </Button>
        )}
      </div>
      {error && (
        <p role="alert" className="mb-2 text-sm text-red-700">
          {error.text}
        </p>
      )}
      <ul className="divide-y divide-slate-100 text-sm">
        {data.locations.map((l) => {
          const s = l.lastSync;
          return (
            <li
              key={l.id}
              data-testid={`sync-${l.name}`}
              className={`${folded && fine(l) ? "hidden sm:flex" : "flex"} flex-wrap items-center gap-x-3 gap-y-1 py-1.5`}
            >
              <span className="font-medium">{l.name}</span>
              {s ? (
                <RunStatusBadge status={l.syncing ? "running" : s.status} />
              ) : (
                <span className="text-slate-500">never synced</span>
              )}
              {s && (l.syncing || s.status === "running") && (
                <span className="tabular text-slate-600">
                  {s.objectsSeen.toLocaleString("en")} objects listed, page {s.pages}…
                </span>
              )}
              {s && s.status === "ok" && !l.syncing && (
                <span className="tabular text-slate-600">
                  {s.objectsSeen.toLocaleString("en")} objects · +{s.added} new, {s.changed} changed, {s.vanished}{" "}
                  vanished · <Time value={s.finishedAt ?? s.startedAt} relative />
                </span>
              )}
              {s?.error && !l.syncing && (
                <span className="basis-full text-red-700" data-testid="sync-error">
                  {s.error} <span className="text-slate-500">(what was catalogued before is kept)</span>
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {folded && fineCount > 0 && (
        <button
          type="button"
          className="text-sm text-sky-700 underline sm:hidden"
          onClick={() => setShowAll(true)}
          data-testid="show-fine-locations"
        >
          {fineCount === data.locations.length ? "All " : ""}
          {fineCount} location{fineCount === 1 ? "" : "s"} synced fine: show
        </button>
      )}
    </section>
  );
}
