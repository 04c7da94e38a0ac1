import "server-only";
import { requireRole } from "@/lib/auth/guard";
import { getRunView, listRuns } from "@/lib/runner/queries";
import { keptScratchDatabases } from "@/lib/restores/leftovers";

// The restore area's reads: the runner's read model, behind the viewer role.

export async function listRestoreRuns(opts: { page?: number; databaseId?: string } = {}) {
  await requireRole("viewer");
  return listRuns(opts);
}

export async function getRestoreRun(runId: string, opts: { afterLogId?: number } = {}) {
  await requireRole("viewer");
  return getRunView(runId, opts);
}

/** Scratch databases kept for inspection after a cancel, until someone drops them (the dashboard lists them). */
export async function listKeptScratchDatabases() {
  await requireRole("viewer");
  return keptScratchDatabases();
}
