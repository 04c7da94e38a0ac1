import { z } from "zod";
import { withRole } from "@/lib/api/route";
import { previewLocationPatterns } from "@/lib/catalog/assign";

export const dynamic = "force-dynamic";

const query = z.object({
  locationId: z.string().min(1, { message: "Choose a location" }).max(100),
  patterns: z.string().max(2000),
  databaseId: z.string().max(100).optional(),
});

async function preview(req: Request) {
  const url = new URL(req.url);
  const q = query.parse({
    locationId: url.searchParams.get("locationId") ?? "",
    patterns: url.searchParams.get("patterns") ?? "",
    databaseId: url.searchParams.get("databaseId") ?? undefined,
  });
  return previewLocationPatterns(q.locationId, q.patterns, q.databaseId);
}

// Settings → Databases asks this while key patterns are edited: what they would match now.
export const GET = withRole("admin", preview);
export type KeyPatternPreviewResponse = Awaited<ReturnType<typeof preview>>;
