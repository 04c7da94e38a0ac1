import { sizeAnomaly } from "@/lib/backups/retention";

// The guide's seven-item backup checklist, ticked only by evidence Lifeboat holds: each item
// says what proves it or, unticked, why not and what to do. Pure: the backup page reads the
// facts (lib/backups/checklist-query.ts) and shows these items.

export const CHECKLIST_KEYS = [
  "created",
  "compressed",
  "size",
  "uploaded",
  "cleaned_up",
  "integrity",
  "documented",
] as const;
export type ChecklistKey = (typeof CHECKLIST_KEYS)[number];

export const CHECKLIST_LABELS: Record<ChecklistKey, string> = {
  created: "Backup created",
  compressed: "Compressed",
  size: "Size not 0 and usual",
  uploaded: "Uploaded (read back from the location)",
  cleaned_up: "Old backups cleaned up",
  integrity: "Integrity tested",
  documented: "Documented in the log",
};

/** How many earlier backups the size is compared with. */
export const SIZE_WINDOW = 14;

export type ChecklistFacts = {
  key: string;
  locationName: string;
  format: string;
  size: number;
  takenAt: Date;
  takenAtSource: string;
  vanishedAt: Date | null;
  /** Sizes of the same database's earlier backups, oldest first (at least the last 14). */
  previousSizes: number[];
  /** The backup run that made it, when Lifeboat did. */
  backupRun: { id: string; status: string; finishedAt: Date | null } | null;
  /** sha256 from the manifest when its signature holds. */
  manifestSha256: string | null;
  /** The newest verification that read the whole object back from the location and passed. */
  passedVerification: { at: Date; sha256: string | null; bytes: number } | null;
  verificationState: string;
  verificationSummary: string | null;
  database: { id: string; name: string } | null;
  /** The newest retention run of its database after this backup was catalogued. */
  retentionAfter: { at: Date; status: string; deleted: number | null; refusals: string[] } | null;
  /** Audit events about this backup (verifications, downloads, creation). */
  auditEvents: number;
};

export type ChecklistItem = {
  key: ChecklistKey;
  label: string;
  ok: boolean;
  /** What proves it (ticked), or what is known (unticked). */
  evidence: string;
  /** Unticked: what to do. */
  todo: string | null;
  /** Where the evidence is. */
  href: string | null;
};

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const short = (sha: string) => `${sha.slice(0, 12)}…`;

export function backupChecklist(f: ChecklistFacts): ChecklistItem[] {
  const item = (
    key: ChecklistKey,
    ok: boolean,
    evidence: string,
    todo: string | null = null,
    href: string | null = null,
  ): ChecklistItem => ({ key, label: CHECKLIST_LABELS[key], ok, evidence, todo: ok ? null : todo, href });
  const gone = f.vanishedAt !== null;
  const runHref = f.backupRun ? `/restores/${encodeURIComponent(f.backupRun.id)}` : null;
  const from =
    f.takenAtSource === "name" ? "its name" : f.takenAtSource === "manifest" ? "its manifest" : "the object's time";

  const created = gone
    ? item(
        "created",
        false,
        `It was taken ${utc(f.takenAt)} but is no longer in ${f.locationName} (since ${utc(f.vanishedAt!)}).`,
        "Take a new backup; this one cannot be restored.",
      )
    : f.backupRun
      ? item(
          "created",
          f.backupRun.status === "succeeded",
          `Made by Lifeboat's backup run (${f.backupRun.status}${f.backupRun.finishedAt ? `, finished ${utc(f.backupRun.finishedAt)}` : ""}).`,
          "Open the run to see why it did not succeed.",
          runHref,
        )
      : item("created", true, `In ${f.locationName}, taken ${utc(f.takenAt)} (from ${from}); made outside Lifeboat.`);

  const compressedFormats: Record<string, string> = {
    custom: "pg_dump custom format (compressed by pg_dump)",
    plain_gzip: "plain SQL, gzip-compressed",
  };
  const compressed = compressedFormats[f.format]
    ? item("compressed", true, compressedFormats[f.format]!)
    : item(
        "compressed",
        false,
        f.format === "unknown"
          ? "The format could not be told from the name or manifest."
          : `${f.format}: not compressed.`,
        "Use the custom format or plain SQL + gzip (the schedule's format).",
      );

  const previous = f.previousSizes.slice(-SIZE_WINDOW);
  const anomaly = sizeAnomaly(f.size, previous, SIZE_WINDOW);
  const size =
    f.size === 0
      ? item(
          "size",
          false,
          "0 bytes: the backup is empty.",
          "Find out why the dump wrote nothing and take a new backup.",
        )
      : anomaly
        ? item(
            "size",
            false,
            `${f.size.toLocaleString("en")} bytes: ${anomaly.replace("previous", "previous backups of this database,")}.`,
            "Compare with the previous backups: a much smaller dump is often truncated; restore-test it before trusting it.",
          )
        : item(
            "size",
            true,
            previous.length >= 3
              ? `${f.size.toLocaleString("en")} bytes, within the usual range of the previous ${previous.length}.`
              : `${f.size.toLocaleString("en")} bytes (too few earlier backups to compare with).`,
          );

  const v = f.passedVerification;
  const uploaded = gone
    ? item("uploaded", false, "The object is no longer in its location.", "Take a new backup.")
    : !v
      ? item(
          "uploaded",
          false,
          "Not read back from the location yet.",
          "Verify it: verification reads the whole object from the location and checks its sha256.",
        )
      : v.bytes !== f.size
        ? item(
            "uploaded",
            false,
            `Read back ${v.bytes.toLocaleString("en")} bytes, but the catalog says ${f.size.toLocaleString("en")}.`,
            "Sync the location and verify again.",
          )
        : f.manifestSha256 && v.sha256 && v.sha256 !== f.manifestSha256
          ? item(
              "uploaded",
              false,
              `Read back sha256 ${short(v.sha256)}, but the manifest says ${short(f.manifestSha256)}.`,
              "The object changed after it was written: do not restore it; take a new backup.",
            )
          : item(
              "uploaded",
              true,
              `Read back from ${f.locationName} ${utc(v.at)}: ${v.bytes.toLocaleString("en")} bytes${v.sha256 ? `, sha256 ${short(v.sha256)}` : ""}${f.manifestSha256 && v.sha256 ? ", equal to the signed manifest" : f.manifestSha256 ? "" : " (no signed manifest to compare with)"}.`,
            );

  const r = f.retentionAfter;
  const retentionHref = f.database ? `/backups/retention/${encodeURIComponent(f.database.id)}` : null;
  const cleanedUp = !f.database
    ? item(
        "cleaned_up",
        false,
        "Not assigned to a database, so no retention policy applies.",
        "Add a key pattern that matches it under Settings → Databases.",
      )
    : !r
      ? item(
          "cleaned_up",
          false,
          `Retention of ${f.database.name} has not run since this backup.`,
          "Open Retention to preview and confirm it; it also runs after each scheduled backup.",
          retentionHref,
        )
      : r.status === "refused"
        ? item(
            "cleaned_up",
            false,
            `Retention ran ${utc(r.at)} and was refused for safety: ${r.refusals.join(" ")}`,
            "Fix what the refusal names; retention runs again after the next scheduled backup.",
            retentionHref,
          )
        : item(
            "cleaned_up",
            true,
            `Retention of ${f.database.name} ran ${utc(r.at)}${r.deleted !== null ? ` and deleted ${r.deleted} old backup${r.deleted === 1 ? "" : "s"}` : ""}.`,
            null,
            retentionHref,
          );

  const integrity =
    f.verificationState === "verified" && v
      ? item("integrity", true, `Verification passed ${utc(v.at)}: ${f.verificationSummary ?? "every check held."}`)
      : f.verificationState === "verified"
        ? item(
            "integrity",
            false,
            "Marked verified, but no passed verification is on record to prove it.",
            "Verify it again so the result is recorded.",
          )
        : f.verificationState === "failed"
          ? item(
              "integrity",
              false,
              `Verification failed: ${f.verificationSummary ?? "see the history below"}`,
              "Do not restore from it; take a new backup and find out what broke this one.",
            )
          : item("integrity", false, "Never verified.", "Verify it now (the Verify card).");

  const documented = f.backupRun
    ? item(
        "documented",
        true,
        `The backup run's log records every step${f.auditEvents ? `; ${f.auditEvents} audit event${f.auditEvents === 1 ? "" : "s"}` : ""}.`,
        null,
        runHref,
      )
    : f.auditEvents > 0
      ? item(
          "documented",
          true,
          `${f.auditEvents} audit event${f.auditEvents === 1 ? "" : "s"} about it (made outside Lifeboat: no run log).`,
          null,
          "/audit",
        )
      : item(
          "documented",
          false,
          "Made outside Lifeboat and nothing about it is in the audit log yet.",
          "Verify it: the verification is recorded in the audit log.",
        );

  return [created, compressed, size, uploaded, cleanedUp, integrity, documented];
}
