import { withRole } from "@/lib/api/route";
import { listBackups } from "@/lib/backups/queries";
import { backupFilterSchema } from "@/lib/backups/schemas";

export const dynamic = "force-dynamic";

// The Backups page's query as JSON, with the same filters as its URL.
export const GET = withRole("viewer", async (req) => {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  return listBackups(backupFilterSchema.parse(params));
});
