import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageUser } from "@/lib/auth/guard";
import { Forbidden } from "@/components/forbidden";
import { listUsers } from "@/lib/users/queries";
import { hasRole, ROLES, ROLE_DESCRIPTIONS } from "@/lib/auth/roles";
import { UsersTable } from "./users-table";
import { AddUserForm } from "./add-user-form";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const me = await requirePageUser();
  if (!hasRole(me.role, "admin")) return <Forbidden title="Users" needed="admin" actual={me.role} />;
  const users = await listUsers();
  return (
    <>
      <PageHeader
        title="Users"
        description={
          <>
            <Link href="/settings" className="text-sky-700 hover:underline">
              Settings
            </Link>{" "}
            › Users. Roles are ordered; each includes the ones before it.
          </>
        }
      />
      <dl className="mb-5 grid gap-2 text-sm sm:grid-cols-2 lg:grid-cols-4">
        {ROLES.map((r) => (
          <div key={r} className="rounded-md border border-slate-200 bg-white p-2">
            <dt className="font-semibold">{r}</dt>
            <dd className="text-slate-600">{ROLE_DESCRIPTIONS[r]}</dd>
          </div>
        ))}
      </dl>
      <UsersTable
        meId={me.id}
        users={users.map((u) => ({
          ...u,
          createdAt: u.createdAt.toISOString(),
          lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
        }))}
      />
      <AddUserForm />
    </>
  );
}
