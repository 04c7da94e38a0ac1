import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { ContactsTable } from "@/components/contacts-table";
import { requirePageUser } from "@/lib/auth/guard";
import { listContacts } from "@/lib/contacts/queries";
import { SCENARIOS } from "@/lib/scenarios/catalog";
import { runbookDrillStatus } from "@/lib/drills/queries";
import { DrillStatusBadge } from "@/components/drill-status-badge";

export const metadata: Metadata = { title: "Runbooks" };

export default async function RunbooksPage() {
  await requirePageUser();
  const [contacts, drillStatus] = await Promise.all([listContacts(), runbookDrillStatus()]);
  const sorted = [...SCENARIOS].sort((a, b) => a.number - b.number);
  return (
    <>
      <PageHeader title="Runbooks" description="One runbook per disaster scenario, versioned. Each prints on paper for the night the console is down too." />
      <div className="grid gap-3 md:grid-cols-2">
        {sorted.map((s) => (
          <Link key={s.id} href={`/runbooks/${s.id}`} className="block rounded-lg border border-slate-200 bg-white p-4 hover:border-sky-400">
            <div className="flex flex-wrap items-center gap-2 text-xs font-medium uppercase tracking-wide text-slate-500">Scenario {s.number} · version {s.version} <span data-testid={`runbook-drill-${s.id}`}><DrillStatusBadge status={drillStatus[s.id] ?? "never_drilled"} /></span></div>
            <h2 className="mt-0.5 font-semibold">{s.title}</h2>
            <p className="mt-1 text-sm text-slate-600">{s.summary}</p>
            <p className="mt-2 text-xs text-slate-500">Expected downtime {s.expectedDowntime} · {s.steps.length} steps</p>
          </Link>
        ))}
      </div>
      <Card title="Emergency contacts" className="mt-4">
        <ContactsTable contacts={contacts} />
      </Card>
    </>
  );
}
