import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { BACKUP_RUN_SCENARIO } from "@/lib/backups/backup-run-kind";
import { readCheckedManifest, trustedManifest } from "@/lib/backups/manifest-trust";
import {
  planFingerprint,
  planRetention,
  type RetentionBackup,
  type RetentionPlan,
  type RetentionTrigger,
} from "@/lib/retention/plan";

// Reads one database's backups and settings from Lifeboat's database and makes the plan; no
// authorization here (the page and the command check the role first, the scheduler is trusted).

export type RetentionTarget = {
  id: string;
  name: string;
  environment: string;
  rpoHours: number;
  policy: { dailyDays: number; weeklyDays: number; monthlyDays: number };
  minVerified: number;
};

export type LoadedPlan = { database: RetentionTarget; plan: RetentionPlan; fingerprint: string };

function isMadeByLifeboat(manifest: string | null): boolean {
  try {
    return trustedManifest(readCheckedManifest(manifest)) !== null;
  } catch {
    return false;
  }
}

export async function loadRetentionPlan(
  databaseId: string,
  trigger: RetentionTrigger,
  now: Date = new Date(),
): Promise<LoadedPlan> {
  const d = await db.database.findUnique({ where: { id: databaseId } });
  if (!d) throw new NotFoundError("The database");
  const rows = await db.backup.findMany({
    where: { databaseId, vanishedAt: null },
    select: {
      id: true,
      key: true,
      takenAt: true,
      size: true,
      critical: true,
      label: true,
      kind: true,
      verificationState: true,
      manifest: true,
      location: { select: { id: true, name: true, retentionDeletesForeign: true } },
    },
  });
  const backups: RetentionBackup[] = rows.map((r) => ({
    id: r.id,
    key: r.key,
    locationId: r.location.id,
    locationName: r.location.name,
    takenAt: r.takenAt,
    size: Number(r.size),
    critical: r.critical || r.label === "critical",
    preMigration: r.label === "pre-migration" || r.kind === "pre_migration",
    verificationState: r.verificationState,
    madeByLifeboat: isMadeByLifeboat(r.manifest),
    foreignDeletionAllowed: r.location.retentionDeletesForeign,
  }));
  const failedRun = await db.run.findFirst({
    where: { databaseId, scenarioId: BACKUP_RUN_SCENARIO, status: "failed" },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true, finishedAt: true },
  });
  const database: RetentionTarget = {
    id: d.id,
    name: d.name,
    environment: d.environment,
    rpoHours: d.rpoHours,
    policy: { dailyDays: d.gfsDailyDays, weeklyDays: d.gfsWeeklyDays, monthlyDays: d.gfsMonthlyDays },
    minVerified: d.retentionMinVerified,
  };
  const plan = planRetention(
    backups,
    { policy: database.policy, minVerified: d.retentionMinVerified, rpoHours: d.rpoHours },
    { now, trigger, lastFailedRunAt: failedRun ? (failedRun.finishedAt ?? failedRun.createdAt) : null },
  );
  const fingerprint = createHash("sha256").update(planFingerprint(plan)).digest("hex");
  return { database, plan, fingerprint };
}
