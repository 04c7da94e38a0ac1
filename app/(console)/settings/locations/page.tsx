import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Forbidden } from "@/components/forbidden";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { listLocations } from "@/lib/locations/queries";
import { LocationsManager } from "./locations-manager";

export const metadata: Metadata = { title: "Storage locations" };

export default async function LocationsPage() {
  const me = await requirePageUser();
  if (!hasRole(me.role, "admin")) return <Forbidden title="Storage locations" needed="admin" actual={me.role} />;
  const locations = await listLocations();
  return (
    <>
      <PageHeader
        title="Storage locations"
        description={
          <>
            <Link href="/settings" className="text-sky-700 hover:underline">
              Settings
            </Link>{" "}
            › Locations. Where backups live. Secrets are write-only: they are encrypted at rest and never shown again.
          </>
        }
      />
      <LocationsManager initial={locations} />
    </>
  );
}
