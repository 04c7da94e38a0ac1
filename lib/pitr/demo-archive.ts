import type { WalArchive } from "@prisma/client";
import type { ArchiveHealth } from "@/lib/pitr/health";

// `npm run demo` has no pgBackRest repository, yet a new user should see what a WAL archive
// looks like: the demo seeds one archive marked `demo` in its options, with a sample health
// reading (base backups, the WAL range, the newest recoverable moment) so the health card and
// the timeline render. Nothing runs pgBackRest for it: every action that would (refresh, check,
// Switch WAL, a restore point, a point-in-time restore) is refused with these words, and the
// background health check leaves its sample reading alone. Saving its settings makes it a real
// archive (the form never writes the marker).

export const DEMO_ARCHIVE_REFUSAL =
  "This is the demo's sample WAL archive: its health, base backups and timeline are made-up, and the demo has no pgBackRest repository, so nothing here can run pgBackRest (refresh, check, Switch WAL, restore points, restores to a moment). To try them, set up a real archive in the WAL archive settings (a stanza and repository pgBackRest archives to).";

/** True for the archive `npm run demo` seeded (its options carry the demo marker). */
export function isDemoArchive(archive: Pick<WalArchive, "repoOptions">): boolean {
  try {
    const options: unknown = JSON.parse(archive.repoOptions);
    return typeof options === "object" && options !== null && (options as { demo?: unknown }).demo === true;
  } catch {
    return false;
  }
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const GiB = 1024 ** 3;

/** "20261201-224133F" for a moment (UTC). */
function labelAt(d: Date): string {
  const s = d.toISOString();
  return `${s.slice(0, 10).replace(/-/g, "")}-${s.slice(11, 19).replace(/:/g, "")}`;
}

/** A WAL segment name on timeline 1 for a position counted in 16 MiB segments. */
function segmentAt(position: number): string {
  const log = Math.floor(position / 256);
  const seg = position % 256;
  return `00000001${log.toString(16).toUpperCase().padStart(8, "0")}${seg.toString(16).toUpperCase().padStart(8, "0")}`;
}

/**
 * A plausible, healthy reading as of `now`: a weekly full backup six days ago, a differential
 * three days ago and an incremental yesterday, WAL archived up to two minutes ago (one segment
 * every ten minutes), within a 5-minute WAL RPO.
 */
export function demoArchiveHealth(now: Date, walRpoMinutes = 5): ArchiveHealth {
  const at = (msAgo: number) => new Date(now.getTime() - msAgo);
  // Segments since the full backup's start, one per 10 minutes.
  const startPos = 0x3a00;
  const posAt = (d: Date) => startPos + Math.floor((d.getTime() - at(6 * DAY).getTime()) / (10 * 60_000));
  const backup = (type: "full" | "diff" | "incr", startedAgo: number, minutes: number, size: number, repo: number) => {
    const startedAt = at(startedAgo);
    const stoppedAt = new Date(startedAt.getTime() + minutes * 60_000);
    const full = labelAt(at(6 * DAY));
    const label = type === "full" ? `${full}F` : `${full}F_${labelAt(startedAt)}${type === "diff" ? "D" : "I"}`;
    const pos = posAt(startedAt);
    return {
      label,
      type,
      startedAt: startedAt.toISOString(),
      stoppedAt: stoppedAt.toISOString(),
      sizeBytes: size,
      repoSizeBytes: repo,
      walStart: segmentAt(pos),
      stopLsn: `${(pos >> 8).toString(16).toUpperCase()}/${((pos & 0xff) * 0x1000000 + 0x28).toString(16).toUpperCase()}`,
      error: false,
    };
  };
  const backups = [
    backup("full", 6 * DAY, 38, Math.round(41.6 * GiB), Math.round(9.8 * GiB)),
    backup("diff", 3 * DAY, 9, Math.round(42.3 * GiB), Math.round(1.4 * GiB)),
    backup("incr", 1 * DAY, 4, Math.round(42.9 * GiB), Math.round(0.3 * GiB)),
  ];
  const lastArchived = at(2 * 60_000);
  const lastCommit = at(2 * 60_000 + 7_000);
  const newestPos = posAt(lastArchived);
  const full = backups[0];
  return {
    checkedAt: at(30_000).toISOString(),
    walRpoMinutes,
    repoError: null,
    archiverError: null,
    backups,
    rejectedBackups: 0,
    walMin: full?.walStart ?? null,
    walMax: segmentAt(newestPos),
    newestSegment: { name: segmentAt(newestPos), archivedAt: lastArchived.toISOString() },
    from: full ? new Date(Math.ceil((Date.parse(full.stoppedAt) + 1) / 1000) * 1000).toISOString() : null,
    newestRecoverable: new Date(lastCommit.getTime() - 1).toISOString(),
    newestRecoverableLsn: `${(newestPos >> 8).toString(16).toUpperCase()}/${((newestPos & 0xff) * 0x1000000 + 0x5a01c8).toString(16).toUpperCase()}`,
    gaps: [],
    archiver: {
      archivedCount: newestPos - startPos + 1,
      lastArchivedWal: segmentAt(newestPos),
      lastArchivedAt: lastArchived.toISOString(),
      failedCount: 0,
      lastFailedWal: null,
      lastFailedAt: null,
      archiveMode: "on",
      inRecovery: false,
      currentLsn: null,
    },
    failing: false,
    lastError: null,
    rpo: { ageSeconds: 120, pendingBytes: 0, breached: false },
    lastCheck: null,
  };
}
