import "server-only";
import { db } from "@/lib/db";

export type AuditInput = {
  action: string;
  targetType: string;
  targetId?: string | null;
  detail?: Record<string, unknown>;
};

/**
 * Appends one audit event. Callers authorize before they act; this only records.
 * `detail` must never hold secrets: callers pass names, ids and counts.
 */
export async function recordAudit(actor: { id: string; email: string } | null, input: AuditInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorId: actor?.id ?? null,
      actorEmail: actor?.email ?? "anonymous",
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId ?? null,
      detail: JSON.stringify(input.detail ?? {}),
    },
  });
}
