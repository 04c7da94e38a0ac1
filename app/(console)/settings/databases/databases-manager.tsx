"use client";

import Link from "next/link";
import {
  HEAD_KIND_LABELS,
  HEAD_KINDS,
  headQuerySql,
  headSourceProblems,
  type HeadKind,
} from "@/lib/postgres/head-query";
import { SSL_MODE_LABELS, SSL_MODES, VERIFYING_MODES, type SslMode } from "@/lib/postgres/tls";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { DatabaseDto } from "@/lib/databases/queries";
import {
  DEFAULT_MIGRATION_DOWNGRADE_COMMAND,
  DEFAULT_MIGRATION_UPGRADE_COMMAND,
  ENVIRONMENTS,
  MAX_RESTORE_JOBS,
} from "@/lib/databases/schemas";
import { EnvironmentBadge } from "@/components/ui/badges";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass as inputCls } from "@/components/ui/field";
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
  const [environment, setEnvironment] = useState<string>(existing?.environment ?? "production");
  const [sslmode, setSslmode] = useState<string>(existing?.sslmode ?? "");
  const [head, setHead] = useState({
    kind: (existing?.migrationHeadKind ?? "alembic") as HeadKind,
    schema: existing?.migrationHeadSchema ?? "",
    table: existing?.migrationHeadTable ?? "",
    column: existing?.migrationHeadColumn ?? "",
    orderBy: existing?.migrationHeadOrderBy ?? "",
  });
  const headSource = {
    kind: head.kind,
    schema: head.schema.trim() || null,
    table: head.table.trim() || null,
    column: head.column.trim() || null,
    orderBy: head.orderBy.trim() || null,
  };
  const headProblem = headSourceProblems(headSource)[0]?.message ?? null;
  const headSql = headProblem ? null : headQuerySql(headSource);
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
      sslmode: get("sslmode") as SslMode,
      sslRootCert: get("sslRootCert"),
      rpoHours: get("rpoHours") || 24,
      rtoCorruptionMinutes: get("rtoCorruptionMinutes") || 15,
      rtoInfraLossMinutes: get("rtoInfraLossMinutes") || 120,
      rtoDcFailureMinutes: get("rtoDcFailureMinutes") || 240,
      migrationHeadKind: head.kind,
      migrationHeadSchema: head.kind === "none" ? "" : head.schema,
      migrationHeadTable: head.kind === "custom" ? head.table : "",
      migrationHeadColumn: head.kind === "custom" ? head.column : "",
      migrationHeadOrderBy: head.kind === "custom" ? head.orderBy : "",
      migrationUpgradeCommand: get("migrationUpgradeCommand"),
      migrationDowngradeCommand: get("migrationDowngradeCommand"),
      restoreJobs: get("restoreJobs"),
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
          <select
            name="environment"
            value={environment}
            onChange={(e) => setEnvironment(e.target.value)}
            className={inputCls}
          >
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
        <Field
          className="sm:col-span-2"
          label="TLS mode (sslmode)"
          error={fieldError("sslmode")}
          hint={
            <span data-testid="tls-advice">
              {environment === "production" && sslmode !== "verify-full"
                ? "Production: verify-full is recommended — the password then only goes to the server whose certificate the CA signed for this host name."
                : "verify-full is recommended wherever the server has a certificate; disable only on a trusted network."}
            </span>
          }
        >
          <select name="sslmode" value={sslmode} onChange={(e) => setSslmode(e.target.value)} className={inputCls}>
            <option value="" disabled>
              Choose how the connection is protected…
            </option>
            {SSL_MODES.map((m) => (
              <option key={m} value={m}>
                {SSL_MODE_LABELS[m]}
              </option>
            ))}
          </select>
        </Field>
        <Field
          className="sm:col-span-3"
          label="CA certificate (PEM, optional — not a secret)"
          error={fieldError("sslRootCert")}
          hint={`The certificate of the CA that signed the server's certificate, for verify-full and verify-ca. Empty: the ~/.postgresql/root.crt of the console's account.${VERIFYING_MODES.includes(sslmode as SslMode) ? "" : " Used only with verify-full or verify-ca."}`}
        >
          <textarea
            name="sslRootCert"
            rows={3}
            defaultValue={existing?.sslRootCert ?? ""}
            placeholder={"-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----"}
            className={`${inputCls} font-mono text-xs`}
          />
        </Field>
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
        <Field
          label="Restore jobs"
          error={fieldError("restoreJobs")}
          hint={`Parallel pg_restore connections for custom-format backups (1–${MAX_RESTORE_JOBS}). Empty or "automatic": the console's cores, at most ${MAX_RESTORE_JOBS}. Plain SQL and tar always restore in one stream.`}
        >
          <input
            name="restoreJobs"
            defaultValue={existing?.restoreJobs ?? ""}
            placeholder="automatic"
            inputMode="numeric"
            className={inputCls}
          />
        </Field>
      </fieldset>
      <fieldset className="grid gap-3 sm:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Migrations</legend>
        <Field label="Migration head: read from" error={fieldError("migrationHeadKind")}>
          <select
            name="migrationHeadKind"
            value={head.kind}
            onChange={(e) => setHead({ ...head, kind: e.target.value as HeadKind })}
            className={inputCls}
          >
            {HEAD_KINDS.map((k) => (
              <option key={k} value={k}>
                {HEAD_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </Field>
        {head.kind !== "none" && (
          <label className="block text-sm">
            <span className="mb-1 block font-medium">Schema (optional)</span>
            <input
              name="migrationHeadSchema"
              value={head.schema}
              onChange={(e) => setHead({ ...head, schema: e.target.value })}
              placeholder="the search path (usually public)"
              className={`${inputCls} font-mono`}
            />
            {err("migrationHeadSchema")}
          </label>
        )}
        {head.kind === "custom" && (
          <>
            <label className="block text-sm">
              <span className="mb-1 block font-medium">Table</span>
              <input
                name="migrationHeadTable"
                value={head.table}
                onChange={(e) => setHead({ ...head, table: e.target.value })}
                placeholder="schema_version"
                className={`${inputCls} font-mono`}
              />
              {err("migrationHeadTable")}
            </label>
            <label className="block text-sm">
              <span className="mb-1 block font-medium">Column holding the head</span>
              <input
                name="migrationHeadColumn"
                value={head.column}
                onChange={(e) => setHead({ ...head, column: e.target.value })}
                placeholder="version"
                className={`${inputCls} font-mono`}
              />
              {err("migrationHeadColumn")}
            </label>
            <label className="block text-sm">
              <span className="mb-1 block font-medium">Newest row by (optional)</span>
              <input
                name="migrationHeadOrderBy"
                value={head.orderBy}
                onChange={(e) => setHead({ ...head, orderBy: e.target.value })}
                placeholder="the head column itself"
                className={`${inputCls} font-mono`}
              />
              {err("migrationHeadOrderBy")}
            </label>
          </>
        )}
        <p className="text-xs text-slate-600 sm:col-span-3" data-testid="head-query-preview">
          {head.kind === "none" ? (
            "No migration head is read: backups record none and the failed-migration scenario cannot compare heads."
          ) : headProblem ? (
            <span className="text-red-700">{headProblem}.</span>
          ) : (
            <>
              Lifeboat runs <code className="font-mono [overflow-wrap:anywhere]">{headSql}</code> (names quoted,
              read-only, 10-second timeout) before backups and restores.
            </>
          )}
        </p>
        {text("migrationUpgradeCommand", "Upgrade command", {
          mono: true,
          placeholder: DEFAULT_MIGRATION_UPGRADE_COMMAND,
        })}
        {text("migrationDowngradeCommand", "Downgrade command (undo the last migration)", {
          mono: true,
          placeholder: DEFAULT_MIGRATION_DOWNGRADE_COMMAND,
        })}
        <p className="text-xs text-slate-600 sm:col-span-3">
          The two commands are shown in runbooks, restore plans and drill checklists for a person to run; Lifeboat never
          executes them. Empty means the default (alembic).
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
            <div className="min-w-0">
              <h2 className="font-semibold">
                <Link href={`/databases/${d.id}`} className="text-sky-800 hover:underline">
                  {d.name}
                </Link>{" "}
                <EnvironmentBadge environment={d.environment} />
              </h2>
              <p className="font-mono text-xs text-slate-600 [overflow-wrap:anywhere]">
                {d.user}@{d.host}:{d.port}/{d.dbName} · password {d.passwordSet ? "stored" : "not set"} · TLS{" "}
                {d.sslmode}
                {d.caCertificates.length > 0 &&
                  ` · CA ${d.caCertificates.map((c) => `${c.subject} (${c.expired ? "expired" : "valid until"} ${c.validTo.slice(0, 10)})`).join("; ")}`}
              </p>
              {d.environment === "production" && d.sslmode !== "verify-full" && (
                <p className="mt-1 text-xs text-amber-800" data-testid="tls-warning">
                  TLS mode “{d.sslmode}” on production: verify-full is recommended (Edit → TLS mode, with the CA
                  certificate).
                </p>
              )}
              <p className="mt-1 text-xs text-slate-600">Migration head: {d.migrationHead}</p>
              {d.migrationHeadNote && (
                <p className="mt-1 text-xs text-amber-800" role="status" data-testid="head-note">
                  {d.migrationHeadNote}
                </p>
              )}
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
