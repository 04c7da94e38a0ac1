import "server-only";
import { db, inOpenTransaction, inTransaction } from "@/lib/db";
import { appendAuditEvent, retryAuditRace } from "@/lib/audit/chain";

export type AuditInput = {
  action: string;
  targetType: string;
  targetId?: string | null;
  detail?: Record<string, unknown>;
};

/**
 * Appends one audit event to the hash chain. Callers authorize before they act; this only
 * records. Inside a transaction (a command declared with `transaction: true`, or any
 * `db.$transaction` callback) the event commits or rolls back with the change; otherwise it is
 * its own transaction. `detail` must never hold secrets: callers pass names, ids and counts.
 */
export async function recordAudit(actor: { id: string; email: string } | null, input: AuditInput): Promise<void> {
  const event = {
    actorId: actor?.id ?? null,
    actorEmail: actor?.email ?? "anonymous",
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId ?? null,
    detail: JSON.stringify(input.detail ?? {}),
  };
  // Part of someone's transaction: a lost race must roll back their change too, so they retry.
  if (inOpenTransaction()) {
    await appendAuditEvent(db, event);
    return;
  }
  await retryAuditRace(() => inTransaction(() => appendAuditEvent(db, event)));
}
