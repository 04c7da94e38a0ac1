import { z } from "zod";
import type { StateDisplay } from "@/lib/runner/states";

// The lifecycles of a backup's verification, defined once for server and client.

/** Backup.verificationState: the catalog's verdict from the last verification. */
export const VERIFICATION_STATES = ["not_verified", "verified", "failed"] as const;
export type VerificationState = (typeof VERIFICATION_STATES)[number];
export const verificationStateSchema = z.enum(VERIFICATION_STATES);

export const VERIFICATION_STATE_DISPLAY: Record<VerificationState, StateDisplay> = {
  not_verified: {
    label: "not verified",
    tone: "neutral",
    symbol: "○",
    meaning: "Nobody has verified this backup yet.",
  },
  verified: { label: "verified", tone: "good", symbol: "✓", meaning: "The last verification passed." },
  failed: { label: "failed", tone: "bad", symbol: "✗", meaning: "The last verification found a problem." },
};

/** Verification.status: one verification job. */
export const VERIFICATION_JOB_STATUSES = ["queued", "running", "passed", "failed", "interrupted"] as const;
export type VerificationJobStatus = (typeof VERIFICATION_JOB_STATUSES)[number];
export const verificationJobStatusSchema = z.enum(VERIFICATION_JOB_STATUSES);
export const ACTIVE_VERIFICATION_JOB_STATUSES = [
  "queued",
  "running",
] as const satisfies readonly VerificationJobStatus[];

export const VERIFICATION_JOB_STATUS_DISPLAY: Record<VerificationJobStatus, StateDisplay> = {
  queued: { label: "queued", tone: "neutral", symbol: "…", meaning: "Waiting to start." },
  running: { label: "running", tone: "info", symbol: "◌", meaning: "Reading the backup now." },
  passed: { label: "passed", tone: "good", symbol: "✓", meaning: "Every check passed." },
  failed: { label: "failed", tone: "bad", symbol: "✗", meaning: "A check failed." },
  interrupted: {
    label: "interrupted",
    tone: "warn",
    symbol: "▲",
    meaning: "The console stopped during it; run it again.",
  },
};

/** Backup.kind: why the backup was taken. */
export const BACKUP_KINDS = ["scheduled", "pre_migration", "other"] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];
export const backupKindSchema = z.enum(BACKUP_KINDS);
export const BACKUP_KIND_LABELS: Record<BackupKind, string> = {
  scheduled: "scheduled",
  pre_migration: "pre-migration",
  other: "other",
};

/** One check of a verification, as stored in Verification.checks (JSON array). */
export const verificationCheckSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
export const verificationChecksSchema = z.array(verificationCheckSchema);
export type VerificationCheck = z.output<typeof verificationCheckSchema>;
