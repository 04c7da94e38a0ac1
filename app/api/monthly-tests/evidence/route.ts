import { withRole } from "@/lib/api/route";
import { UserError } from "@/lib/errors";
import { evidenceCsv } from "@/lib/monthly-tests/evidence";
import { evidenceFor, evidenceQuery } from "@/lib/monthly-tests/record-queries";

export const dynamic = "force-dynamic";

// Monthly-test evidence: ?id=<test> or ?from=YYYY-MM-DD&to=YYYY-MM-DD (default: the last 12
// months), &format=csv (default) or json. The JSON follows public/schemas/monthly-test-evidence.schema.json.
export const GET = withRole("viewer", async (req) => {
  const params = new URL(req.url).searchParams;
  const format = params.get("format") ?? "csv";
  if (format !== "csv" && format !== "json") throw new UserError("Ask for format=csv or format=json.");
  const query = evidenceQuery(params);
  const evidence = await evidenceFor(query);
  const name =
    "id" in query
      ? `lifeboat-monthly-test-${evidence.tests[0]?.database.name ?? "test"}-${evidence.tests[0]?.month ?? ""}`
      : `lifeboat-monthly-tests-${query.from}-to-${query.to}`;
  const safeName = name.replace(/[^A-Za-z0-9._-]/g, "_");
  const headers = {
    "content-disposition": `attachment; filename="${safeName}.${format}"`,
    "cache-control": "no-store",
  };
  if (format === "json")
    return new Response(JSON.stringify(evidence, null, 2) + "\n", {
      headers: { ...headers, "content-type": "application/json; charset=utf-8" },
    });
  return new Response(evidenceCsv(evidence.tests), {
    headers: { ...headers, "content-type": "text/csv; charset=utf-8" },
  });
});
