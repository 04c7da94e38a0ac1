import { withRole } from "@/lib/api/route";
import { getVerification } from "@/lib/backups/verify-job";

export const dynamic = "force-dynamic";

export const GET = withRole("viewer", async (_req, { params }) => getVerification(String(params.id)));
export type VerificationResponse = Awaited<ReturnType<typeof getVerification>>;
