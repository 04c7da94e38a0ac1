"use client";

import Link from "next/link";
import { HEAD_QUERY_RULE } from "@/lib/postgres/head-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { DatabaseDto } from "@/lib/databases/queries";
import {
  DEFAULT_MIGRATION_DOWNGRADE_COMMAND,
  DEFAULT_MIGRATION_HEAD_QUERY_TEXT,
  DEFAULT_MIGRATION_UPGRADE_COMMAND,
  ENVIRONMENTS,
} from "@/lib/databases/schemas";
import { EnvironmentBadge } from "@/components/ui/badges";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { inputClass as inputCls } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { deleteDatabaseAction, saveDatabaseAction, testDatabaseAction } from "./actions";
import { PatternPreview } from "./pattern-preview";

type Loc = { id: string; name: string };

/** Swaps one pattern of a comma- or line-separated list, keeping the others. */
function replacePattern(patterns: string, pattern: string, instead: string): string {
  return patterns
    .split(/([\n,]\s*)/)
    .map((part) => (part.trim() === pattern ? part.replace(pattern, instead) : part))
    .join("");
}

function DatabaseForm({
  existing,
  locations,
  onDone,
}: {
  existing?: DatabaseDto;
  locations: Loc[];
  onDone: (m: string) => void;
}) {
  const { pending, error, fieldError, run } = useServerAction();
  const [sources, setSources] = useState(
    existing?.sources.map((s) => ({ locationId: s.locationId, patterns: s.patterns })) ?? [],
  );
  const err = (n: string) =>
    fieldError(n) ? <span className="mt-1 block text-xs text-red-700">{fieldError(n)}</span> : null;
  const text = (
    name: keyof DatabaseDto,
    label: string,
    opts: { placeholder?: string; type?: string; mono?: boolean } = {},
  ) => (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">{label}</span>
      <input
        name={name}
        type={opts.type ?? "text"}
        defaultValue={existing ? String(existing[name] ?? "") : undefined}
        placeholder={opts.placeholder}
        className={`${inputCls} ${opts.mono ? "font-mono" : ""}`}
      />
      {err(name)}
    </label>
  );

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const get = (k: string) => String(f.get(k) ?? "");
    const input = {
      id: existing?.id,
      name: get("name"),
      environment: get("environment") as (typeof ENVIRONMENTS)[number],
      host: get("host"),
      port: get("port") || 5432,
      dbName: get("dbName"),
      user: get("user"),
      password: get("password"),
      clearPassword: f.get("clearPassword") === "on",
      sslmode: get("sslmode") as "prefer",
      rpoHours: get("rpoHours") || 24,
      rtoCorruptionMinutes: get("rtoCorruptionMinutes") || 15,
      rtoInfraLossMinutes: get("rtoInfraLossMinutes") || 120,
      rtoDcFailureMinutes: get("rtoDcFailureMinutes") || 240,
      migrationHeadQuery: get("migrationHeadQuery") || undefined,
      migrationUpgradeCommand: get("migrationUpgradeCommand"),
      migrationDowngradeCommand: get("migrationDowngradeCommand"),
      gfsDailyDays: get("gfsDailyDays") || 30,
      gfsWeeklyDays: get("gfsWeeklyDays") || 91,
      gfsMonthlyDays: get("gfsMonthlyDays") || 365,
      sources,
    };
    run(() => saveDatabaseAction(input as never), {
      onSuccess: (data) => {
        const moved = data.catalog.reassigned;
        const catalog = moved
          ? ` ${moved.toLocaleString("en")} catalogued backup${moved === 1 ? "" : "s"} changed database with the new patterns.`
          : "";
        onDone(
          existing
            ? `Saved ${input.name}.${catalog}`
            : `Added ${input.name}.${catalog || " Sync its locations to see its backups."}`,
        );
      },
    });
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="space-y-4"
      aria-label={existing ? `Edit ${existing.name}` : "Add a database"}
    >
      <Feedback feedback={error} testId="database-form-error" />
      <fieldset className="grid gap-3 sm:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Identity and connection</legend>
        {text("name", "Name in Lifeboat", { placeholder: "amani-production" })}
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Environment</span>
          <select name="environment" defaultValue={existing?.environment ?? "production"} className={inputCls}>
            {ENVIRONMENTS.map((e) => (
              <option key={e}>{e}</option>
            ))}
          </select>
        </label>
        {text("host", "Host", { placeholder: "db.internal", mono: true })}
        {text("port", "Port", { placeholder: "5432", type: "number" })}
        {text("dbName", "Database name", { placeholder: "amani", mono: true })}
        {text("user", "User", { placeholder: "lifeboat", mono: true })}
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Password</span>
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            className={inputCls}
            placeholder={existing?.passwordSet ? "•••••• stored — leave empty to keep" : ""}
          />
          {existing?.passwordSet && (
            <span className="mt-1 flex items-center gap-1 text-xs text-slate-600">
              <input type="checkbox" name="clearPassword" /> erase the stored password · changing the host, port or user
              forgets the stored password
            </span>
          )}
        </label>
        <label className="block text-sm">
          <span className="mb-1 block font-medium">TLS (sslmode)</span>
          <select name="sslmode" defaultValue={existing?.sslmode ?? "prefer"} className={inputCls}>
            {["disable", "prefer", "require", "verify-full"].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset className="grid gap-3 sm:grid-cols-4">
        <legend className="mb-2 text-sm font-semibold">Targets and retention</legend>
        {text("rpoHours", "RPO (hours)", { type: "number", placeholder: "24" })}
        {text("rtoCorruptionMinutes", "RTO corruption (min)", { type: "number", placeholder: "15" })}
        {text("rtoInfraLossMinutes", "RTO infrastructure loss (min)", { type: "number", placeholder: "120" })}
        {text("rtoDcFailureMinutes", "RTO data-center failure (min)", { type: "number", placeholder: "240" })}
        {text("gfsDailyDays", "Keep dailies (days)", { type: "number", placeholder: "30" })}
        {text("gfsWeeklyDays", "Keep Sundays (days)", { type: "number", placeholder: "91" })}
        {text("gfsMonthlyDays", "Keep 1sts of month (days)", { type: "number", placeholder: "365" })}
      </fieldset>
      <fieldset className="grid gap-3 sm:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Migrations</legend>
        {text("migrationHeadQuery", "Migration head query", {
          mono: true,
          placeholder: DEFAULT_MIGRATION_HEAD_QUERY_TEXT,
        })}
        {text("migrationUpgradeCommand", "Upgrade command", {
          mono: true,
          placeholder: DEFAULT_MIGRATION_UPGRADE_COMMAND,
        })}
        {text("migrationDowngradeCommand", "Downgrade command (undo the last migration)", {
          mono: true,
          placeholder: DEFAULT_MIGRATION_DOWNGRADE_COMMAND,
        })}
        <p className="text-xs text-slate-600 sm:col-span-3">
          The head query is {HEAD_QUERY_RULE}. It runs in a read-only transaction with a 10-second timeout before
          backups and restores. The two commands are shown in runbooks, restore plans and drill checklists for a person
          to run; Lifeboat never executes them. Empty means the default (alembic).
        </p>
      </fieldset>
      <fieldset>
        <legend className="mb-2 text-sm font-semibold">Where its backups are</legend>
        {locations.length === 0 && (
          <p className="text-sm text-slate-600">No locations yet: add one under Settings → Locations first.</p>
        )}
        {sources.map((s, i) => (
          <div key={i} className="mb-2 grid gap-2 sm:grid-cols-[12rem_1fr_auto]">
            <select
              aria-label="Location"
              value={s.locationId}
              onChange={(e) => setSources(sources.map((x, j) => (j === i ? { ...x, locationId: e.target.value } : x)))}
              className={inputCls}
            >
              <option value="">Choose a location…</option>
              {locations.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
            <input
              aria-label="Key patterns"
              value={s.patterns}
              onChange={(e) => setSources(sources.map((x, j) => (j === i ? { ...x, patterns: e.target.value } : x)))}
              className={`${inputCls} font-mono`}
              placeholder="amani_backup_*, pre_migration_*"
            />
            <Button size="sm" onClick={() => setSources(sources.filter((_, j) => j !== i))}>
              Remove
            </Button>
            {err(`sources.${i}.patterns`)}
            {err(`sources.${i}.locationId`)}
            <PatternPreview
              locationId={s.locationId}
              patterns={s.patterns}
              databaseId={existing?.id}
              onUse={(pattern, instead) =>
                setSources(
                  sources.map((x, j) =>
                    j === i ? { ...x, patterns: replacePattern(x.patterns, pattern, instead) } : x,
                  ),
                )
              }
            />
          </div>
        ))}
        {locations.length > 0 && (
          <Button size="sm" onClick={() => setSources([...sources, { locationId: locations[0]!.id, patterns: "*" }])}>
            Add a location
          </Button>
        )}
        <p className="mt-1 text-xs text-slate-600">
          Patterns are globs relative to the location&apos;s prefix, comma-separated: * matches within a folder, **
          across folders, **/ in any folder or none (e.g. **/mydb_backup_*).
        </p>
      </fieldset>
      <Button type="submit" variant="primary" size="lg" loading={pending} loadingText="Saving…">
        {existing ? "Save changes" : "Add database"}
      </Button>
    </form>
  );
}

export function DatabasesManager({ initial, locations }: { initial: DatabaseDto[]; locations: Loc[] }) {
  const router = useRouter();
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(initial.length === 0);
  const { pending, feedback, run, showOk, showError } = useServerAction();
  const done = (text: string) => {
    setEditing(null);
    setAdding(false);
    showOk(text);
    router.refresh();
  };
  return (
    <div className="space-y-4">
      <Feedback feedback={feedback} testId="databases-message" />
      {initial.map((d) => (
        <section
          key={d.id}
          className={`rounded-lg border bg-white p-4 ${d.environment === "production" ? "border-red-300" : "border-slate-200"}`}
        >
          <div className="flex flex-wrap items-start justify-between gap-2">
            <div>
              <h2 className="font-semibold">
                <Link href={`/databases/${d.id}`} className="text-sky-800 hover:underline">
                  {d.name}
                </Link>{" "}
                <EnvironmentBadge environment={d.environment} />
              </h2>
              <p className="font-mono text-xs text-slate-600">
                {d.user}@{d.host}:{d.port}/{d.dbName} · password {d.passwordSet ? "stored" : "not set"}
              </p>
              <p className="mt-1 text-xs text-slate-600">
                RPO {d.rpoHours} h · RTO {d.rtoCorruptionMinutes}/{d.rtoInfraLossMinutes}/{d.rtoDcFailureMinutes} min ·
                keep {d.gfsDailyDays} d daily, {d.gfsWeeklyDays} d weekly, {d.gfsMonthlyDays} d monthly
              </p>
              <p className="mt-1 text-xs text-slate-600">
                Backups:{" "}
                {d.sources.length
                  ? d.sources.map((s) => `${s.locationName}: ${s.patterns}`).join(" · ")
                  : "no location yet — edit to add one"}
              </p>
            </div>
            <div className="flex flex-wrap gap-2">
              <Button
                size="sm"
                disabled={pending}
                onClick={() =>
                  run(() => testDatabaseAction({ id: d.id }), {
                    onSuccess: (r) =>
                      r.ok
                        ? showOk(`${d.name}: connected in ${r.latencyMs} ms, PostgreSQL ${r.version}.`)
                        : showError(`${d.name}: ${r.error}`),
                  })
                }
              >
                Test connection
              </Button>
              <Button size="sm" onClick={() => setEditing(editing === d.id ? null : d.id)}>
                {editing === d.id ? "Close" : "Edit"}
              </Button>
              <Button
                size="sm"
                variant="danger"
                disabled={pending}
                onClick={() => {
                  const typed = window.prompt(
                    `Remove ${d.name} from Lifeboat? The database itself and its backups are not touched. Type its name to confirm.`,
                  );
                  if (typed === null) return;
                  if (typed.trim() !== d.name) return showError(`Not removed: you typed "${typed}", not "${d.name}".`);
                  run(() => deleteDatabaseAction({ id: d.id }), {
                    onSuccess: () => `Removed ${d.name}.`,
                    refresh: true,
                  });
                }}
              >
                Remove
              </Button>
            </div>
          </div>
          {editing === d.id && (
            <div className="mt-4 border-t border-slate-100 pt-4">
              <DatabaseForm existing={d} locations={locations} onDone={done} />
            </div>
          )}
        </section>
      ))}
      {adding ? (
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="mb-3 font-semibold">Add a database</h2>
          <DatabaseForm locations={locations} onDone={done} />
        </section>
      ) : (
        <Button variant="primary" size="lg" onClick={() => setAdding(true)}>
          Add a database
        </Button>
      )}
    </div>
  );
}
