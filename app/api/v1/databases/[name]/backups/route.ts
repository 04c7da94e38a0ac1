import { pipelineBackupResponse } from "@/lib/api-tokens/backup-endpoint";

// A pipeline takes a labelled backup with an API token, not a session (lib/api-tokens).
export const dynamic = "force-dynamic";

export const POST = async (req: Request, ctx: { params: Promise<{ name: string }> }) =>
  pipelineBackupResponse(req, (await ctx.params).name);
