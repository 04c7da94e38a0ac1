import { retentionClass, retentionFacts, type GfsPolicy, type RetentionClass } from "@/lib/backups/retention";
import type { ObjectLock } from "@/lib/storage/provider";

// What retention would delete and why everything else is kept, as a pure function: the preview
// page, the operator's confirmed deletion and the automatic run after a scheduled backup all
// read this one plan. The safety rules here have no switch: the settings only move numbers
// (GFS days, minimum redundancy ≥ 1), never turn a rule off.

/** Minimum redundancy when a database has none set; never below 1 whatever is stored. */
export const DEFAULT_MIN_VERIFIED = 3;

export type RetentionTrigger = "manual" | "schedule";

export type RetentionBackup = {
  id: string;
  key: string;
  locationId: string;
  locationName: string;
  takenAt: Date;
  size: number;
  /** Critical flag or label: kept forever. */
  critical: boolean;
  /** Labelled or named pre-migration: never deleted automatically. */
  preMigration: boolean;
  verificationState: string;
  /** Lifeboat wrote it: a manifest signed with the console's key. */
  madeByLifeboat: boolean;
  /** The location's admin allowed retention to delete objects Lifeboat did not make. */
  foreignDeletionAllowed: boolean;
};

export type RetentionSettings = {
  policy: GfsPolicy;
  /** Minimum redundancy: the newest N verified backups are never deleted. */
  minVerified: number;
  rpoHours: number;
};

/** Why a backup is kept, most decisive first (the first that applies is the one shown). */
export type KeepRule =
  "critical" | "pre_migration" | "monthly" | "weekly" | "daily" | "min_redundancy" | "foreign" | "refused";

export type RetentionDecision = {
  backup: RetentionBackup;
  /** The GFS class by date alone ("past_retention" once no rule keeps it). */
  cls: RetentionClass;
  ageDays: number;
  action: "delete" | "keep";
  rule: KeepRule | null;
  /** In words: why it is kept, or why it goes. */
  reason: string;
};

export type RetentionPlan = {
  trigger: RetentionTrigger;
  /** Newest first. */
  decisions: RetentionDecision[];
  /** What the policy deletes when it is safe, oldest first (the order deletion goes in). */
  toDelete: RetentionDecision[];
  kept: RetentionDecision[];
  /** Empty when deletion is safe; otherwise every reason nothing may be deleted now. */
  refusals: string[];
  minVerified: number;
  verifiedCount: number;
};

const DAY = 86_400_000;
const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

function hoursText(h: number): string {
  if (h < 48) return `${Math.round(h * 10) / 10} h`;
  return `${Math.round((h / 24) * 10) / 10} days`;
}

/** A stored minimum redundancy as the rule uses it: a whole number, at least 1. */
export function effectiveMinVerified(stored: number | null | undefined): number {
  if (stored === null || stored === undefined || !Number.isFinite(stored)) return DEFAULT_MIN_VERIFIED;
  return Math.max(1, Math.floor(stored));
}

/**
 * The reasons nothing may be deleted now (empty: safe). `lastFailedRunAt` is the newest backup
 * run that failed; a failure newer than the newest backup counts as the newest backup failing.
 */
export function retentionRefusals(
  backups: readonly RetentionBackup[],
  settings: RetentionSettings,
  now: Date,
  lastFailedRunAt: Date | null = null,
): string[] {
  const out: string[] = [];
  const min = effectiveMinVerified(settings.minVerified);
  const newest = [...backups].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())[0];
  if (!newest) {
    out.push(
      "There is no backup of this database at all: retention deletes nothing until backups exist. Take a backup now or check the schedule and the key patterns.",
    );
    return out;
  }
  if (newest.verificationState === "failed")
    out.push(
      `The newest backup (${newest.key}, taken ${utc(newest.takenAt)}) failed its verification: old backups may be the only good ones, so nothing is deleted. Fix the backup and verify a new one.`,
    );
  if (lastFailedRunAt && lastFailedRunAt.getTime() > newest.takenAt.getTime())
    out.push(
      `The latest backup run failed (${utc(lastFailedRunAt)}) after the newest backup: nothing is deleted until a backup succeeds again. Open the failed run and fix it.`,
    );
  const ageHours = (now.getTime() - newest.takenAt.getTime()) / 3_600_000;
  if (ageHours > settings.rpoHours)
    out.push(
      `No backup within the RPO: the newest is ${hoursText(ageHours)} old (RPO ${hoursText(settings.rpoHours)}). Nothing is deleted while backups are missing; find out why they stopped.`,
    );
  const verified = backups.filter((b) => b.verificationState === "verified").length;
  if (verified < min)
    out.push(
      `Only ${verified} verified backup${verified === 1 ? "" : "s"}: at least ${min} (the minimum redundancy) must exist before retention deletes anything. Verify the newest backups first.`,
    );
  return out;
}

const RULE_WORDS = {
  critical: "critical: kept forever",
  monthly: (d: number, until: Date) => `monthly (the 1st): kept ${d} days, until ${utc(until)}`,
  weekly: (d: number, until: Date) => `weekly (a Sunday): kept ${d} days, until ${utc(until)}`,
  daily: (d: number, until: Date) => `daily: kept ${d} days, until ${utc(until)}`,
};

export function planRetention(
  backups: readonly RetentionBackup[],
  settings: RetentionSettings,
  opts: { now: Date; trigger: RetentionTrigger; lastFailedRunAt?: Date | null },
): RetentionPlan {
  const { now, trigger } = opts;
  const min = effectiveMinVerified(settings.minVerified);
  const refusals = retentionRefusals(backups, settings, now, opts.lastFailedRunAt ?? null);
  const sorted = [...backups].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || a.key.localeCompare(b.key));
  const newestVerified = new Set(
    sorted
      .filter((b) => b.verificationState === "verified")
      .slice(0, min)
      .map((b) => b.id),
  );
  const p = settings.policy;
  const decisions = sorted.map((b): RetentionDecision => {
    const cls = retentionClass({ takenAt: b.takenAt, critical: b.critical, ...retentionFacts(b.takenAt) }, p, now);
    const ageDays = Math.floor((now.getTime() - b.takenAt.getTime()) / DAY);
    const keep = (rule: KeepRule, reason: string): RetentionDecision => ({
      backup: b,
      cls,
      ageDays,
      action: "keep",
      rule,
      reason,
    });
    const until = (days: number) => new Date(b.takenAt.getTime() + days * DAY);
    if (cls === "critical") return keep("critical", RULE_WORDS.critical);
    if (cls === "monthly") return keep("monthly", RULE_WORDS.monthly(p.monthlyDays, until(p.monthlyDays)));
    if (cls === "weekly") return keep("weekly", RULE_WORDS.weekly(p.weeklyDays, until(p.weeklyDays)));
    if (cls === "daily") return keep("daily", RULE_WORDS.daily(p.dailyDays, until(p.dailyDays)));
    // Past its retention from here on: only the safety rules can still keep it.
    if (newestVerified.has(b.id))
      return keep("min_redundancy", `one of the newest ${min} verified backups (minimum redundancy)`);
    if (b.preMigration && trigger === "schedule")
      return keep("pre_migration", "pre-migration: never deleted automatically, only by an operator's confirmation");
    if (!b.madeByLifeboat && !b.foreignDeletionAllowed)
      return keep(
        "foreign",
        `not made by Lifeboat (no signed manifest), and the location ${b.locationName} does not allow retention to delete such objects`,
      );
    if (refusals.length > 0) return keep("refused", "past retention, but deletion is refused for safety (see above)");
    return {
      backup: b,
      cls,
      ageDays,
      action: "delete",
      rule: null,
      reason: b.preMigration
        ? `pre-migration, past retention (${ageDays} days old); deleted only because an operator confirms it`
        : `past retention (${ageDays} days old)`,
    };
  });
  const toDelete = decisions.filter((d) => d.action === "delete").reverse();
  return {
    trigger,
    decisions,
    toDelete,
    kept: decisions.filter((d) => d.action === "keep"),
    refusals,
    minVerified: min,
    verifiedCount: backups.filter((b) => b.verificationState === "verified").length,
  };
}

/** What the policy would delete were it safe: the preview lists these even while refused. */
export function wouldDelete(plan: RetentionPlan): RetentionDecision[] {
  return plan.decisions.filter((d) => d.action === "delete" || d.rule === "refused");
}

/**
 * Binds an operator's confirmation to the exact set they read: the ids deleted, in order. A
 * backup that arrives or is verified between preview and confirmation changes it.
 */
export function planFingerprint(plan: RetentionPlan): string {
  return plan.toDelete.map((d) => d.backup.id).join(",");
}

/**
 * An object lock that still holds at `now`, or null. A legal hold holds until it is lifted; a
 * retention date holds until it passes. Retention keeps such an object and says until when.
 */
export function activeLock(lock: ObjectLock | null | undefined, now: Date): ObjectLock | null {
  if (!lock) return null;
  if (lock.legalHold) return lock;
  if (lock.retainUntil && lock.retainUntil.getTime() > now.getTime()) return lock;
  return null;
}
