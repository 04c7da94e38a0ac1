import "server-only";
import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { getRunView, listRuns } from "@/lib/runner/queries";
import { readStepResult } from "@/lib/runner/step-results";
import { keptScratchDatabases } from "@/lib/restores/leftovers";
import { approvalsOfRun, twoPersonRuleFor } from "@/lib/approvals/queries";

// The restore area's reads: the runner's read model, behind the viewer role.

export async function listRestoreRuns(opts: { page?: number; databaseId?: string } = {}) {
  await requireRole("viewer");
  return listRuns(opts);
}

export async function getRestoreRun(runId: string, opts: { afterLogId?: number } = {}) {
  const user = await requireRole("viewer");
  const base = await getRunView(runId, opts);
  // The two-person rule's state travels with the run, so the run page's poll shows a request,
  // an approval or its expiry as soon as it happens.
  const view = {
    ...base,
    approvals: await approvalsOfRun(runId),
    twoPersonRule: twoPersonRuleFor(base.run.environment),
  };
  if (hasRole(user.role, "operator")) return view;
  // The deletion preview samples rows of the application's data (names, e-mails...): the
  // operators deciding on the copy-back see them, a read-only viewer sees counts and ids only.
  return {
    ...view,
    steps: view.steps.map((s) => (s.key === "preview-rows" ? { ...s, result: withoutSample(s.result) } : s)),
  };
}

/** One step's whole result, when the run view deferred it (too big to send on every poll). */
export async function getRestoreRunStepResult(runId: string, index: number) {
  const user = await requireRole("viewer");
  const step = await readStepResult(runId, index);
  // The same rule as the run view: a viewer sees the preview's counts and ids, not the rows.
  if (step.key === "preview-rows" && !hasRole(user.role, "operator"))
    return { ...step, result: withoutSample(step.result) };
  return step;
}

function withoutSample(result: unknown): unknown {
  if (result === null || typeof result !== "object" || !("sample" in result)) return result;
  const rest: Record<string, unknown> = { ...result };
  delete rest.sample;
  return rest;
}

/** Scratch databases kept for inspection after a cancel, until someone drops them (the dashboard lists them). */
export async function listKeptScratchDatabases() {
  await requireRole("viewer");
  return keptScratchDatabases();
}
