import "server-only";
import { requireRole } from "@/lib/auth/guard";
import { getRunView, listRuns } from "@/lib/runner/queries";

// The restore area's reads: the runner's read model, behind the viewer role.

export async function listRestoreRuns(opts: { page?: number; databaseId?: string } = {}) {
  await requireRole("viewer");
  return listRuns(opts);
}

export async function getRestoreRun(runId: string, opts: { afterLogId?: number } = {}) {
  await requireRole("viewer");
  return getRunView(runId, opts);
}
