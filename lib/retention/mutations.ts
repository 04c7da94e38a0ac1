import "server-only";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { twoPersonEnvironments } from "@/lib/approvals/config";
import { consumeApproval, recordApprovalUse, returnApproval, type UsedApproval } from "@/lib/approvals/mutations";
import { twoPersonRuleApplies } from "@/lib/approvals/rules";
import { enforceRetention, type RetentionRunResult } from "@/lib/retention/enforce";
import { loadRetentionPlan } from "@/lib/retention/load-plan";

// The operator's confirmed deletion and the admin's retention settings, without authorization
// (lib/retention/commands.ts checks the role first).

type Person = { id: string; email: string };

export async function confirmRetentionDeletion(
  input: { databaseId: string; fingerprint: string; typedCount: number },
  user: Person,
): Promise<RetentionRunResult> {
  const { database, plan, fingerprint } = await loadRetentionPlan(input.databaseId, "manual");
  if (plan.refusals.length === 0 && input.typedCount !== plan.toDelete.length)
    throw new UserError(
      `Type the number of backups that will be deleted (${plan.toDelete.length}) to confirm; you typed ${input.typedCount}. Nothing was deleted.`,
    );
  let used: UsedApproval | null = null;
  if (plan.refusals.length === 0 && twoPersonRuleApplies(database.environment, twoPersonEnvironments())) {
    if (input.fingerprint !== fingerprint)
      throw new UserError(
        "The backups retention would delete changed since you read the preview. Nothing was deleted: read the preview again.",
        409,
      );
    used = await db.$transaction((tx) =>
      consumeApproval(
        tx,
        {
          action: "retention.delete",
          subjectId: input.databaseId,
          needsApprovalMessage: `Deleting backups of ${database.name} (${database.environment}) needs an approver's approval first (two-person rule): request it above. Nothing was deleted.`,
        },
        user,
      ),
    );
  }
  let result: RetentionRunResult;
  try {
    result = await enforceRetention(input.databaseId, {
      trigger: "manual",
      actor: user,
      fingerprint: input.fingerprint,
    });
  } catch (e) {
    // Refused before anything was deleted: the approval can still be used for this set.
    if (used) await returnApproval(used.approvalId);
    throw e;
  }
  if (used)
    await recordApprovalUse(used, { action: "retention.delete", subjectId: input.databaseId, stepIndex: null }, user);
  return result;
}

export async function setForeignDeletion(input: { locationId: string; allow: boolean }) {
  const l = await db.location.update({
    where: { id: input.locationId },
    data: { retentionDeletesForeign: input.allow },
    select: { id: true, name: true, retentionDeletesForeign: true },
  });
  return { id: l.id, name: l.name, allow: l.retentionDeletesForeign };
}

export async function setMinVerified(input: { databaseId: string; minVerified: number }) {
  const d = await db.database.update({
    where: { id: input.databaseId },
    data: { retentionMinVerified: input.minVerified },
    select: { id: true, name: true, retentionMinVerified: true },
  });
  return { id: d.id, name: d.name, minVerified: d.retentionMinVerified };
}
