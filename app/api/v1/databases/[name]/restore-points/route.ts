import { pipelineRestorePointResponse } from "@/lib/pitr/restore-point-endpoint";

// A pipeline names a restore point before a migration with an API token, not a session (lib/api-tokens).
export const dynamic = "force-dynamic";

export const POST = async (req: Request, ctx: { params: Promise<{ name: string }> }) =>
  pipelineRestorePointResponse(req, (await ctx.params).name);
