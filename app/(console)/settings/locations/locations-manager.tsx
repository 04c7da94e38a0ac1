"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { LocationDto } from "@/lib/locations/queries";
import { RunStatusBadge, Badge } from "@/components/ui/badges";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { useServerAction, type ActionOutcome } from "@/components/ui/use-server-action";
import { Time } from "@/components/time";
import { LocationForm } from "./location-form";
import { deleteLocationAction, syncLocationAction, testLocationAction } from "./actions";

export function LocationsManager({ initial }: { initial: LocationDto[] }) {
  const router = useRouter();
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(initial.length === 0);
  const action = useServerAction();
  const pending = action.pending;

  const done = (text: string) => {
    setEditing(null);
    setAdding(false);
    action.showOk(text);
    router.refresh();
  };

  function run<T>(fn: () => Promise<ActionOutcome<T>>, onOk: (data: T) => string) {
    action.run(fn, { onSuccess: onOk, refresh: true });
  }

  return (
    <div className="space-y-4">
      <Feedback feedback={action.feedback} testId="locations-message" />
      {initial.length === 0 && !adding && <p className="text-sm text-slate-600">No locations yet — add one.</p>}
      {initial.map((l) => (
        <section
          key={l.id}
          data-testid={`location-${l.name}`}
          className="rounded-lg border border-slate-200 bg-white p-4"
        >
          <div className="flex flex-wrap items-start justify-between gap-2">
            <div className="min-w-0">
              <h2 className="font-semibold">
                {l.name} <Badge kind="neutral">{l.kind}</Badge>
              </h2>
              <p className="mt-0.5 break-all font-mono text-xs text-slate-600">
                {l.kind === "local"
                  ? String(l.config.path)
                  : l.kind === "azure"
                    ? String(l.config.container)
                    : String(l.config.bucket)}
                {l.config.prefix ? `/${String(l.config.prefix)}` : ""}
                {l.config.endpoint || l.config.apiEndpoint
                  ? ` at ${String(l.config.endpoint || l.config.apiEndpoint)}`
                  : ""}
              </p>
              <p className="mt-1 text-xs text-slate-600">
                Secrets:{" "}
                {Object.entries(l.secretsSet)
                  .map(([k, set]) => `${k} ${set ? "stored" : "not set"}`)
                  .join(", ") || "none needed"}
                {" · "}
                {l.backupCount.toLocaleString("en")} backups catalogued
              </p>
            </div>
            <div className="flex flex-wrap gap-2">
              <Button
                size="sm"
                disabled={pending}
                onClick={() =>
                  run(
                    () => testLocationAction({ id: l.id }),
                    (d) => (d.ok ? `${l.name}: connected in ${Math.round(d.latencyMs)} ms.` : `${l.name}: ${d.error}`),
                  )
                }
              >
                Test connection
              </Button>
              <Button
                size="sm"
                disabled={pending}
                onClick={() =>
                  run(
                    () => syncLocationAction({ id: l.id }),
                    () => `Sync of ${l.name} started; progress is on the Backups page.`,
                  )
                }
              >
                Sync now
              </Button>
              <Button size="sm" onClick={() => setEditing(editing === l.id ? null : l.id)}>
                {editing === l.id ? "Close" : "Edit"}
              </Button>
              <Button
                size="sm"
                variant="danger"
                disabled={pending}
                onClick={() => {
                  const typed = window.prompt(
                    `Remove ${l.name}? Its ${l.backupCount} catalog rows are removed; the objects in storage are not touched. Type the location's name to confirm.`,
                  );
                  if (typed === null) return;
                  if (typed.trim() !== l.name)
                    return action.showError(`Not removed: you typed "${typed}", not "${l.name}".`);
                  run(
                    () => deleteLocationAction({ id: l.id }),
                    () => `Removed ${l.name}.`,
                  );
                }}
              >
                Remove
              </Button>
            </div>
          </div>
          <dl className="mt-3 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-2">
            <div>
              <dt className="inline text-slate-500">Last test: </dt>
              <dd className="inline" data-testid="probe-result">
                {!l.lastProbe ? (
                  "never"
                ) : l.lastProbe.error ? (
                  <span className="text-red-700">✗ {l.lastProbe.error}</span>
                ) : (
                  <span className="text-emerald-700">✓ {l.lastProbe.latencyMs} ms</span>
                )}
                {l.lastProbe && (
                  <>
                    {" "}
                    · <Time value={l.lastProbe.at} relative />
                  </>
                )}
              </dd>
            </div>
            <div>
              <dt className="inline text-slate-500">Last sync: </dt>
              <dd className="inline">
                {!l.lastSync ? (
                  "never"
                ) : (
                  <>
                    <RunStatusBadge status={l.lastSync.status} /> <Time value={l.lastSync.startedAt} relative />
                    {l.lastSync.error && <span className="block text-red-700">{l.lastSync.error}</span>}
                  </>
                )}
              </dd>
            </div>
          </dl>
          {editing === l.id && (
            <div className="mt-4 border-t border-slate-100 pt-4">
              <LocationForm existing={l} onDone={done} />
            </div>
          )}
        </section>
      ))}
      {adding ? (
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="mb-3 font-semibold">Add a location</h2>
          <LocationForm onDone={done} />
        </section>
      ) : (
        <Button variant="primary" size="lg" onClick={() => setAdding(true)}>
          Add a location
        </Button>
      )}
    </div>
  );
}
