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
import { scenarioById } from "@/lib/scenarios/catalog";

export const metadata: Metadata = { title: "Runbook" };

const KIND_LABEL = { automatic: "automatic", manual: "manual", confirmation: "confirmation" } as const;

export default async function RunbookPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const s = scenarioById((await params).id);
  if (!s) notFound();
  const contacts = await listContacts();
  return (
    <article className="max-w-4xl">
      <PageHeader
        title={`Scenario ${s.number}: ${s.title}`}
        description={<><Link href="/runbooks" className="no-print text-sky-700 hover:underline">Runbooks</Link><span className="no-print"> › </span>Version {s.version} · expected downtime {s.expectedDowntime}</>}
        actions={<PrintButton />}
      />
      <p className="mb-4 text-sm">{s.summary}</p>
      <div className="grid gap-4 md:grid-cols-2">
        <Card title="Symptoms">
          <ul className="list-disc pl-5 text-sm">{s.symptoms.map((x) => <li key={x}>{x}</li>)}</ul>
        </Card>
        <Card title="Targets">
          <p className="text-sm">RTO: the target database&apos;s {s.rto === "rtoInfraLossMinutes" ? "infrastructure-loss" : s.rto === "rtoDcFailureMinutes" ? "data-center-failure" : "corruption"} RTO (Settings → Databases).</p>
          <p className="mt-1 text-sm">Backup to use: {s.suggestedBackup}.</p>
        </Card>
      </div>
      <Card title="Steps" className="mt-4">
        <ol className="space-y-3" data-testid="runbook-steps">
          {s.steps.map((step, i) => (
            <li key={i} className="break-inside-avoid text-sm">
              <div className="flex flex-wrap items-center gap-2 font-medium">
                <span className="tabular text-slate-500">{i + 1}.</span> {step.title}
                <Badge kind={step.kind === "automatic" ? "info" : step.kind === "confirmation" ? "warn" : "neutral"}>{KIND_LABEL[step.kind]}</Badge>
              </div>
              <p className="mt-0.5 text-slate-700">{step.detail}</p>
              {step.commands && (
                <pre className="mt-1 overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs text-slate-100 print:bg-white print:text-black print:border print:border-slate-400">{step.commands.join("\n")}</pre>
              )}
            </li>
          ))}
        </ol>
      </Card>
      <Card title="Emergency contacts" className="mt-4">
        <ContactsTable contacts={contacts} />
      </Card>
      <Card title="Revision history" className="mt-4">
        <ul className="text-sm">{s.changelog.map((c) => <li key={c.version}><strong>v{c.version}</strong> ({c.date}): {c.change}</li>)}</ul>
      </Card>
    </article>
  );
}
