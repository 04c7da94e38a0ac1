import { withRole } from "@/lib/api/route";
import { getDrill } from "@/lib/drills/queries";

export const dynamic = "force-dynamic";

// Polled by the drill page: steps with server-measured times.
export const GET = withRole("viewer", async (_req, { params }) => getDrill(String(params.id)));
export type DrillResponse = Awaited<ReturnType<typeof getDrill>>;
