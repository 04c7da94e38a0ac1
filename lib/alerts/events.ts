import { z } from "zod";

// The things Lifeboat alerts about, defined once: the channel form's checkboxes, the incident
// keys and the messages all come from here. Plain TypeScript (server and client import it).

export const ALERT_EVENTS = [
  "backup_failed",
  "verification_failed",
  "rpo_breached",
  "retention_refused",
  "restore_failed",
  "restore_waiting",
  "wal_archive_failing",
  "wal_rpo_breached",
  "monthly_test_overdue",
  "drill_overdue",
] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];
export const alertEventSchema = z.enum(ALERT_EVENTS);

export const ALERT_EVENT_DISPLAY: Record<AlertEvent, { label: string; meaning: string }> = {
  backup_failed: {
    label: "Backup failed",
    meaning: "A backup Lifeboat took did not complete; resolved by the next good backup.",
  },
  verification_failed: {
    label: "Verification failed",
    meaning: "A backup did not pass its integrity check; resolved when it passes again.",
  },
  rpo_breached: {
    label: "No good backup within the RPO",
    meaning: "Checked every few minutes whatever else runs; resolved when a good backup appears.",
  },
  retention_refused: {
    label: "Retention refused for safety",
    meaning: "Old backups were not deleted because a safety rule held; resolved when it runs again.",
  },
  restore_failed: {
    label: "Restore run failed",
    meaning: "A restore run stopped on a failed step; resolved when it is resumed to success or cancelled.",
  },
  restore_waiting: {
    label: "Restore run waiting for a person",
    meaning: "A restore run waits for an operator's confirmation or manual step; resolved when it goes on.",
  },
  wal_archive_failing: {
    label: "WAL archiving failing",
    meaning: "PostgreSQL's archive_command fails (pg_stat_archiver); resolved when a segment is archived again.",
  },
  wal_rpo_breached: {
    label: "WAL archive behind its RPO",
    meaning: "The newest archived WAL is older than the database's WAL RPO; resolved when archiving catches up.",
  },
  monthly_test_overdue: {
    label: "Monthly test overdue",
    meaning:
      "A database with a test plan has a past month without a monthly test; resolved when every such month has one.",
  },
  drill_overdue: {
    label: "Annual DR drill overdue",
    meaning: "A scenario's last closed drill is more than 12 months old; resolved when a drill of it is closed.",
  },
};

/** What identifies one incident: the event, the database and, where one database can have several, the subject. */
export type IncidentRef = { event: AlertEvent; databaseId?: string | null; subject?: string | null };

/** The incident key: at most one open incident (and one alert) per key. */
export function incidentKey(ref: IncidentRef): string {
  return JSON.stringify([ref.event, ref.databaseId ?? null, ref.subject ?? null]);
}
