import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { lsnValue, type BaseBackup } from "@/lib/pitr/info";
import { parseTargetTime, type RecoveryTarget } from "@/lib/pitr/recovery-target";
import { baseBackupFor, earliestTarget, readRecoverableWindow, type RecoverableWindow } from "@/lib/pitr/window";
import { utcText, type PitrSource } from "./pitr-source";

// Whether a moment can be recovered, and from which base backup: the plan's check, and the
// preflight's again when the run starts. A moment after the newest recoverable one is refused
// here, naming that moment, never discovered when PostgreSQL stops with "recovery ended before
// configured recovery target was reached".

/** The refusal's code (the wizard offers Switch WAL now on "after_window"). */
export type PitrRefusalCode = "after_window" | "before_window" | "no_base_backup" | "base_backup_gone";

export class PitrRefusal extends UserError {
  constructor(
    public readonly code: PitrRefusalCode,
    message: string,
  ) {
    super(message, 409);
    this.name = "PitrRefusal";
  }
}

/** "2026-12-01 22:59:58 UTC (23:59:58 in Europe/Berlin)": the zone is the operator's browser's. */
export function momentText(at: Date, timeZone?: string): string {
  const utc = utcText(at);
  if (!timeZone || timeZone === "UTC" || timeZone === "Etc/UTC") return utc;
  try {
    const local = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hour12: false,
    }).format(at);
    return `${utc} (${local} in ${timeZone})`;
  } catch {
    return utc;
  }
}

/** The end of the newest archived WAL that follows on without a gap, as an LSN number. */
function archivedEnd(window: Pick<RecoverableWindow, "walMax" | "gaps">): bigint | null {
  const last = window.gaps[0]?.afterSegment ?? window.walMax;
  if (!last || !/^[0-9A-F]{24}$/.test(last)) return null;
  const log = BigInt(`0x${last.slice(8, 16)}`);
  const seg = BigInt(`0x${last.slice(16, 24)}`);
  return (log << 32n) + (seg + 1n) * 0x1000000n;
}

function lsnText(v: bigint): string {
  return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
}

export type PitrChoice = {
  baseBackup: BaseBackup;
  /** Said with the plan: how the base backup was chosen, or what cannot be known in advance. */
  note: string;
};

type WindowFacts = Pick<
  RecoverableWindow,
  "baseBackups" | "from" | "newestRecoverable" | "newestRecoverableLsn" | "walMax" | "gaps"
>;

/**
 * Checks a target against the window and picks the base backup pgBackRest starts from (the
 * newest that ended before the target; for "immediate", the one named). Throws PitrRefusal.
 */
export function choosePitrBaseBackup(
  window: WindowFacts,
  target: RecoveryTarget,
  opts: {
    /** For "immediate": the base backup whose end is the target (default: the newest). */
    label?: string;
    /** A restore point Lifeboat created: its LSN places it in the window. */
    restorePointLsn?: string | null;
    timeZone?: string;
  } = {},
): PitrChoice {
  const backups = window.baseBackups;
  const oldest = backups[0];
  const newest = backups.at(-1);
  if (!oldest || !newest) {
    throw new PitrRefusal(
      "no_base_backup",
      "The WAL archive has no base backup yet, so no moment can be recovered: take one (pgbackrest backup) and plan again.",
    );
  }
  const switchHint =
    "Press Switch WAL now to archive the current WAL segment (its commits become recoverable), then plan again; or choose an earlier moment.";
  switch (target.kind) {
    case "time": {
      const t = parseTargetTime(target.at);
      if (!t) throw new UserError("The time is not a date and time with its zone.");
      const at = new Date(t.ms);
      if (window.newestRecoverable === null) {
        throw new PitrRefusal(
          "after_window",
          `Nothing after the oldest base backup's end is archived yet, so ${momentText(at, opts.timeZone)} cannot be recovered. ${switchHint}`,
        );
      }
      if (t.ms > window.newestRecoverable.getTime()) {
        throw new PitrRefusal(
          "after_window",
          `${momentText(at, opts.timeZone)} is after the newest recoverable moment, ${momentText(window.newestRecoverable, opts.timeZone)}: the WAL after it is not archived yet. ${switchHint}`,
        );
      }
      const from = window.from ?? earliestTarget(oldest);
      if (t.ms < from.getTime()) {
        throw new PitrRefusal(
          "before_window",
          `${momentText(at, opts.timeZone)} is before the end of the oldest base backup (${oldest.label}), ${momentText(from, opts.timeZone)}: the archive cannot go back that far. Choose a later moment, or restore a dump from before it.`,
        );
      }
      const b = baseBackupFor(window, at);
      if (!b) throw new PitrRefusal("before_window", `No base backup ended before ${momentText(at, opts.timeZone)}.`);
      return { baseBackup: b, note: `the newest base backup that ended before ${utcText(at)}` };
    }
    case "lsn":
    case "name": {
      const lsn = target.kind === "lsn" ? target.lsn.toUpperCase() : (opts.restorePointLsn ?? null);
      if (lsn === null) {
        // A name Lifeboat did not create: its place in the WAL is unknown, so start from the
        // oldest base backup (recovery stops at the first restore point of that name after it).
        return {
          baseBackup: oldest,
          note: `Lifeboat did not create restore point "${target.kind === "name" ? target.name : ""}", so its place in the WAL is unknown: recovery starts from the oldest base backup and stops at the first restore point of that name after it (it fails, changing nothing in production, when there is none)`,
        };
      }
      const v = lsnValue(lsn);
      const end = archivedEnd(window);
      if (end === null || v >= end) {
        throw new PitrRefusal(
          "after_window",
          `${target.kind === "lsn" ? `LSN ${lsn}` : `Restore point "${target.kind === "name" ? target.name : ""}" (at ${lsn})`} is after the newest archived WAL${end === null ? "" : ` (which ends at ${lsnText(end)})`}${window.newestRecoverable ? `; the newest recoverable moment is ${momentText(window.newestRecoverable, opts.timeZone)}` : ""}. ${switchHint}`,
        );
      }
      if (v < lsnValue(oldest.stopLsn)) {
        throw new PitrRefusal(
          "before_window",
          `${target.kind === "lsn" ? `LSN ${lsn}` : `Restore point "${target.kind === "name" ? target.name : ""}" (at ${lsn})`} is before the end of the oldest base backup (${oldest.label}, which ends at ${oldest.stopLsn}): the archive cannot go back that far.`,
        );
      }
      const b = baseBackupFor(window, { lsn });
      if (!b) throw new PitrRefusal("before_window", `No base backup ended before ${lsn}.`);
      return { baseBackup: b, note: `the newest base backup that ended before ${lsn}` };
    }
    case "xid":
      return {
        baseBackup: oldest,
        note: `the time of transaction ${target.xid} is not known in advance, so recovery starts from the oldest base backup; it fails, changing nothing in production, when the transaction is not in the archive`,
      };
    case "immediate": {
      const label = opts.label ?? newest.label;
      const b = backups.find((x) => x.label === label);
      if (!b) {
        throw new PitrRefusal(
          "base_backup_gone",
          `Base backup ${label} is not in the archive any more (expired by retention?): choose another one.`,
        );
      }
      return { baseBackup: b, note: "the base backup you chose; recovery stops as soon as it is consistent" };
    }
  }
}

/** The WAL archive row of a database, or a UserError that says how to set one up. */
export async function walArchiveOf(databaseId: string) {
  const archive = await db.walArchive.findUnique({ where: { databaseId } });
  if (!archive)
    throw new UserError(
      "This database has no WAL archive, so it cannot be restored to a moment: an admin sets one up on the database's page (Transaction-log archive), or restore a backup.",
      409,
    );
  return archive;
}

/** The window now. */
export async function currentWindow(databaseId: string): Promise<RecoverableWindow> {
  const archive = await walArchiveOf(databaseId);
  return readRecoverableWindow(archive, { id: databaseId });
}

/** The plan's base backup must still be in the archive and the moment still covered (on start and resume). */
export async function currentWindowProblem(
  pitr: PitrSource,
): Promise<{ refusal: string | null; newestRecoverable: string | null }> {
  const window = await currentWindow(pitr.databaseId);
  const newestRecoverable = window.newestRecoverable?.toISOString() ?? null;
  if (!window.baseBackups.some((b) => b.label === pitr.baseBackup.label)) {
    return {
      refusal: `Base backup ${pitr.baseBackup.label}, which the confirmed plan restores from, is no longer in the WAL archive (stanza ${pitr.stanza}; expired by retention?). Nothing was restored: plan the restore again (Restore → New restore) to use what the archive has now.`,
      newestRecoverable,
    };
  }
  try {
    choosePitrBaseBackup(window, pitr.target, { label: pitr.baseBackup.label });
  } catch (e) {
    if (e instanceof PitrRefusal) return { refusal: `${e.message} Nothing was restored.`, newestRecoverable };
    throw e;
  }
  return { refusal: null, newestRecoverable };
}
