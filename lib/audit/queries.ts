import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";

export const AUDIT_PAGE_SIZE = 50;

export async function listAuditEvents(opts: { page?: number; action?: string } = {}) {
  await requireRole("viewer");
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const where = opts.action ? { action: { startsWith: opts.action } } : {};
  const [rows, total] = await Promise.all([
    db.auditEvent.findMany({
      where,
      orderBy: { at: "desc" },
      skip: (page - 1) * AUDIT_PAGE_SIZE,
      take: AUDIT_PAGE_SIZE,
    }),
    db.auditEvent.count({ where }),
  ]);
  return { rows, total, page, pageSize: AUDIT_PAGE_SIZE };
}
