import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { toCsv } from "@/lib/audit/csv";
import { auditWhere, type AuditFilter } from "@/lib/audit/filters";

export const AUDIT_PAGE_SIZE = 50;

export async function listAuditEvents(opts: { page?: number; filter?: AuditFilter } = {}) {
  await requireRole("viewer");
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const where = auditWhere(opts.filter ?? {});
  const [rows, total] = await Promise.all([
    db.auditEvent.findMany({
      where,
      orderBy: { seq: "desc" },
      skip: (page - 1) * AUDIT_PAGE_SIZE,
      take: AUDIT_PAGE_SIZE,
    }),
    db.auditEvent.count({ where }),
  ]);
  return { rows, total, page, pageSize: AUDIT_PAGE_SIZE };
}

/** Every action that occurs in the log, for the filter's choices. */
export async function auditActions(): Promise<string[]> {
  await requireRole("viewer");
  const rows = await db.auditEvent.findMany({
    distinct: ["action"],
    select: { action: true },
    orderBy: { action: "asc" },
  });
  return rows.map((r) => r.action);
}

const CSV_HEADER = ["seq", "at (UTC)", "actor", "actor id", "action", "subject type", "subject id", "detail", "hash"];
const CSV_BATCH = 2000;

/** The events the page lists with these filters, oldest first, as CSV (every page, not one). */
export async function auditCsv(filter: AuditFilter): Promise<string> {
  await requireRole("viewer");
  const where = auditWhere(filter);
  const rows: (string | number | null)[][] = [];
  let after = 0;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { AND: [where, { seq: { gt: after } }] },
      orderBy: { seq: "asc" },
      take: CSV_BATCH,
    });
    for (const e of batch) {
      rows.push([
        e.seq,
        e.at.toISOString(),
        e.actorEmail,
        e.actorId,
        e.action,
        e.targetType,
        e.targetId,
        e.detail,
        e.hash,
      ]);
    }
    const last = batch.at(-1);
    if (!last || batch.length < CSV_BATCH) break;
    after = last.seq;
  }
  return toCsv(CSV_HEADER, rows);
}
