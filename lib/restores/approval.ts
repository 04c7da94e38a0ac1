import type { Role } from "@/lib/auth/roles";
import { hasRole } from "@/lib/auth/roles";

// Which restore steps an operator may not take alone: the ones that change a production
// database for good. Pure, so the run page can say so before the click and the commands
// enforce the same rule on the server.

export const SWITCH_OVER_NEEDS_APPROVER = "Switching production over needs an approver: ask one to confirm this step.";
export const COPY_BACK_NEEDS_APPROVER =
  "Copying rows back into production needs an approver: ask one to confirm this step.";
export const DROP_NEEDS_APPROVER = "Dropping the copy production kept needs an approver: ask one to drop it.";

/** Why `role` may not tick this step, or null when it may. Manual steps stay with operators. */
export function stepNeedsApprover(step: { kind: string; key: string }, environment: string, role: Role): string | null {
  if (hasRole(role, "approver") || step.kind !== "confirmation" || environment !== "production") return null;
  return step.key === "confirm-copy-back" ? COPY_BACK_NEEDS_APPROVER : SWITCH_OVER_NEEDS_APPROVER;
}

/** Why `role` may not drop the copy a run of this environment kept, or null when it may. */
export function dropNeedsApprover(environment: string, role: Role): string | null {
  return environment === "production" && !hasRole(role, "approver") ? DROP_NEEDS_APPROVER : null;
}
