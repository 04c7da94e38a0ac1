import { z } from "zod";
import type { StateDisplay } from "@/lib/runner/states";
import { recoveryTargetSchema } from "./recovery-target";

// The lifecycle of a recovery instance (a PostgreSQL started from a pgBackRest restore on the
// recovery host), defined once for server and client, and the shape of its stored JSON.

export const RECOVERY_INSTANCE_STATUSES = [
  "restoring",
  "recovering",
  "ready",
  "failed",
  "interrupted",
  "stopped",
  "removed",
] as const;
export type RecoveryInstanceStatus = (typeof RECOVERY_INSTANCE_STATUSES)[number];

/** Being brought up by a console process right now (or by one that died: then the sweep says interrupted). */
export const STARTING_RECOVERY_STATUSES = [
  "restoring",
  "recovering",
] as const satisfies readonly RecoveryInstanceStatus[];

export const RECOVERY_STATUS_DISPLAY: Record<RecoveryInstanceStatus, StateDisplay> = {
  restoring: {
    label: "restoring",
    tone: "info",
    symbol: "◌",
    meaning: "pgBackRest is copying the base backup into the instance's folder.",
  },
  recovering: {
    label: "recovering",
    tone: "info",
    symbol: "◌",
    meaning: "PostgreSQL is replaying archived WAL up to the target.",
  },
  ready: {
    label: "ready",
    tone: "good",
    symbol: "✓",
    meaning: "Recovered to the target and promoted: it takes connections on 127.0.0.1.",
  },
  failed: {
    label: "failed",
    tone: "bad",
    symbol: "✗",
    meaning: "The restore or the recovery stopped; the reason is shown. Remove it when you have read it.",
  },
  interrupted: {
    label: "interrupted",
    tone: "warn",
    symbol: "▲",
    meaning: "The console stopped while it was bringing this instance up. Remove it, or resume its run.",
  },
  stopped: {
    label: "stopped",
    tone: "neutral",
    symbol: "■",
    meaning: "Its PostgreSQL is not running; its folder is still there until it is removed.",
  },
  removed: { label: "removed", tone: "neutral", symbol: "–", meaning: "Stopped and its folder deleted." },
};

/** RecoveryInstance.target: the target and the base backup it was restored from (written by recovery.ts). */
export const storedRecoveryTargetSchema = z.object({
  target: recoveryTargetSchema,
  baseBackupLabel: z.string(),
  /** PostgreSQL's bin directory the instance was started with (to stop it with the same pg_ctl). */
  pgBinDir: z.string().nullable().default(null),
});
export type StoredRecoveryTarget = z.infer<typeof storedRecoveryTargetSchema>;
