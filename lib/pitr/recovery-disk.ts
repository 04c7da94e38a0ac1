import path from "node:path";
import { db } from "@/lib/db";
import { recoveryRootDir } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { formatBytes } from "@/lib/format/bytes";
import { freeBytes } from "@/lib/restores/files";
import type { BaseBackup } from "@/lib/pitr/info";
import type { ArchiveAccess } from "@/lib/pitr/pgbackrest";
import { readArchiveInfo } from "@/lib/pitr/window";

// Whether the recovery folder's disk can hold a point-in-time restore, asked before anything is
// written: pgBackRest restores the base backup's whole cluster (its size as restored, which
// pgBackRest's info reports per backup set, whatever the backup's own delta was), and PostgreSQL
// then replays archived WAL on top of it, which grows tables and keeps up to max_wal_size of WAL
// in pg_wal. A restore that fills the disk half-way fails late and can starve whatever else lives
// there, so it is refused up front with the numbers.

/** The margin for WAL replay: a tenth of the cluster, and PostgreSQL's default max_wal_size (1 GiB) on top. */
export const REPLAY_MARGIN_FRACTION = 0.1;
export const REPLAY_MARGIN_BYTES = 1024 ** 3;

/** Reads how many bytes an unprivileged writer may still use on the filesystem of `dir`. */
export type FreeBytesReader = (dir: string) => Promise<number>;

/** Free space of the filesystem that holds `dir`, or of its nearest existing parent (nothing is created). */
export const statfsFreeBytes: FreeBytesReader = (dir) => freeBytes(path.resolve(dir));

export type RecoveryDiskCheck = {
  ok: boolean;
  /** The base backup's cluster as restored. */
  restoreBytes: number;
  neededBytes: number;
  freeBytes: number;
  dir: string;
  /** One line for the plan and the run's log; when not ok, what happened and what to do. */
  message: string;
};

/** Bytes a recovery instance of a cluster of `restoreBytes` needs: the cluster, plus the replay margin. */
export function recoveryBytesNeeded(restoreBytes: number): number {
  return Math.ceil(restoreBytes * (1 + REPLAY_MARGIN_FRACTION)) + REPLAY_MARGIN_BYTES;
}

const size = (n: number) => formatBytes(Math.max(0, n));

/** The check's arithmetic and words (pure). */
export function recoveryDiskCheck(
  backup: Pick<BaseBackup, "label" | "sizeBytes">,
  dir: string,
  freeBytes: number,
): RecoveryDiskCheck {
  const neededBytes = recoveryBytesNeeded(backup.sizeBytes);
  const ok = freeBytes >= neededBytes;
  const need = `${size(neededBytes)} (base backup ${backup.label} restores to ${size(backup.sizeBytes)}, plus ${Math.round(REPLAY_MARGIN_FRACTION * 100)}% and ${size(REPLAY_MARGIN_BYTES)} for the WAL replayed on top)`;
  const message = ok
    ? `free disk for the recovery instance in ${dir}: ${size(freeBytes)}; it needs about ${need}`
    : `Not enough free disk for the recovery instance: it needs about ${need}, and ${dir} has ${size(freeBytes)} free (${size(neededBytes - freeBytes)} short). Nothing was restored. Free that much space there, or set LIFEBOAT_RECOVERY_DIR to a folder on a bigger disk (and restart Lifeboat), then try again.`;
  return { ok, restoreBytes: backup.sizeBytes, neededBytes, freeBytes, dir, message };
}

/**
 * Reads the base backup's size from the archive (pgbackrest info) and the recovery folder's free
 * space, and checks one against the other. Reads only: the recovery folder is not created.
 */
export async function checkRecoveryDisk(
  archive: ArchiveAccess,
  baseBackupLabel: string,
  opts: { freeBytes?: FreeBytesReader; signal?: AbortSignal } = {},
): Promise<RecoveryDiskCheck> {
  const info = await readArchiveInfo(archive, { signal: opts.signal });
  const backup = info.backups.find((b) => b.label === baseBackupLabel);
  if (!backup) {
    throw new UserError(
      `Base backup ${baseBackupLabel} is no longer in the WAL archive (stanza ${archive.stanza}; expired by retention?). Nothing was restored: plan the restore again to use what the archive has now.`,
      409,
    );
  }
  const dir = path.resolve(recoveryRootDir());
  return recoveryDiskCheck(backup, dir, await (opts.freeBytes ?? statfsFreeBytes)(dir));
}

/** The same check for a database's WAL archive (the plan's preflight). */
export async function checkRecoveryDiskFor(
  databaseId: string,
  baseBackupLabel: string,
  opts: { freeBytes?: FreeBytesReader; signal?: AbortSignal } = {},
): Promise<RecoveryDiskCheck> {
  const archive = await db.walArchive.findUnique({ where: { databaseId } });
  if (!archive) {
    throw new UserError(
      "This database has no WAL archive set up: add its pgBackRest stanza and repository on the database's page before a point-in-time restore.",
    );
  }
  return checkRecoveryDisk(archive, baseBackupLabel, opts);
}
