import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Forbidden } from "@/components/forbidden";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { listContacts } from "@/lib/contacts/queries";
import { ContactsManager } from "./contacts-manager";

export const metadata: Metadata = { title: "Emergency contacts" };

export default async function ContactsPage() {
  const me = await requirePageUser();
  if (!hasRole(me.role, "admin")) return <Forbidden title="Emergency contacts" needed="admin" actual={me.role} />;
  const contacts = await listContacts();
  return (
    <>
      <PageHeader
        title="Emergency contacts"
        description={
          <>
            <Link href="/settings" className="text-sky-700 hover:underline">
              Settings
            </Link>{" "}
            › Emergency contacts. Shown on every runbook, in escalation order.
          </>
        }
      />
      <ContactsManager initial={contacts} />
    </>
  );
}
