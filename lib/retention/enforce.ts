import "server-only";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { raiseAlert, resolveAlert } from "@/lib/alerts/incidents";
import { manifestKey } from "@/lib/backups/manifest";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { StorageError, type BackupStorage } from "@/lib/storage/provider";
import { loadRetentionPlan } from "@/lib/retention/load-plan";
import { activeLock, type RetentionTrigger } from "@/lib/retention/plan";

// Retention's only write path: the operator's confirmed deletion and the automatic run after a
// scheduled backup both come here. The plan is made again from what is stored now, so a
// confirmation bound to an older preview is refused rather than applied to a different set.

export type RetentionActor = { id: string; email: string } | null;

export type ObjectOutcome = {
  backupId: string;
  key: string;
  location: string;
  status: "deleted" | "retained" | "gone" | "failed";
  /** "retained": the lock's end (null with a legal hold only). */
  retainedUntil: string | null;
  legalHold: boolean;
  /** "failed": what the location said, safe to show. */
  error: string | null;
};

export type RetentionRunResult = {
  databaseId: string;
  database: string;
  trigger: RetentionTrigger;
  status: "refused" | "done";
  refusals: string[];
  outcomes: ObjectOutcome[];
  deleted: number;
  retained: number;
  failed: number;
  kept: number;
};

const busy = new Set<string>();

const retentionLink = (databaseId: string) => `/backups/retention/${encodeURIComponent(databaseId)}`;

/**
 * Applies the database's retention policy. `fingerprint` (an operator's confirmation) must match
 * the plan made now; the scheduler passes none. Refused for safety: deletes nothing, raises
 * `retention_refused` with the reasons and records the refusal. Otherwise deletes the planned
 * objects oldest first, each with its own audit event, and reports a locked object as retained.
 */
export async function enforceRetention(
  databaseId: string,
  opts: { trigger: RetentionTrigger; actor?: RetentionActor; fingerprint?: string; now?: Date },
): Promise<RetentionRunResult> {
  if (busy.has(databaseId)) throw new UserError("Retention is already running for this database; wait for it.", 409);
  busy.add(databaseId);
  try {
    return await enforce(databaseId, opts);
  } finally {
    busy.delete(databaseId);
  }
}

async function enforce(
  databaseId: string,
  opts: { trigger: RetentionTrigger; actor?: RetentionActor; fingerprint?: string; now?: Date },
): Promise<RetentionRunResult> {
  const now = opts.now ?? new Date();
  const actor = opts.actor ?? null;
  const { database, plan, fingerprint } = await loadRetentionPlan(databaseId, opts.trigger, now);
  if (opts.fingerprint !== undefined && opts.fingerprint !== fingerprint)
    throw new UserError(
      `The backups retention would delete changed since you read the preview (now ${plan.toDelete.length}${plan.refusals.length ? ", and deletion is refused for safety" : ""}). Nothing was deleted: read the preview again and confirm what it shows.`,
      409,
    );
  const base = {
    databaseId,
    database: database.name,
    trigger: opts.trigger,
    refusals: plan.refusals,
    kept: plan.kept.length,
  };
  if (plan.refusals.length > 0) {
    await raiseAlert({
      event: "retention_refused",
      databaseId,
      message: `Retention of ${database.name} deleted nothing: ${plan.refusals.join(" ")}`,
      link: retentionLink(databaseId),
      now,
    });
    await recordAudit(actor, {
      action: "retention.run",
      targetType: "database",
      targetId: databaseId,
      detail: { database: database.name, trigger: opts.trigger, status: "refused", refusals: plan.refusals },
    });
    return { ...base, status: "refused", outcomes: [], deleted: 0, retained: 0, failed: 0 };
  }
  await resolveAlert({
    event: "retention_refused",
    databaseId,
    resolution: `Retention of ${database.name} ran with every safety rule met.`,
    now,
  });

  const storages = new Map<string, BackupStorage>();
  const storageOf = async (locationId: string) => {
    const cached = storages.get(locationId);
    if (cached) return cached;
    const location = await db.location.findUniqueOrThrow({ where: { id: locationId } });
    const storage = createStorage(fullConfig(location));
    storages.set(locationId, storage);
    return storage;
  };

  const outcomes: ObjectOutcome[] = [];
  for (const d of plan.toDelete) {
    const b = d.backup;
    const outcome: ObjectOutcome = {
      backupId: b.id,
      key: b.key,
      location: b.locationName,
      status: "deleted",
      retainedUntil: null,
      legalHold: false,
      error: null,
    };
    try {
      const storage = await storageOf(b.locationId);
      const stat = await storage.stat(b.key).catch((e: unknown) => {
        if (e instanceof StorageError && e.code === "not_found") return null;
        throw e;
      });
      const lock = stat ? activeLock(stat.lock, now) : null;
      if (!stat) outcome.status = "gone";
      else if (lock) {
        // Deleting it anyway would at best hide it behind a delete marker: it is kept, on purpose.
        outcome.status = "retained";
        outcome.retainedUntil = lock.retainUntil?.toISOString() ?? null;
        outcome.legalHold = lock.legalHold;
      } else {
        await storage.delete(b.key);
        // The sidecar goes too; a leftover one would describe a backup that no longer exists.
        await storage.delete(manifestKey(b.key)).catch(() => undefined);
      }
    } catch (e) {
      outcome.status = "failed";
      outcome.error =
        e instanceof StorageError || e instanceof UserError
          ? e.message
          : "The location refused or failed the deletion; the details are in the server log.";
      if (!(e instanceof StorageError) && !(e instanceof UserError))
        console.error("[lifeboat] retention delete failed:", e);
    }
    if (outcome.status === "deleted" || outcome.status === "gone")
      await db.backup.update({ where: { id: b.id }, data: { vanishedAt: now } });
    await recordAudit(actor, {
      action: outcome.status === "deleted" ? "retention.delete" : `retention.${outcome.status}`,
      targetType: "backup",
      targetId: b.id,
      detail: {
        key: b.key,
        location: b.locationName,
        database: database.name,
        trigger: opts.trigger,
        class: d.cls,
        ageDays: d.ageDays,
        size: b.size,
        ...(outcome.status === "retained"
          ? { retainedUntil: outcome.retainedUntil, legalHold: outcome.legalHold }
          : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      },
    });
    outcomes.push(outcome);
  }
  const count = (s: ObjectOutcome["status"]) => outcomes.filter((o) => o.status === s).length;
  const result: RetentionRunResult = {
    ...base,
    status: "done",
    outcomes,
    deleted: count("deleted") + count("gone"),
    retained: count("retained"),
    failed: count("failed"),
  };
  await recordAudit(actor, {
    action: "retention.run",
    targetType: "database",
    targetId: databaseId,
    detail: {
      database: database.name,
      trigger: opts.trigger,
      status: "done",
      deleted: result.deleted,
      retained: result.retained,
      failed: result.failed,
      kept: result.kept,
    },
  });
  return result;
}

/**
 * For the backup runner: applies retention after a backup succeeded, as an automatic run
 * (pre-migration backups are never deleted by it). Never throws: a failure to prune must not
 * fail the backup; a refusal raises its own alert.
 */
export async function enforceRetentionAfterBackup(databaseId: string): Promise<RetentionRunResult | null> {
  try {
    return await enforceRetention(databaseId, { trigger: "schedule" });
  } catch (e) {
    console.error("[lifeboat] retention after the backup could not run:", e);
    return null;
  }
}
