import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { ContactsTable } from "@/components/contacts-table";
import { requirePageUser } from "@/lib/auth/guard";
import { listContacts } from "@/lib/contacts/queries";
import { SCENARIOS } from "@/lib/scenarios/registry";
import { runbookPlan } from "@/lib/restores/plans";
import { runbookDrillStatus } from "@/lib/drills/queries";
import { DrillStatusBadge } from "@/components/drill-status-badge";

export const metadata: Metadata = { title: "Runbooks" };

export default async function RunbooksPage() {
  await requirePageUser();
  const [contacts, drillStatus] = await Promise.all([listContacts(), runbookDrillStatus()]);
  return (
    <>
      <PageHeader
        title="Runbooks"
        description="One runbook per disaster scenario, versioned. Each prints on paper for the night the console is down too."
      />
      <div className="grid gap-3 md:grid-cols-2">
        {SCENARIOS.map(({ id, version, meta: s }) => (
          <Link
            key={id}
            href={`/runbooks/${id}`}
            className="block rounded-lg border border-slate-200 bg-white p-4 hover:border-sky-400"
          >
            <div className="flex flex-wrap items-center gap-2 text-xs font-medium uppercase tracking-wide text-slate-500">
              Scenario {s.number} · version {version}{" "}
              <span data-testid={`runbook-drill-${id}`}>
                <DrillStatusBadge status={drillStatus[id] ?? "never_drilled"} />
              </span>
            </div>
            <h2 className="mt-0.5 font-semibold">{s.title}</h2>
            <p className="mt-1 text-sm text-slate-600">{s.summary}</p>
            <p className="mt-2 text-xs text-slate-500">
              Expected downtime {s.expectedDowntime} · {runbookPlan(id).steps.length} steps
            </p>
          </Link>
        ))}
      </div>
      <Card title="Emergency contacts" className="mt-4">
        <ContactsTable contacts={contacts} />
      </Card>
    </>
  );
}
