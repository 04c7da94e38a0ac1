import { describe, expect, test } from "vitest";
import { DEFAULT_POLICY } from "@/lib/backups/retention";
import {
  activeLock,
  effectiveMinVerified,
  planFingerprint,
  planRetention,
  type RetentionBackup,
  type RetentionSettings,
} from "./plan";

const now = new Date("2026-11-25T12:00:00Z"); // a Wednesday
const DAY = 86_400_000;
const settings: RetentionSettings = { policy: DEFAULT_POLICY, minVerified: 3, rpoHours: 24 };

/** One backup a day at 02:00 UTC for `days` days, newest first, all verified and made by Lifeboat. */
function history(days: number, patch: (b: RetentionBackup, i: number) => Partial<RetentionBackup> = () => ({})) {
  const out: RetentionBackup[] = [];
  for (let i = 0; i < days; i++) {
    const takenAt = new Date(Date.UTC(2026, 10, 25, 2) - i * DAY);
    const b: RetentionBackup = {
      id: `b${i}`,
      key: `amani_backup_${takenAt.toISOString().slice(0, 10).replaceAll("-", "")}_020000.sql.gz`,
      locationId: "loc",
      locationName: "s3-main",
      takenAt,
      size: 1000,
      critical: false,
      preMigration: false,
      verificationState: "verified",
      madeByLifeboat: true,
      foreignDeletionAllowed: false,
    };
    out.push({ ...b, ...patch(b, i) });
  }
  return out;
}

const day = (b: RetentionBackup) => b.takenAt.toISOString().slice(0, 10);

// The guide's rule written again from the calendar, independently of retentionClass: the last 30
// days; Sundays of the last 3 months (91 days); 1sts of the last year; critical ones whenever.
function expectedKept(backups: RetentionBackup[]): Set<string> {
  const ageDays = (b: RetentionBackup) => (now.getTime() - b.takenAt.getTime()) / DAY;
  return new Set(
    backups
      .filter(
        (b) =>
          b.critical ||
          ageDays(b) <= 30 ||
          (b.takenAt.getUTCDay() === 0 && ageDays(b) <= 91) ||
          (b.takenAt.getUTCDate() === 1 && ageDays(b) <= 365),
      )
      .map(day),
  );
}

describe("a generated 400-day history", () => {
  const critical = new Set([45, 200, 390]);
  const backups = history(400, (_, i) => ({ critical: critical.has(i) }));
  const plan = planRetention(backups, settings, { now, trigger: "schedule" });
  const kept = new Set(plan.kept.map((d) => day(d.backup)));

  test("keeps exactly the daily 30, the Sundays of 3 months, the 1sts of a year and the critical set", () => {
    expect(plan.refusals).toEqual([]);
    expect(kept).toEqual(expectedKept(backups));
    expect(plan.kept).toHaveLength(52);
    expect(plan.toDelete).toHaveLength(348);
  });

  // A backup is shown under the longest-lived rule that keeps it: the 30 days hold 3 Sundays
  // (weekly) and 2026-11-01 (monthly), so 26 are kept as dailies.
  test.each<[string, number]>([
    ["daily", 26],
    // Sundays up to 91 days old: 2026-11-22 back to 2026-08-30 is 12, less 2026-11-01 (a 1st,
    // monthly) plus 2026-10-11, which is critical.
    ["weekly", 11],
    // 1sts from 2025-12-01 to 2026-11-01.
    ["monthly", 12],
    ["critical", 3],
  ])("the %s rule keeps %d", (rule, count) => {
    expect(plan.kept.filter((d) => d.rule === rule)).toHaveLength(count);
  });

  test("every kept backup says which rule keeps it and until when; every deleted one its class and age", () => {
    const first = plan.kept.find((d) => day(d.backup) === "2026-05-01")!;
    expect(first.reason).toBe("monthly (the 1st): kept 365 days, until 2027-05-01 02:00 UTC");
    const gone = plan.toDelete.find((d) => day(d.backup) === "2026-05-02")!;
    expect(gone).toMatchObject({ cls: "past_retention", ageDays: 207, action: "delete" });
    // Deletion goes oldest first, so an interruption leaves the newer ones.
    expect(plan.toDelete[0]!.backup.id).toBe("b399");
  });
});

describe("safety rules no setting switches off", () => {
  test("the newest 5 backups failed: nothing is deleted and the refusal says why", () => {
    const backups = history(400, (_, i) => (i < 5 ? { verificationState: "failed" } : {}));
    const plan = planRetention(backups, settings, { now, trigger: "schedule" });
    expect(plan.toDelete).toEqual([]);
    expect(plan.refusals.join(" ")).toMatch(
      /newest backup \(amani_backup_20261125_020000\.sql\.gz.*failed its verification/,
    );
    expect(plan.decisions.filter((d) => d.rule === "refused").length).toBeGreaterThan(300);
  });

  test("a failed backup run after the newest backup refuses deletion", () => {
    const plan = planRetention(history(100), settings, {
      now,
      trigger: "schedule",
      lastFailedRunAt: new Date("2026-11-25T03:00:00Z"),
    });
    expect(plan.toDelete).toEqual([]);
    expect(plan.refusals.join(" ")).toMatch(/latest backup run failed \(2026-11-25 03:00 UTC\)/);
  });

  test("a failed run before the newest backup does not", () => {
    const plan = planRetention(history(100), settings, {
      now,
      trigger: "schedule",
      lastFailedRunAt: new Date("2026-11-24T03:00:00Z"),
    });
    expect(plan.refusals).toEqual([]);
    expect(plan.toDelete.length).toBeGreaterThan(0);
  });

  test("backups stopped (nothing within the RPO): nothing is deleted", () => {
    const backups = history(400).filter((_, i) => i >= 3); // the last three days missing
    const plan = planRetention(backups, settings, { now, trigger: "manual" });
    expect(plan.toDelete).toEqual([]);
    expect(plan.refusals.join(" ")).toMatch(/No backup within the RPO: the newest is 3\.4 days old \(RPO 24 h\)/);
  });

  test("no backup at all is refused, not an empty success", () => {
    expect(planRetention([], settings, { now, trigger: "schedule" }).refusals[0]).toMatch(/no backup/);
  });

  test("the newest N verified are kept even when all are past retention", () => {
    // Recent ones never verified, old ones verified: the 3 newest verified must survive.
    const backups = history(400, (_, i) => ({ verificationState: i < 200 ? "not_verified" : "verified" }));
    const plan = planRetention(backups, settings, { now, trigger: "manual" });
    const redundancy = plan.kept.filter((d) => d.rule === "min_redundancy").map((d) => d.backup.id);
    // b200 (2026-05-09) and b201 are past retention; b213 (2026-04-26) is a Sunday past 91 days.
    expect(redundancy).toEqual(["b200", "b201", "b202"]);
    expect(plan.toDelete.some((d) => d.backup.id === "b203")).toBe(true);
  });

  test.each<[number, number]>([
    [0, 1],
    [-5, 1],
    [2.7, 2],
    [Number.NaN, 3],
  ])("a stored minimum redundancy of %d acts as %d", (stored, effective) => {
    expect(effectiveMinVerified(stored)).toBe(effective);
  });

  test("fewer verified backups than the minimum redundancy: nothing is deleted", () => {
    const backups = history(400, (_, i) => ({ verificationState: i === 0 || i === 350 ? "verified" : "not_verified" }));
    const plan = planRetention(backups, settings, { now, trigger: "manual" });
    expect(plan.toDelete).toEqual([]);
    expect(plan.refusals.join(" ")).toMatch(/Only 2 verified backups: at least 3/);
  });

  test("a minimum redundancy of 0 still keeps the newest verified one", () => {
    const backups = history(400, (_, i) => ({ verificationState: i === 399 ? "verified" : "not_verified" }));
    const plan = planRetention(backups, { ...settings, minVerified: 0 }, { now, trigger: "manual" });
    expect(plan.kept.find((d) => d.backup.id === "b399")?.rule).toBe("min_redundancy");
  });

  test("critical backups are never deleted, by hand or by schedule", () => {
    const backups = history(400, (_, i) => ({ critical: i > 100 }));
    for (const trigger of ["manual", "schedule"] as const) {
      const plan = planRetention(backups, settings, { now, trigger });
      expect(plan.toDelete.filter((d) => d.backup.critical)).toEqual([]);
    }
  });

  test("pre-migration backups past retention: kept by the schedule, deleted only on an operator's confirmation", () => {
    const backups = history(400, (_, i) => ({ preMigration: i === 300 }));
    const auto = planRetention(backups, settings, { now, trigger: "schedule" });
    expect(auto.kept.find((d) => d.backup.id === "b300")?.rule).toBe("pre_migration");
    const manual = planRetention(backups, settings, { now, trigger: "manual" });
    expect(manual.toDelete.find((d) => d.backup.id === "b300")?.reason).toMatch(/operator confirms/);
  });

  test("an object Lifeboat did not make is never deleted without the location's opt-in", () => {
    const foreign = history(400, (_, i) => ({ madeByLifeboat: i % 2 === 0 }));
    for (const trigger of ["manual", "schedule"] as const) {
      const plan = planRetention(foreign, settings, { now, trigger });
      expect(plan.toDelete.filter((d) => !d.backup.madeByLifeboat)).toEqual([]);
      expect(plan.kept.filter((d) => d.rule === "foreign").length).toBeGreaterThan(150);
    }
    const optedIn = history(400, (_, i) => ({ madeByLifeboat: i % 2 === 0, foreignDeletionAllowed: true }));
    const plan = planRetention(optedIn, settings, { now, trigger: "schedule" });
    expect(plan.toDelete.filter((d) => !d.backup.madeByLifeboat).length).toBeGreaterThan(150);
  });

  test("the fingerprint changes when the set to delete changes", () => {
    const a = planRetention(history(400), settings, { now, trigger: "manual" });
    const b = planRetention(history(401), settings, { now, trigger: "manual" });
    expect(planFingerprint(a)).not.toBe(planFingerprint(b));
  });
});

describe("object lock", () => {
  const until = new Date("2026-12-31T00:00:00Z");
  test.each<[string, Parameters<typeof activeLock>[0], boolean]>([
    ["none", null, false],
    ["retained until a later date", { retainUntil: until, legalHold: false }, true],
    ["a retention date already past", { retainUntil: new Date("2026-11-01T00:00:00Z"), legalHold: false }, false],
    ["a legal hold without a date", { retainUntil: null, legalHold: true }, true],
    ["a legal hold past its date", { retainUntil: new Date("2026-11-01T00:00:00Z"), legalHold: true }, true],
  ])("%s → kept: %s", (_name, lock, kept) => {
    expect(activeLock(lock, now) !== null).toBe(kept);
  });
});
