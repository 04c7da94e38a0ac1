import "server-only";
import type { Tx } from "@/lib/runner/lock";
import type { ApprovalSubject } from "@/lib/approvals/subjects";
import { loadRetentionPlan } from "@/lib/retention/load-plan";

// Retention deletion under the two-person rule: the subject is the database, and the approval is
// bound to the exact set of backups the approver saw (the plan's fingerprint as planHash) and to
// the database's server. A backup that arrives or is verified meanwhile changes the set and needs
// a new approval. Read with `db`, which inside the caller's transaction is that transaction.

export async function retentionSubject(tx: Tx, databaseId: string): Promise<ApprovalSubject> {
  const { database, plan, fingerprint } = await loadRetentionPlan(databaseId, "manual");
  const d = await tx.database.findUniqueOrThrow({
    where: { id: databaseId },
    select: { host: true, port: true, dbName: true },
  });
  const n = plan.toDelete.length;
  return {
    subjectType: "database",
    subjectId: database.id,
    environment: database.environment,
    summary: `Delete ${n} backup${n === 1 ? "" : "s"} of ${database.name} past retention`,
    binding: {
      planHash: fingerprint,
      backupSha256: null,
      backupEtag: null,
      backupSize: null,
      targetHost: d.host,
      targetPort: d.port,
      targetDatabase: d.dbName,
    },
    requesters: [],
    notReady:
      plan.refusals.length > 0
        ? `Retention of ${database.name} is refused for safety, so there is nothing to approve: ${plan.refusals.join(" ")}`
        : n === 0
          ? `No backup of ${database.name} is past retention: there is nothing to approve.`
          : null,
    stepIndex: null,
  };
}
