import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Forbidden } from "@/components/forbidden";
import { EnvironmentBadge, VerificationBadge, Badge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { SCENARIOS, scenarioById } from "@/lib/scenarios/registry";
import { backupCandidates, wizardDatabases } from "@/lib/restores/wizard";
import { formatBytes } from "@/lib/format/bytes";
import { PrepareForm } from "./prepare-form";
import { PitrForm } from "./pitr-form";
import { hasWalArchive, pitrWizardFacts } from "@/lib/restores/pitr-wizard";

export const metadata: Metadata = { title: "New restore" };

type Search = {
  scenario?: string;
  database?: string;
  deletedAt?: string;
  drill?: string;
  step?: string;
  from?: string;
  /** "pitr": restore to a moment from the WAL archive instead of a backup. */
  source?: string;
  /** A moment (ISO) picked on the recoverable window's timeline: the point-in-time form starts there. */
  pitrTime?: string;
};

function Stepper({ current }: { current: number }) {
  const labels = ["Scenario", "Target", "Backup", "Preflight & plan", "Confirm", "Run"];
  return (
    <ol className="mb-5 flex flex-wrap gap-1 text-xs" aria-label="Wizard steps">
      {labels.map((l, i) => (
        <li
          key={l}
          aria-current={i === current ? "step" : undefined}
          className={`rounded-full border px-2 py-0.5 ${i === current ? "border-sky-700 bg-sky-700 text-white" : i < current ? "border-sky-300 bg-sky-50 text-sky-800" : "border-slate-300 text-slate-500"}`}
        >
          {i + 1}. {l}
        </li>
      ))}
    </ol>
  );
}

export default async function NewRestorePage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  if (!hasRole(user.role, "operator")) return <Forbidden title="New restore" needed="operator" actual={user.role} />;
  const sp = await searchParams;
  const scenario = sp.scenario ? scenarioById(sp.scenario) : undefined;

  const pitrTime = sp.pitrTime && !Number.isNaN(Date.parse(sp.pitrTime)) ? sp.pitrTime : undefined;
  if (!scenario) {
    // From the timeline: the moment and the database are chosen; only scenarios that can restore to a moment.
    const carry = pitrTime
      ? `&source=pitr&pitrTime=${encodeURIComponent(pitrTime)}${sp.database ? `&database=${encodeURIComponent(sp.database)}` : ""}`
      : "";
    return (
      <>
        <PageHeader title="New restore" description="Which disaster are you in? Each scenario follows its runbook." />
        <Stepper current={0} />
        {pitrTime && (
          <p
            className="mb-3 rounded-md border border-sky-200 bg-sky-50 p-2 text-sm text-sky-900"
            data-testid="pitr-carry"
          >
            Restoring to <Time value={pitrTime} /> from the WAL archive: choose what happened.
          </p>
        )}
        <div className="grid gap-3 md:grid-cols-2">
          {SCENARIOS.filter((s) => !pitrTime || s.offersPitr).map(({ id, meta: s }) => (
            <Link
              key={id}
              href={`/restores/new?scenario=${id}${carry}`}
              className="block rounded-lg border border-slate-200 bg-white p-4 hover:border-sky-400"
            >
              <div className="text-xs uppercase tracking-wide text-slate-500">Scenario {s.number}</div>
              <h2 className="font-semibold">{s.title}</h2>
              <p className="mt-1 text-sm text-slate-600">{s.summary}</p>
              <ul className="mt-2 list-disc pl-5 text-xs text-slate-600">
                {s.symptoms.map((x) => (
                  <li key={x}>{x}</li>
                ))}
              </ul>
            </Link>
          ))}
        </div>
      </>
    );
  }

  const databases = await wizardDatabases();
  const target = databases.find((d) => d.id === sp.database);
  if (!target) {
    return (
      <>
        <PageHeader
          title={`New restore: ${scenario.meta.title}`}
          description={
            <Link href="/restores/new" className="text-sky-700 hover:underline">
              ← another scenario
            </Link>
          }
        />
        <Stepper current={1} />
        <h2 className="mb-2 font-semibold">Which database is the target?</h2>
        {databases.length === 0 ? (
          <p className="text-sm text-slate-600">
            No databases yet: an admin adds them under{" "}
            <Link className="text-sky-700" href="/settings/databases">
              Settings → Databases
            </Link>
            .
          </p>
        ) : (
          <ul className="space-y-2">
            {databases.map((d) => (
              <li key={d.id}>
                <Link
                  href={`/restores/new?scenario=${scenario.id}&database=${d.id}${sp.drill ? `&drill=${sp.drill}&step=${sp.step ?? 0}` : ""}`}
                  data-testid={`target-${d.name}`}
                  className={`flex flex-wrap items-center gap-2 rounded-lg border bg-white p-3 hover:border-sky-400 ${d.environment === "production" ? "border-red-300" : "border-slate-200"}`}
                >
                  <span className="font-medium">{d.name}</span> <EnvironmentBadge environment={d.environment} />
                  <span className="font-mono text-xs text-slate-600">
                    {d.dbName} on {d.host}:{d.port}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }

  const deletedAt =
    sp.deletedAt && !Number.isNaN(Date.parse(sp.deletedAt))
      ? new Date(sp.deletedAt.endsWith("Z") ? sp.deletedAt : `${sp.deletedAt}Z`)
      : undefined;
  // Restore to a moment: offered where the scenario can and the database has a WAL archive.
  const offersPitr = scenario.offersPitr === true && (await hasWalArchive(target.id));
  const pitrMode = offersPitr && (sp.source === "pitr" || pitrTime !== undefined);
  // The window is read from the repository only when it is shown.
  const pitrFacts = pitrMode ? await pitrWizardFacts(target.id) : { archive: false as const };
  const here = (extra: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({
      scenario: scenario.id,
      database: target.id,
      deletedAt: sp.deletedAt,
      drill: sp.drill,
      step: sp.step,
      ...extra,
    }))
      if (v) q.set(k, v);
    return `/restores/new?${q.toString()}`;
  };
  // A drill typically restores production's backup into staging: the backups may come from another database.
  const source = databases.find((d) => d.id === sp.from) ?? target;
  const { candidates, suggestedId } = await backupCandidates(scenario.id, source.id, { deletedAt });
  return (
    <>
      <PageHeader
        title={`New restore: ${scenario.meta.title}`}
        description={
          <Link href={`/restores/new?scenario=${scenario.id}`} className="text-sky-700 hover:underline">
            ← another target
          </Link>
        }
      />
      <Stepper current={2} />
      <div
        className={`mb-4 rounded-lg border-2 p-3 ${target.environment === "production" ? "border-red-500 bg-red-50" : "border-slate-300 bg-white"}`}
        data-testid="wizard-target"
      >
        <div className="text-xs uppercase tracking-wide text-slate-500">Target</div>
        <div className="flex flex-wrap items-center gap-2 text-lg font-semibold">
          {target.name} <EnvironmentBadge environment={target.environment} />
        </div>
        <div className="font-mono text-xs">
          {target.dbName} on {target.host}:{target.port}
        </div>
      </div>
      {offersPitr && (
        <nav aria-label="Restore from" className="mb-4 flex flex-wrap gap-2 text-sm" data-testid="restore-source">
          <Link
            href={here({})}
            aria-current={!pitrMode ? "page" : undefined}
            className={`rounded-md border px-3 py-1.5 ${!pitrMode ? "border-sky-700 bg-sky-700 text-white" : "border-slate-300 bg-white"}`}
          >
            A backup (dump)
          </Link>
          <Link
            href={here({ source: "pitr" })}
            aria-current={pitrMode ? "page" : undefined}
            className={`rounded-md border px-3 py-1.5 ${pitrMode ? "border-sky-700 bg-sky-700 text-white" : "border-slate-300 bg-white"}`}
          >
            A moment from the WAL archive
          </Link>
        </nav>
      )}
      {scenario.backups.beforeGivenTime && (
        <form
          method="get"
          className="mb-4 flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm"
        >
          <input type="hidden" name="scenario" value={scenario.id} />
          <input type="hidden" name="database" value={target.id} />
          {pitrMode && <input type="hidden" name="source" value="pitr" />}
          <label>
            When did the deletion happen (UTC)?
            <input
              type="datetime-local"
              name="deletedAt"
              defaultValue={sp.deletedAt}
              className="ml-2 rounded border border-slate-300 px-2 py-1"
            />
          </label>
          <button type="submit" className="rounded border border-slate-300 px-2 py-1">
            {pitrMode ? "Restore to one second before it" : "Show backups before it"}
          </button>
        </form>
      )}
      {pitrMode && pitrFacts.archive ? (
        <>
          <h2 className="mb-2 font-semibold">Which moment?</h2>
          <p className="mb-2 text-sm text-slate-600">
            A recovery instance is restored to the moment on this host; then{" "}
            {scenario.wizardFields === "deleted-rows"
              ? "the missing rows are copied back into the target."
              : "the recovered database is dumped and goes through the same scratch copy, confirmation and switch-over as a backup."}{" "}
            <Link href={`/runbooks/${scenario.id}?database=${target.id}`} className="text-sky-700 hover:underline">
              The runbook&apos;s steps for {target.name}
            </Link>
          </p>
          {pitrFacts.error ? (
            <p
              className="rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900"
              role="alert"
              data-testid="pitr-error"
            >
              {pitrFacts.error}
            </p>
          ) : (
            <PitrForm
              key={pitrTime ?? sp.deletedAt ?? "now"}
              scenarioId={scenario.id}
              databaseId={target.id}
              fields={scenario.wizardFields ?? null}
              window={pitrFacts}
              presetTime={pitrTime ?? (deletedAt ? new Date(deletedAt.getTime() - 1000).toISOString() : null)}
              drill={sp.drill ? { id: sp.drill, step: Number(sp.step) || 0 } : null}
            />
          )}
        </>
      ) : (
        <>
          <form method="get" className="mb-3 flex flex-wrap items-end gap-2 text-sm" aria-label="Backups of">
            {Object.entries({
              scenario: scenario.id,
              database: target.id,
              deletedAt: sp.deletedAt,
              drill: sp.drill,
              step: sp.step,
            }).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
            <label>
              Backups of
              <select name="from" defaultValue={source.id} className="ml-2 rounded border border-slate-300 px-2 py-1">
                {databases.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                    {d.id === target.id ? " (the target)" : ""}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="rounded border border-slate-300 px-2 py-1">
              Show
            </button>
          </form>
          <h2 className="mb-2 font-semibold">Which backup?</h2>
          <p className="mb-2 text-sm text-slate-600">
            Suggested: {scenario.meta.suggestedBackup}.{" "}
            <Link href={`/runbooks/${scenario.id}?database=${target.id}`} className="text-sky-700 hover:underline">
              The runbook&apos;s steps for {target.name}
            </Link>
          </p>
          {candidates.length === 0 ? (
            <p
              className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
              data-testid="no-candidates"
            >
              No usable backup of {source.name} for this scenario (not failed, not empty, not vanished
              {scenario.backups.kind === "pre_migration" ? ", pre-migration" : ""}). Sync its locations on the Backups
              page, or check its key patterns in Settings → Databases.
            </p>
          ) : (
            <PrepareForm
              scenarioId={scenario.id}
              fields={scenario.wizardFields ?? null}
              databaseId={target.id}
              fromDatabaseId={source.id === target.id ? null : source.id}
              suggestedId={suggestedId}
              drill={sp.drill ? { id: sp.drill, step: Number(sp.step) || 0 } : null}
              candidates={candidates.map((c) => ({
                ...c,
                label: (
                  <span className="flex flex-wrap items-center gap-x-2">
                    <span className="break-all font-mono text-xs">{c.key}</span>
                    <Time value={c.takenAt} relative />
                    <span className="tabular text-xs">{formatBytes(c.size)}</span>
                    <VerificationBadge state={c.verificationState} />
                    {c.hasManifest && <Badge kind="info">manifest</Badge>}
                    <span className="text-xs text-slate-500">{c.locationName}</span>
                  </span>
                ),
              }))}
            />
          )}
        </>
      )}
    </>
  );
}
