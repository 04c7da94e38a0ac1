import type { RecoveryTarget } from "@/lib/pitr/recovery-target";
import type { BackupStorage } from "@/lib/storage/provider";
import type { BackupSource } from "./steps";

// What a point-in-time restore plan is built from instead of a dump: the database's WAL
// archive, the moment to recover to, and the base backup pgBackRest will start from (chosen
// when the plan is made and passed to it with --set, so the plan's choice is what runs).
// Pure: the plan, its runbook and the wizard share these words.

export type PitrSource = {
  /** Lifeboat's id of the database whose WAL archive is used. */
  databaseId: string;
  stanza: string;
  target: RecoveryTarget;
  baseBackup: { label: string; type: string; stoppedAt: string | null };
  /** The recoverable window as it was when the plan was made (for the plan's words only). */
  window: { from: string | null; newestRecoverable: string | null };
  /** 0: the recovery instance is stopped and removed at the end; else kept this many hours. */
  keepHours: number;
};

/** "2026-12-01 22:59:59 UTC". */
export function utcText(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The moment in words, as the plan, its runbook and the run page show it. */
export function targetText(target: RecoveryTarget, baseBackupLabel?: string): string {
  switch (target.kind) {
    case "time":
      return utcText(target.at);
    case "lsn":
      return `LSN ${target.lsn}`;
    case "xid":
      return `transaction ${target.xid}`;
    case "name":
      return `restore point "${target.name}"`;
    case "immediate":
      return `the end of base backup ${baseBackupLabel ?? "<label>"}`;
  }
}

/**
 * What the steps that follow a point-in-time restore see as "the backup": the dump of the
 * recovered database the run makes itself (custom format, no manifest: its row counts are read
 * from the recovery instance). It has no storage to read.
 */
export function pitrBackupSource(pitr: PitrSource): BackupSource {
  const where = `pgBackRest stanza ${pitr.stanza}`;
  const storage = new Proxy({} as BackupStorage, {
    get: (_t, prop) => {
      if (prop === "kind") return "local";
      if (prop === "description") return where;
      if (prop === "then") return undefined;
      return () => {
        throw new Error("a point-in-time restore reads no backup object");
      };
    },
  });
  return {
    storage,
    // The key names the moment and the base backup: the plan's binding (and its hash) covers both.
    key: `the recovered database at ${targetText(pitr.target, pitr.baseBackup.label)} from base backup ${pitr.baseBackup.label}`,
    size: 0,
    format: "custom",
    manifest: null,
    locationName: where,
    verification: null,
  };
}

/** The plan summary's words about the point-in-time restore (shown with the plan and on the run page). */
export function pitrSummary(pitr: PitrSource) {
  return {
    stanza: pitr.stanza,
    target: pitr.target,
    moment: targetText(pitr.target, pitr.baseBackup.label),
    baseBackup: pitr.baseBackup,
    window: pitr.window,
    keepHours: pitr.keepHours,
  };
}

/** A runbook's point-in-time restore: placeholders where a run has its moment and base backup. */
export const RUNBOOK_PITR: PitrSource = {
  databaseId: "<database>",
  stanza: "<stanza>",
  target: { kind: "time", at: "<moment>" },
  baseBackup: { label: "<base backup>", type: "full", stoppedAt: null },
  window: { from: null, newestRecoverable: null },
  keepHours: 0,
};
