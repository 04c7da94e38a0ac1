import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requirePageUser();
  const admin = hasRole(user.role, "admin");
  return (
    <>
      <PageHeader title="Settings" description={admin ? "Manage who can use Lifeboat and what it protects." : "Only admins change settings. Ask an admin if something here needs to change."} />
      <div className="grid gap-3 md:grid-cols-3">
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">Users</h2>
          <p className="mt-1 text-sm text-slate-600">Who can sign in, and their roles.</p>
          {admin ? (
            <Link href="/settings/users" className="mt-3 inline-block text-sm font-medium text-sky-700 hover:underline">Manage users →</Link>
          ) : (
            <p className="mt-3 text-sm text-slate-500">Admins only.</p>
          )}
        </section>
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">Storage locations</h2>
          <p className="mt-1 text-sm text-slate-600">S3, Azure Blob, Google Cloud Storage and local folders that hold backups.</p>
          {admin ? (
            <Link href="/settings/locations" className="mt-3 inline-block text-sm font-medium text-sky-700 hover:underline">Manage locations →</Link>
          ) : (
            <p className="mt-3 text-sm text-slate-500">Admins only.</p>
          )}
        </section>
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">Databases</h2>
          <p className="mt-1 text-sm text-slate-600">The PostgreSQL databases Lifeboat protects, with RPO and RTO targets.</p>
          {admin ? (
            <Link href="/settings/databases" className="mt-3 inline-block text-sm font-medium text-sky-700 hover:underline">Manage databases →</Link>
          ) : (
            <p className="mt-3 text-sm text-slate-500">Admins only.</p>
          )}
        </section>
      </div>
    </>
  );
}
