import os from "node:os";
import { MAX_RESTORE_JOBS } from "@/lib/databases/schemas";
import type { BackupFormat } from "@/lib/backups/manifest";

// How many connections pg_restore restores with. A scratch database is not used until it is
// verified, so nothing gains from restoring it one table at a time: by default every core of
// the console's machine works on it (pg_restore's jobs also keep the database server's cores
// busy with COPY and index builds), at most MAX_RESTORE_JOBS.

/** The console's cores, at most MAX_RESTORE_JOBS: the default when a database sets none. */
export function automaticRestoreJobs(): number {
  return Math.max(1, Math.min(MAX_RESTORE_JOBS, os.availableParallelism()));
}

/** The database's setting, else automatic. */
export function restoreJobsFor(setting: number | null | undefined): number {
  return setting ?? automaticRestoreJobs();
}

/**
 * pg_restore runs jobs in parallel only for custom-format archives (and directories, which
 * Lifeboat does not make): a tar archive or plain SQL is restored in one stream.
 */
export function jobsForFormat(format: BackupFormat, jobs: number): number {
  return format === "custom" ? jobs : 1;
}
