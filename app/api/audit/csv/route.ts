import { withRole } from "@/lib/api/route";
import { auditCsv } from "@/lib/audit/queries";
import { parseAuditFilter } from "@/lib/audit/filters";

export const dynamic = "force-dynamic";

// The audit page's filters in the query string; the file holds every matching event.
export const GET = withRole("viewer", async (req) => {
  const { filter } = parseAuditFilter(Object.fromEntries(new URL(req.url).searchParams));
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(await auditCsv(filter), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="lifeboat-audit-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
});
