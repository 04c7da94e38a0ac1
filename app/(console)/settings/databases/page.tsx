import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Forbidden } from "@/components/forbidden";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { listDatabases } from "@/lib/databases/queries";
import { listLocations } from "@/lib/locations/queries";
import { DatabasesManager } from "./databases-manager";

export const metadata: Metadata = { title: "Databases" };

export default async function DatabasesPage() {
  const me = await requirePageUser();
  if (!hasRole(me.role, "admin")) return <Forbidden title="Databases" needed="admin" actual={me.role} />;
  const [databases, locations] = await Promise.all([listDatabases(), listLocations()]);
  return (
    <>
      <PageHeader
        title="Databases"
        description={
          <>
            <Link href="/settings" className="text-sky-700 hover:underline">
              Settings
            </Link>{" "}
            › Databases. The PostgreSQL databases Lifeboat protects, their RPO/RTO targets, retention, and which keys in
            which locations are their backups.
          </>
        }
      />
      <DatabasesManager initial={databases} locations={locations.map((l) => ({ id: l.id, name: l.name }))} />
    </>
  );
}
