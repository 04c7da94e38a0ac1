import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";

export const metadata: Metadata = { title: "Settings" };

const AREAS = [
  { href: "/settings/users", title: "Users", text: "Who can sign in, and their roles.", link: "Manage users" },
  {
    href: "/settings/locations",
    title: "Storage locations",
    text: "S3, Azure Blob, Google Cloud Storage and local folders that hold backups.",
    link: "Manage locations",
  },
  {
    href: "/settings/databases",
    title: "Databases",
    text: "The PostgreSQL databases Lifeboat protects, with RPO and RTO targets.",
    link: "Manage databases",
  },
  {
    href: "/settings/alerts",
    title: "Alerts",
    text: "Slack, webhook and e-mail channels for failures and missing backups, with their delivery log.",
    link: "Manage alerts",
  },
  {
    href: "/settings/api-tokens",
    title: "API tokens",
    text: "Tokens a pipeline uses to take a labelled backup, e.g. before a migration; scoped and revocable.",
    link: "Manage API tokens",
  },
  {
    href: "/settings/contacts",
    title: "Emergency contacts",
    text: "Who to call, in escalation order; printed on every runbook.",
    link: "Manage contacts",
  },
];

export default async function SettingsPage() {
  const user = await requirePageUser();
  const admin = hasRole(user.role, "admin");
  return (
    <>
      <PageHeader
        title="Settings"
        description={
          admin
            ? "Manage who can use Lifeboat and what it protects."
            : "Only admins change settings. Ask an admin if something here needs to change."
        }
      />
      <div className="grid gap-3 md:grid-cols-2 lg:grid-cols-4">
        {AREAS.map((a) => (
          <section key={a.href} className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 className="font-semibold">{a.title}</h2>
            <p className="mt-1 text-sm text-slate-600">{a.text}</p>
            {admin ? (
              <Link href={a.href} className="mt-3 inline-block text-sm font-medium text-sky-700 hover:underline">
                {a.link} →
              </Link>
            ) : (
              <p className="mt-3 text-sm text-slate-500">Admins only.</p>
            )}
          </section>
        ))}
      </div>
    </>
  );
}
