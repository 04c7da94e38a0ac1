import { withRole } from "@/lib/api/route";
import { drillIcs } from "@/lib/drills/queries";

export const dynamic = "force-dynamic";

export const GET = withRole(
  "viewer",
  async (_req, { params }) =>
    new Response(await drillIcs(String(params.id)), {
      headers: {
        "content-type": "text/calendar; charset=utf-8",
        "content-disposition": `attachment; filename="drill-${String(params.id).replace(/[^a-z0-9]/gi, "")}.ics"`,
      },
    }),
);
