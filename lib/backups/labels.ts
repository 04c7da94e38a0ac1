import { z } from "zod";
import type { StateDisplay } from "@/lib/runner/states";
import { storedState } from "@/lib/stored-json";

// Backup.label: why Lifeboat took a backup, set when Lifeboat makes it. Objects Lifeboat did not make
// (or made before labels existed) have none (null). Retention reads it: critical and pre-migration
// backups are never deleted automatically.

export const BACKUP_LABELS = ["daily", "pre-migration", "critical", "manual"] as const;
export type BackupLabel = (typeof BACKUP_LABELS)[number];
export const backupLabelSchema = z.enum(BACKUP_LABELS);

/** Labels an operator may choose for a backup taken by hand (daily belongs to schedules). */
export const MANUAL_BACKUP_LABELS = ["manual", "pre-migration", "critical"] as const satisfies readonly BackupLabel[];
export const manualBackupLabelSchema = z.enum(MANUAL_BACKUP_LABELS);

/** Labels retention must never delete automatically, whatever the policy says. */
export const PROTECTED_BACKUP_LABELS = ["pre-migration", "critical"] as const satisfies readonly BackupLabel[];

export const BACKUP_LABEL_DISPLAY: Record<BackupLabel, StateDisplay> = {
  daily: { label: "daily", tone: "neutral", symbol: "◷", meaning: "Taken by a schedule." },
  "pre-migration": {
    label: "pre-migration",
    tone: "info",
    symbol: "⇡",
    meaning: "Taken before a schema migration; never deleted automatically.",
  },
  critical: { label: "critical", tone: "warn", symbol: "★", meaning: "Kept forever; never deleted automatically." },
  manual: { label: "manual", tone: "neutral", symbol: "●", meaning: "Taken by hand (Back up now)." },
};

/** Reads Backup.label; null stays null (a foreign or unlabelled object). */
export function storedBackupLabel(value: string | null): BackupLabel | null {
  return value === null ? null : storedState(BACKUP_LABELS, value, "Backup.label");
}

export function isProtectedLabel(label: BackupLabel | null): boolean {
  return label !== null && (PROTECTED_BACKUP_LABELS as readonly string[]).includes(label);
}
