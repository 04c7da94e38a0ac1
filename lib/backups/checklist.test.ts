import { describe, expect, test } from "vitest";
import { backupChecklist, type ChecklistFacts } from "./checklist";

const sha = "a".repeat(64);
const good: ChecklistFacts = {
  key: "amani_backup_20261125_020000.dump",
  locationName: "s3-main",
  format: "custom",
  size: 1000,
  takenAt: new Date("2026-11-25T02:00:00Z"),
  takenAtSource: "manifest",
  vanishedAt: null,
  previousSizes: Array.from({ length: 20 }, () => 1000),
  backupRun: { id: "run1", status: "succeeded", finishedAt: new Date("2026-11-25T02:01:00Z") },
  manifestSha256: sha,
  passedVerification: { at: new Date("2026-11-25T02:05:00Z"), sha256: sha, bytes: 1000 },
  verificationState: "verified",
  verificationSummary: "All checks passed.",
  database: { id: "db1", name: "amani" },
  retentionAfter: { at: new Date("2026-11-25T02:02:00Z"), status: "done", deleted: 1, refusals: [] },
  auditEvents: 2,
};

const ticks = (f: ChecklistFacts) => Object.fromEntries(backupChecklist(f).map((i) => [i.key, i.ok]));

test("a backup Lifeboat made, read back, verified and followed by retention ticks all seven, each with evidence", () => {
  const items = backupChecklist(good);
  expect(items.every((i) => i.ok && i.evidence.length > 10 && i.todo === null)).toBe(true);
  expect(items.find((i) => i.key === "uploaded")?.evidence).toMatch(/equal to the signed manifest/);
});

describe("each unticked item says why and what to do", () => {
  test.each<[string, Partial<ChecklistFacts>, string, RegExp, number?]>([
    ["empty", { size: 0 }, "size", /0 bytes/],
    [
      "half the usual size",
      { size: 500 },
      "size",
      /50% smaller than the median of the previous backups of this database, 14/,
    ],
    ["plain SQL", { format: "plain" }, "compressed", /not compressed/],
    // Never read back means no verification on record either: integrity is unticked too.
    ["never read back", { passedVerification: null }, "uploaded", /Not read back/, 2],
    [
      "changed after writing",
      { passedVerification: { at: good.takenAt, sha256: "b".repeat(64), bytes: 1000 } },
      "uploaded",
      /manifest says/,
    ],
    [
      "retention refused",
      {
        retentionAfter: { at: good.takenAt, status: "refused", deleted: null, refusals: ["No backup within the RPO."] },
      },
      "cleaned_up",
      /refused for safety: No backup/,
    ],
    ["retention not run", { retentionAfter: null }, "cleaned_up", /has not run since/],
    [
      "verification failed",
      { verificationState: "failed", verificationSummary: "gzip ended early" },
      "integrity",
      /gzip ended early/,
    ],
    ["foreign, nothing logged", { backupRun: null, auditEvents: 0 }, "documented", /outside Lifeboat/],
    ["the run failed", { backupRun: { id: "r", status: "failed", finishedAt: null } }, "created", /failed/],
  ])("%s", (_name, patch, key, evidence, unticked = 1) => {
    const f = { ...good, ...patch };
    // A smaller object read back as such: only the size item may complain.
    if (patch.size !== undefined) f.passedVerification = { ...good.passedVerification!, bytes: patch.size };
    const it = backupChecklist(f).find((i) => i.key === key)!;
    expect(it.ok).toBe(false);
    expect(it.evidence).toMatch(evidence);
    expect(it.todo).toBeTruthy();
    expect(Object.values(ticks(f)).filter((ok) => !ok)).toHaveLength(unticked);
  });
});

test("integrity is ticked only with a passed verification on record", () => {
  const it = backupChecklist({ ...good, passedVerification: null }).find((i) => i.key === "integrity")!;
  expect(it.ok).toBe(false);
  expect(it.evidence).toMatch(/no passed verification is on record/);
});
