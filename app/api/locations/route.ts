import { withRole } from "@/lib/api/route";
import { listLocations } from "@/lib/locations/queries";
import { isSyncRunning } from "@/lib/catalog/sync";

export const dynamic = "force-dynamic";

async function locationsWithStatus() {
  const locations = await listLocations();
  return { locations: locations.map((l) => ({ ...l, syncing: isSyncRunning(l.id) })) };
}

// Polled by the Backups page and Settings → Locations while syncs run.
export const GET = withRole("viewer", locationsWithStatus);
export type LocationsResponse = Awaited<ReturnType<typeof locationsWithStatus>>;
