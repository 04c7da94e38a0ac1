import type { Role } from "@/lib/auth/roles";
import { hasRole } from "@/lib/auth/roles";
import type { ApprovalAction } from "@/lib/approvals/rules";
import { twoPersonRuleApplies } from "@/lib/approvals/rules";

// Which restore steps nobody takes alone: the ones that change a target database for good (the
// confirmation before a switch-over or a copy-back, and dropping the copy a switch-over kept).
// In an environment under the two-person rule (LIFEBOAT_TWO_PERSON_ENVIRONMENTS, production by
// default) they need an approval from an approver who did not plan, confirm or request the run
// (lib/approvals). Where the rule is off, production still needs the approver role, as before;
// staging and test stay with operators. Pure, so the run page says it before the click and the
// commands enforce the same rule on the server.

export const SWITCH_OVER_NEEDS_APPROVER = "Switching production over needs an approver: ask one to confirm this step.";
export const COPY_BACK_NEEDS_APPROVER =
  "Copying rows back into production needs an approver: ask one to confirm this step.";
export const DROP_NEEDS_APPROVER = "Dropping the copy production kept needs an approver: ask one to drop it.";

const NEEDS_APPROVAL: Record<Exclude<ApprovalAction, "retention.delete">, (environment: string) => string> = {
  "run.switch-over": (env) =>
    `Switching a ${env} database over needs a second person's approval: request it here; an approver who did not plan, confirm or request this run approves it.`,
  "run.copy-back": (env) =>
    `Copying rows back into a ${env} database needs a second person's approval: request it here; an approver who did not plan, confirm or request this run approves it.`,
  "run.drop-old-copy": (env) =>
    `Dropping the copy a ${env} database kept needs a second person's approval: request it here; an approver who did not plan, confirm or request this run approves it.`,
};

/** The message that refuses a step for want of an approval (and says how to get one). */
export function needsApprovalMessage(action: Exclude<ApprovalAction, "retention.delete">, environment: string): string {
  return NEEDS_APPROVAL[action](environment);
}

/** The approval a run step needs (its confirmation before a switch-over or copy-back), or null. */
export function approvalActionOfStep(step: { kind: string; key: string }): "run.switch-over" | "run.copy-back" | null {
  if (step.kind !== "confirmation") return null;
  if (step.key === "confirm-copy-back") return "run.copy-back";
  if (step.key === "confirm-switch-over") return "run.switch-over";
  return null;
}

/** The confirmation step an approval of a run allows (its key), or null for dropping the kept copy. */
export function stepKeyOfAction(action: string): string | null {
  if (action === "run.switch-over") return "confirm-switch-over";
  if (action === "run.copy-back") return "confirm-copy-back";
  return null;
}

/** Whether a run step in `environment` needs a two-person approval (rather than a role). */
export function stepNeedsApproval(
  step: { kind: string; key: string },
  environment: string,
  twoPersonEnvironments: readonly string[],
): "run.switch-over" | "run.copy-back" | null {
  return twoPersonRuleApplies(environment, twoPersonEnvironments) ? approvalActionOfStep(step) : null;
}

/**
 * Why `role` may not tick this step for want of a role, or null when it may. Under the two-person
 * rule the role is not what decides (an operator ticks once an approver approved): null.
 */
export function stepNeedsApprover(
  step: { kind: string; key: string },
  environment: string,
  role: Role,
  twoPersonEnvironments: readonly string[],
): string | null {
  if (twoPersonRuleApplies(environment, twoPersonEnvironments)) return null;
  if (hasRole(role, "approver") || step.kind !== "confirmation" || environment !== "production") return null;
  return step.key === "confirm-copy-back" ? COPY_BACK_NEEDS_APPROVER : SWITCH_OVER_NEEDS_APPROVER;
}

/** Why `role` may not drop the copy a run of this environment kept for want of a role, or null. */
export function dropNeedsApprover(
  environment: string,
  role: Role,
  twoPersonEnvironments: readonly string[],
): string | null {
  if (twoPersonRuleApplies(environment, twoPersonEnvironments)) return null;
  return environment === "production" && !hasRole(role, "approver") ? DROP_NEEDS_APPROVER : null;
}
