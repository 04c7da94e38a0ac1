import { withRole } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const GET = withRole("viewer", async (_req, { user }) => user);
