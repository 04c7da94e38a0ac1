import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { twoPersonEnvironments } from "@/lib/approvals/config";
import { twoPersonRuleApplies } from "@/lib/approvals/rules";
import { RETENTION_LABELS } from "@/lib/backups/retention";
import { parseStoredJsonOrNull } from "@/lib/stored-json";
import { loadRetentionPlan } from "@/lib/retention/load-plan";
import { wouldDelete, type KeepRule } from "@/lib/retention/plan";

// The retention pages' reads, behind the viewer role: every database's verdict, and one
// database's preview (each backup with its class, age and the rule that keeps it).

export const KEEP_RULE_WORDS: Record<KeepRule, string> = {
  critical: "critical",
  pre_migration: "pre-migration",
  monthly: "monthly",
  weekly: "weekly",
  daily: "daily",
  min_redundancy: "minimum redundancy",
  foreign: "not made by Lifeboat",
  refused: "refused for safety",
};

export async function retentionOverview() {
  await requireRole("viewer");
  const dbs = await db.database.findMany({ orderBy: { name: "asc" }, select: { id: true } });
  const out = [];
  for (const d of dbs) {
    const { database, plan } = await loadRetentionPlan(d.id, "manual");
    out.push({
      id: database.id,
      name: database.name,
      environment: database.environment,
      backups: plan.decisions.length,
      toDelete: plan.toDelete.length,
      wouldDelete: wouldDelete(plan).length,
      refused: plan.refusals.length > 0,
      firstRefusal: plan.refusals[0] ?? null,
    });
  }
  return out;
}

const runDetailSchema = z.looseObject({
  status: z.string(),
  trigger: z.string(),
  deleted: z.number().optional(),
  retained: z.number().optional(),
  failed: z.number().optional(),
  refusals: z.array(z.string()).optional(),
});
const objectDetailSchema = z.looseObject({
  key: z.string(),
  location: z.string(),
  retainedUntil: z.string().nullable().optional(),
  legalHold: z.boolean().optional(),
  error: z.string().optional(),
});

export async function retentionPreview(databaseId: string, now = new Date()) {
  await requireRole("viewer");
  const { database, plan, fingerprint } = await loadRetentionPlan(databaseId, "manual", now);
  const lastRun = await db.auditEvent.findFirst({
    where: { action: "retention.run", targetType: "database", targetId: databaseId },
    orderBy: { seq: "desc" },
  });
  const objectEvents = lastRun
    ? await db.auditEvent.findMany({
        where: {
          action: { in: ["retention.retained", "retention.failed"] },
          at: { lte: lastRun.at },
          seq: { lt: lastRun.seq },
        },
        orderBy: { seq: "desc" },
        take: 50,
      })
    : [];
  const locationIds = [...new Set(plan.decisions.map((d) => d.backup.locationId))];
  const locations = await db.location.findMany({
    where: { id: { in: locationIds } },
    select: { id: true, name: true, retentionDeletesForeign: true },
    orderBy: { name: "asc" },
  });
  const run = lastRun
    ? parseStoredJsonOrNull(lastRun.detail, runDetailSchema, "retention run (AuditEvent.detail)")
    : null;
  const sinceRun = (e: { detail: string }) => {
    const d = parseStoredJsonOrNull(e.detail, objectDetailSchema, "retention object (AuditEvent.detail)");
    return d && (JSON.parse(e.detail) as { database?: string }).database === database.name ? d : null;
  };
  return {
    database: {
      ...database,
      twoPerson: twoPersonRuleApplies(database.environment, twoPersonEnvironments()),
    },
    fingerprint,
    /** When the preview was made (ms), the approval countdown's clock. */
    readAt: now.getTime(),
    refusals: plan.refusals,
    minVerified: plan.minVerified,
    verifiedCount: plan.verifiedCount,
    toDeleteCount: plan.toDelete.length,
    toDeleteBytes: plan.toDelete.reduce((s, d) => s + d.backup.size, 0),
    rows: plan.decisions.map((d) => ({
      id: d.backup.id,
      key: d.backup.key,
      location: d.backup.locationName,
      takenAt: d.backup.takenAt.toISOString(),
      ageDays: d.ageDays,
      size: d.backup.size,
      cls: d.cls,
      classLabel: RETENTION_LABELS[d.cls],
      action: d.action,
      rule: d.rule,
      ruleLabel: d.rule ? KEEP_RULE_WORDS[d.rule] : null,
      reason: d.reason,
      verificationState: d.backup.verificationState,
      madeByLifeboat: d.backup.madeByLifeboat,
    })),
    locations: locations.map((l) => ({
      ...l,
      foreignKept: plan.kept.filter((d) => d.rule === "foreign" && d.backup.locationId === l.id).length,
    })),
    lastRun:
      lastRun && run
        ? {
            at: lastRun.at.toISOString(),
            by: lastRun.actorEmail,
            ...run,
            objects: objectEvents
              .map((e) => ({ action: e.action, detail: sinceRun(e) }))
              .filter((e): e is { action: string; detail: z.output<typeof objectDetailSchema> } => e.detail !== null),
          }
        : null,
  };
}
export type RetentionPreview = Awaited<ReturnType<typeof retentionPreview>>;
