import "server-only";
import { db } from "@/lib/db";
import { beginSync, isSyncRunning, markInterruptedSyncs } from "@/lib/catalog/sync";
import { markInterruptedVerifications } from "@/lib/backups/verify-job";
import { verifyNewObjects } from "@/lib/backups/auto-verify";
import { startRunRecovery } from "@/lib/runner/lease";

// Background catalog sync on an interval, started once per console process.
let timer: NodeJS.Timeout | undefined;

export async function startBackgroundWork(intervalMinutes: number) {
  await markInterruptedSyncs();
  await markInterruptedVerifications();
  // Restore runs left by a stopped console become "interrupted" (resumable), never "succeeded".
  await startRunRecovery();
  if (intervalMinutes <= 0 || timer) return;
  const tick = async () => {
    for (const { id } of await db.location.findMany({ select: { id: true } })) {
      if (isSyncRunning(id)) continue;
      const started = await beginSync(id, "interval").catch((e: unknown) => {
        console.error("[lifeboat] background sync could not start:", e);
        return null;
      });
      // New objects (ours and foreign) are verified in the background once the sync has listed them.
      if (started)
        void started.done
          .then(() => verifyNewObjects(id))
          .catch((e) => console.error("[lifeboat] automatic verification:", e));
    }
  };
  timer = setInterval(
    () => void tick().catch((e) => console.error("[lifeboat] background sync:", e)),
    intervalMinutes * 60_000,
  );
  timer.unref();
  setTimeout(() => void tick().catch((e) => console.error("[lifeboat] background sync:", e)), 5_000).unref();
}
