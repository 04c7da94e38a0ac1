import { withRole } from "@/lib/api/route";
import { downloadBackup } from "@/lib/backups/download";

export const dynamic = "force-dynamic";

// A backup is a full copy of the data: operators and above only.
export const GET = withRole("operator", async (_req, { params, user }) => downloadBackup(String(params.id), user));
