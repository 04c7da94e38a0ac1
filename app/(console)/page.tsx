import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { Time } from "@/components/time";
import { requirePageUser } from "@/lib/auth/guard";
import { listAuditEvents } from "@/lib/audit/queries";
import { getHealth } from "@/lib/health";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requirePageUser();
  const [health, audit] = await Promise.all([getHealth(), listAuditEvents({ page: 1 })]);
  return (
    <>
      <PageHeader title="Dashboard" description={`Signed in as ${user.name} (${user.role}).`} />
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Backup freshness" className="lg:col-span-2">
          <p data-testid="freshness-not-built" className="text-sm text-slate-700">
            Not built yet: this will show, per protected database, the age of the newest good backup against its RPO and
            the days without a backup.
          </p>
        </Card>
        <Card title="Console">
          <dl className="grid grid-cols-2 gap-y-1 text-sm">
            <dt className="text-slate-500">Status</dt>
            <dd data-testid="console-status" className={health.status === "ok" ? "font-medium text-emerald-700" : "font-medium text-red-700"}>
              {health.status === "ok" ? "● ok" : "● degraded"}
            </dd>
            <dt className="text-slate-500">Own database</dt>
            <dd className="tabular">{health.database.reachable ? `reachable, ${health.database.latencyMs} ms` : "unreachable"}</dd>
            <dt className="text-slate-500">Version</dt>
            <dd className="tabular">{health.version}</dd>
          </dl>
        </Card>
        <Card title="Recent activity" className="lg:col-span-3">
          {audit.rows.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing has happened yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {audit.rows.slice(0, 8).map((e) => (
                <li key={e.id} className="flex flex-wrap justify-between gap-x-4 py-1.5">
                  <span><span className="font-mono text-xs">{e.action}</span> <span className="text-slate-600">by {e.actorEmail}</span></span>
                  <Time value={e.at} relative />
                </li>
              ))}
            </ul>
          )}
          <Link href="/audit" className="mt-2 inline-block text-sm text-sky-700 hover:underline">All audit events →</Link>
        </Card>
      </div>
    </>
  );
}
