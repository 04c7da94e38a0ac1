import "server-only";
import { refreshAllArchiveHealth } from "@/lib/pitr/health";

// WAL archive health on its own timer, started once per console process (lib/startup.ts). A WAL
// RPO is minutes, not the catalog sync's quarter hour: the archives are read every minute, or
// on the sync interval when that is shorter; 0 (background work off) turns it off too.

export const ARCHIVE_HEALTH_MAX_EVERY_MS = 60_000;

let timer: NodeJS.Timeout | undefined;

export function archiveHealthEveryMs(syncIntervalMinutes: number): number {
  return Math.min(ARCHIVE_HEALTH_MAX_EVERY_MS, syncIntervalMinutes * 60_000);
}

export function startArchiveHealthWork(syncIntervalMinutes: number): void {
  if (timer || syncIntervalMinutes <= 0) return;
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    void refreshAllArchiveHealth()
      .catch((e: unknown) => console.error("[lifeboat] WAL archive health:", e))
      .finally(() => {
        running = false;
      });
  };
  timer = setInterval(tick, archiveHealthEveryMs(syncIntervalMinutes));
  timer.unref();
  setTimeout(tick, 10_000).unref();
}
