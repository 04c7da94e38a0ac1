"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { LocationDto } from "@/lib/locations/queries";
import { RunStatusBadge, Badge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { LocationForm } from "./location-form";
import { deleteLocationAction, syncLocationAction, testLocationAction } from "./actions";

export function LocationsManager({ initial }: { initial: LocationDto[] }) {
  const router = useRouter();
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(initial.length === 0);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [pending, start] = useTransition();

  const done = (text: string) => {
    setEditing(null);
    setAdding(false);
    setMessage({ kind: "ok", text });
    router.refresh();
  };

  function run<T>(fn: () => Promise<{ ok: true; data: T } | { ok: false; error: string }>, onOk: (data: T) => string) {
    setMessage(null);
    start(async () => {
      const r = await fn();
      setMessage(r.ok ? { kind: "ok", text: onOk(r.data) } : { kind: "error", text: r.error });
      router.refresh();
    });
  }

  return (
    <div className="space-y-4">
      {message && (
        <p role="status" data-testid="locations-message" className={`rounded-md border p-3 text-sm ${message.kind === "ok" ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-800"}`}>
          {message.text}
        </p>
      )}
      {initial.length === 0 && !adding && <p className="text-sm text-slate-600">No locations yet — add one.</p>}
      {initial.map((l) => (
        <section key={l.id} data-testid={`location-${l.name}`} className="rounded-lg border border-slate-200 bg-white p-4">
          <div className="flex flex-wrap items-start justify-between gap-2">
            <div className="min-w-0">
              <h2 className="font-semibold">{l.name} <Badge kind="neutral">{l.kind}</Badge></h2>
              <p className="mt-0.5 break-all font-mono text-xs text-slate-600">
                {l.kind === "local" ? String(l.config.path) : l.kind === "azure" ? String(l.config.container) : String(l.config.bucket)}
                {l.config.prefix ? `/${String(l.config.prefix)}` : ""}
                {l.config.endpoint || l.config.apiEndpoint ? ` at ${String(l.config.endpoint || l.config.apiEndpoint)}` : ""}
              </p>
              <p className="mt-1 text-xs text-slate-600">
                Secrets: {Object.entries(l.secretsSet).map(([k, set]) => `${k} ${set ? "stored" : "not set"}`).join(", ") || "none needed"}
                {" · "}{l.backupCount.toLocaleString("en")} backups catalogued
              </p>
            </div>
            <div className="flex flex-wrap gap-2">
              <button type="button" disabled={pending} onClick={() => run(() => testLocationAction({ id: l.id }), (d) => (d.ok ? `${l.name}: connected in ${Math.round(d.latencyMs)} ms.` : `${l.name}: ${d.error}`))}
                className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-50">Test connection</button>
              <button type="button" disabled={pending} onClick={() => run(() => syncLocationAction({ id: l.id }), () => `Sync of ${l.name} started; progress is on the Backups page.`)}
                className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-50">Sync now</button>
              <button type="button" onClick={() => setEditing(editing === l.id ? null : l.id)} className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-50">
                {editing === l.id ? "Close" : "Edit"}
              </button>
              <button type="button" disabled={pending}
                onClick={() => {
                  const typed = window.prompt(`Remove ${l.name}? Its ${l.backupCount} catalog rows are removed; the objects in storage are not touched. Type the location's name to confirm.`);
                  if (typed === null) return;
                  if (typed.trim() !== l.name) return setMessage({ kind: "error", text: `Not removed: you typed "${typed}", not "${l.name}".` });
                  run(() => deleteLocationAction({ id: l.id }), () => `Removed ${l.name}.`);
                }}
                className="rounded border border-red-300 px-2 py-1 text-sm text-red-700 hover:bg-red-50">Remove</button>
            </div>
          </div>
          <dl className="mt-3 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-2">
            <div>
              <dt className="inline text-slate-500">Last test: </dt>
              <dd className="inline" data-testid="probe-result">
                {!l.lastProbe ? "never" : l.lastProbe.error ? <span className="text-red-700">✗ {l.lastProbe.error}</span> : <span className="text-emerald-700">✓ {l.lastProbe.latencyMs} ms</span>}
                {l.lastProbe && <> · <Time value={l.lastProbe.at} relative /></>}
              </dd>
            </div>
            <div>
              <dt className="inline text-slate-500">Last sync: </dt>
              <dd className="inline">
                {!l.lastSync ? "never" : <><RunStatusBadge status={l.lastSync.status} /> <Time value={l.lastSync.startedAt} relative />{l.lastSync.error && <span className="block text-red-700">{l.lastSync.error}</span>}</>}
              </dd>
            </div>
          </dl>
          {editing === l.id && <div className="mt-4 border-t border-slate-100 pt-4"><LocationForm existing={l} onDone={done} /></div>}
        </section>
      ))}
      {adding ? (
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="mb-3 font-semibold">Add a location</h2>
          <LocationForm onDone={done} />
        </section>
      ) : (
        <button type="button" onClick={() => setAdding(true)} className="rounded-md bg-sky-700 px-3 py-2 text-sm font-medium text-white hover:bg-sky-800">Add a location</button>
      )}
    </div>
  );
}
