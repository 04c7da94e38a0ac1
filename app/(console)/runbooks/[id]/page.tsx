import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badges";
import { ContactsTable } from "@/components/contacts-table";
import { PrintButton } from "@/components/print-button";
import { requirePageUser } from "@/lib/auth/guard";
import { listContacts } from "@/lib/contacts/queries";
import { listDatabases } from "@/lib/databases/queries";
import { runbookPlan } from "@/lib/restores/plans";
import { commandText } from "@/lib/scenarios/command-text";
import { scenarioById } from "@/lib/scenarios/registry";
import type { Plan } from "@/lib/runner/types";
import { Time } from "@/components/time";
import { db } from "@/lib/db";
import { isDemoArchive } from "@/lib/pitr/demo-archive";
import { storedHealth } from "@/lib/pitr/health";

export const metadata: Metadata = { title: "Runbook" };

const RTO_LABEL = {
  rtoCorruptionMinutes: "corruption",
  rtoInfraLossMinutes: "infrastructure-loss",
  rtoDcFailureMinutes: "data-center-failure",
} as const;

function RunbookSteps({ plan, testId }: { plan: Plan; testId: string }) {
  return (
    <ol className="space-y-3" data-testid={`${testId}s`}>
      {plan.steps.map((step, i) => {
        const command = commandText(step.kind, step.command);
        return (
          <li key={step.key} className="break-inside-avoid text-sm" data-testid={`${testId}-${step.key}`}>
            <div className="flex flex-wrap items-center gap-2 font-medium">
              <span className="tabular text-slate-500">{i + 1}.</span>{" "}
              <span data-testid="step-title">{step.title}</span>
              <Badge kind={step.kind === "automatic" ? "info" : step.kind === "confirmation" ? "warn" : "neutral"}>
                {step.kind}
              </Badge>
            </div>
            <p className="mt-0.5 text-slate-700">{step.description}</p>
            {command && (
              <pre className="mt-1 overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-2 font-mono text-xs text-slate-100 print:border print:border-slate-400 print:bg-white print:text-black">
                {command}
              </pre>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** The chosen database's recoverable window as last checked (no pgBackRest call on a runbook). */
async function archiveWindow(databaseId: string | undefined) {
  if (!databaseId) return null;
  const archive = await db.walArchive.findUnique({
    where: { databaseId },
    select: { lastHealth: true, repoOptions: true },
  });
  if (!archive) return { archive: false as const };
  const h = storedHealth(archive);
  return {
    archive: true as const,
    demo: isDemoArchive(archive),
    from: h?.from ?? null,
    newestRecoverable: h?.newestRecoverable ?? null,
    checkedAt: h?.checkedAt ?? null,
  };
}

export default async function RunbookPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ database?: string }>;
}) {
  await requirePageUser();
  const scenario = scenarioById((await params).id);
  if (!scenario) notFound();
  const s = scenario.meta;
  const [contacts, databases, sp] = await Promise.all([listContacts(), listDatabases(), searchParams]);
  const database = databases.find((d) => d.id === sp.database) ?? null;
  // The same steps a restore runs, built with placeholders (or the chosen database's names and commands).
  const plan = runbookPlan(scenario.id, database);
  // Scenarios that can restore to a moment from a WAL archive show those steps too.
  const pitrPlan = scenario.offersPitr ? runbookPlan(scenario.id, database, { pitr: true }) : null;
  const window = scenario.offersPitr ? await archiveWindow(database?.id) : null;
  return (
    <article className="max-w-4xl">
      <PageHeader
        title={`Scenario ${s.number}: ${s.title}`}
        description={
          <>
            <Link href="/runbooks" className="no-print text-sky-700 hover:underline">
              Runbooks
            </Link>
            <span className="no-print"> › </span>Version {scenario.version} · expected downtime {s.expectedDowntime}
          </>
        }
        actions={<PrintButton />}
      />
      <p className="mb-4 text-sm">{s.summary}</p>
      <div className="grid gap-4 md:grid-cols-2">
        <Card title="Symptoms">
          <ul className="list-disc pl-5 text-sm">
            {s.symptoms.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
        </Card>
        <Card title="Targets">
          <p className="text-sm">
            RTO: the target database&apos;s {RTO_LABEL[s.rto]} RTO
            {database ? ` (${database[s.rto]} min for ${database.name})` : ""} (Settings → Databases).
          </p>
          <p className="mt-1 text-sm">Backup to use: {s.suggestedBackup}.</p>
        </Card>
      </div>
      {scenario.id === "accidental-deletion" && (
        <aside
          className="mt-4 rounded-lg border-2 border-sky-300 bg-sky-50 p-3 text-sm text-sky-950 print:border-slate-400 print:bg-white"
          data-testid="runbook-pitr-callout"
        >
          <p className="font-semibold">Recommended when the database has a WAL archive that covers the deletion</p>
          <p className="mt-1">
            Restore to <strong>one second before the deletion</strong> (point-in-time recovery, the steps below the
            backup&apos;s): nothing written between the last backup and the deletion is lost, and no backup from before
            it is needed. In the wizard choose &ldquo;A moment from the WAL archive&rdquo;, enter when the deletion
            happened and press &ldquo;Restore to one second before it&rdquo;. If the moment is after the newest
            recoverable one, press Switch WAL now first.
          </p>
          {window &&
            (window.archive ? (
              window.from && window.newestRecoverable ? (
                <p className="mt-1" data-testid="runbook-pitr-window">
                  {database?.name}&apos;s archive was recoverable from <Time value={window.from} /> to{" "}
                  <Time value={window.newestRecoverable} />
                  {window.checkedAt ? (
                    <>
                      {" "}
                      (checked <Time value={window.checkedAt} relative />)
                    </>
                  ) : null}
                  .
                  {window.demo
                    ? " This is the demo's sample archive: made-up data, nothing can be recovered from it."
                    : ""}
                </p>
              ) : (
                <p className="mt-1">{database?.name}&apos;s archive has not been read yet: see its page.</p>
              )
            ) : (
              <p className="mt-1">{database?.name} has no WAL archive: restore a backup.</p>
            ))}
        </aside>
      )}
      <Card title="Steps" className="mt-4">
        <form
          method="get"
          className="no-print mb-3 flex flex-wrap items-end gap-2 text-sm"
          aria-label="Names and commands for"
        >
          <label>
            Names and commands for
            <select
              name="database"
              defaultValue={database?.id ?? ""}
              className="ml-2 rounded border border-slate-300 px-2 py-1"
            >
              <option value="">any database (placeholders)</option>
              {databases.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.environment})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="rounded border border-slate-300 px-2 py-1">
            Show
          </button>
        </form>
        <p className="mb-3 text-xs text-slate-600" data-testid="runbook-names">
          {database ? (
            <>
              Names and migration commands of <strong>{database.name}</strong> ({database.dbName} on {database.host}:
              {database.port}).{" "}
            </>
          ) : (
            <>
              Placeholders: &lt;db&gt; is the target database, &lt;ts&gt; the restore&apos;s time (YYYYMMDDHHMMSS),
              &lt;backup key&gt; the chosen backup. The migration commands are the default (alembic); choose a database
              for its own.{" "}
            </>
          )}
          These are the steps a restore runs, in order; commands are shown for a custom-format backup (a plain SQL one
          is restored with psql).
        </p>
        <RunbookSteps plan={plan} testId="runbook-step" />
      </Card>
      {pitrPlan && (
        <Card title="Steps with point-in-time recovery (a WAL archive)" className="mt-4">
          <p className="mb-3 text-xs text-slate-600" data-testid="runbook-pitr-names">
            When the database has a WAL archive (pgBackRest), the wizard offers &ldquo;A moment from the WAL
            archive&rdquo; instead of a backup: &lt;moment&gt; is the time, LSN, transaction, restore point or base
            backup end chosen, &lt;base backup&gt; the one pgBackRest starts from (the plan names it).
          </p>
          <RunbookSteps plan={pitrPlan} testId="runbook-pitr-step" />
        </Card>
      )}
      <Card title="Emergency contacts" className="mt-4">
        <ContactsTable contacts={contacts} />
      </Card>
      <Card title="Revision history" className="mt-4">
        <ul className="text-sm">
          {scenario.changelog.map((c) => (
            <li key={c.version}>
              <strong>v{c.version}</strong> ({c.date}): {c.change}
            </li>
          ))}
        </ul>
      </Card>
    </article>
  );
}
