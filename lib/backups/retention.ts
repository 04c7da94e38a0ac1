// Grandfather-father-son retention (the seed runbook): daily 30 d; weekly = Sunday's
// backups, ~3 months; monthly = 1st-of-month backups, 1 year; critical = forever.
// A backup's class is the longest-lived rule that still keeps it. Dates are UTC.
// Pure; `retentionWhere` expresses the same rule for the catalog's SQL filter, and
// retention.test.ts checks the two agree.

export const RETENTION_CLASSES = ["critical", "monthly", "weekly", "daily", "past_retention"] as const;
export type RetentionClass = (typeof RETENTION_CLASSES)[number];

export const RETENTION_LABELS: Record<RetentionClass, string> = {
  critical: "critical (kept forever)",
  monthly: "monthly",
  weekly: "weekly",
  daily: "daily",
  past_retention: "past retention",
};

export type GfsPolicy = { dailyDays: number; weeklyDays: number; monthlyDays: number };
export const DEFAULT_POLICY: GfsPolicy = { dailyDays: 30, weeklyDays: 91, monthlyDays: 365 };

export type RetentionFacts = { takenAt: Date; weekday: number; dayOfMonth: number; critical: boolean };

const DAY = 24 * 3600 * 1000;

export function retentionFacts(takenAt: Date): { weekday: number; dayOfMonth: number } {
  return { weekday: takenAt.getUTCDay(), dayOfMonth: takenAt.getUTCDate() };
}

export function retentionClass(b: RetentionFacts, policy: GfsPolicy, now: Date): RetentionClass {
  const age = now.getTime() - b.takenAt.getTime();
  if (b.critical) return "critical";
  if (b.dayOfMonth === 1 && age <= policy.monthlyDays * DAY) return "monthly";
  if (b.weekday === 0 && age <= policy.weeklyDays * DAY) return "weekly";
  if (age <= policy.dailyDays * DAY) return "daily";
  return "past_retention";
}

/** When the class's rule stops keeping the backup (null: never). */
export function keptUntil(b: RetentionFacts, policy: GfsPolicy, now: Date): Date | null {
  const cls = retentionClass(b, policy, now);
  const days = {
    critical: null,
    monthly: policy.monthlyDays,
    weekly: policy.weeklyDays,
    daily: policy.dailyDays,
    past_retention: 0,
  }[cls];
  if (days === null) return null;
  return new Date(b.takenAt.getTime() + days * DAY);
}

type Where = Record<string, unknown>;

/** The same rule as retentionClass, as a Prisma `where` for one policy. */
export function retentionWhere(cls: RetentionClass, policy: GfsPolicy, now: Date): Where {
  const since = (days: number) => new Date(now.getTime() - days * DAY);
  const monthly: Where = { critical: false, dayOfMonth: 1, takenAt: { gte: since(policy.monthlyDays) } };
  const weekly: Where = { critical: false, weekday: 0, takenAt: { gte: since(policy.weeklyDays) } };
  const daily: Where = { critical: false, takenAt: { gte: since(policy.dailyDays) } };
  switch (cls) {
    case "critical":
      return { critical: true };
    case "monthly":
      return monthly;
    case "weekly":
      return { AND: [weekly, { NOT: monthly }] };
    case "daily":
      return { AND: [daily, { NOT: monthly }, { NOT: weekly }] };
    case "past_retention":
      return { AND: [{ critical: false }, { NOT: monthly }, { NOT: weekly }, { NOT: daily }] };
  }
}

/** At or below this share of the recent median a backup is flagged: a truncated dump of half the usual size must show. */
export const SHRINK_RATIO = 0.6;
/** At or above this multiple of the recent median a backup is flagged (an unexpected growth). */
export const GROWTH_RATIO = 1.5;

/**
 * Size anomaly: 0 bytes, at most 60% of the median of the database's previous 7 backups (or
 * `last` of them: the checklist compares with 14), or at least 1.5 times that median.
 * `previous` is oldest-first; returns a reason or null.
 */
export function sizeAnomaly(size: number, previous: number[], last = 7): string | null {
  if (size === 0) return "0 bytes";
  const window = previous.slice(-last);
  if (window.length < 3) return null;
  const sorted = [...window].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  if (median === 0) return null;
  const ratio = size / median;
  if (ratio <= SHRINK_RATIO)
    return `${Math.round((1 - ratio) * 100)}% smaller than the median of the previous ${window.length}`;
  if (ratio >= GROWTH_RATIO)
    return `${Math.round((ratio - 1) * 100)}% larger than the median of the previous ${window.length}`;
  return null;
}

export type FreshnessState = "ok" | "warning" | "breached";

/**
 * Age of the newest good backup against the RPO: ok within the RPO, warning up to 25%
 * past it (a late run), breached beyond that or when there is no good backup at all.
 */
export function freshness(
  newestGood: Date | null,
  rpoHours: number,
  now: Date,
): { state: FreshnessState; ageHours: number | null } {
  if (!newestGood) return { state: "breached", ageHours: null };
  const ageHours = (now.getTime() - newestGood.getTime()) / 3_600_000;
  if (ageHours <= rpoHours) return { state: "ok", ageHours };
  if (ageHours <= rpoHours * 1.25) return { state: "warning", ageHours };
  return { state: "breached", ageHours };
}

/** The last `days` UTC days (oldest first), each with how many backups it has. */
export function dayStrip(takenAts: Date[], days: number, now: Date): { day: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const t of takenAts) {
    const d = t.toISOString().slice(0, 10);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const out: { day: string; count: number }[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(today - i * DAY).toISOString().slice(0, 10);
    out.push({ day: d, count: counts.get(d) ?? 0 });
  }
  return out;
}
