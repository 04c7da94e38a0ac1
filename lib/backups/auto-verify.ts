import "server-only";
import { db } from "@/lib/db";
import { verifyUnattended } from "@/lib/backups/verify-job";
import { runPool } from "@/lib/backups/pool";

// After a background sync, every object the catalog has never verified (Lifeboat's and
// foreign ones alike) is verified, a few at a time so a location with hundreds of new objects
// neither floods the storage nor the console. A failed verification raises its alert as a
// person's would (verify-job.ts).

/** How many verifications of new objects run at once, per console. */
export const AUTO_VERIFY_CONCURRENCY = 2;
/** At most this many per sync, newest first; the rest wait for the next sync. */
export const AUTO_VERIFY_BATCH = 200;
export const AUTO_VERIFY_REQUESTER = "Lifeboat (after a sync)";

// Batches run one after another: a sync that ends while one runs queues behind it and then
// finds only what is still unverified.
let chain: Promise<unknown> = Promise.resolve();

/** Verifies the location's never-verified objects; resolves with how many it verified. */
export function verifyNewObjects(
  locationId: string,
  opts: { concurrency?: number; batch?: number } = {},
): Promise<number> {
  const run = chain.then(async () => {
    const rows = await db.backup.findMany({
      where: { locationId, vanishedAt: null, verificationState: "not_verified", verifications: { none: {} } },
      orderBy: { takenAt: "desc" },
      take: opts.batch ?? AUTO_VERIFY_BATCH,
      select: { id: true },
    });
    await runPool(
      rows.map((r) => r.id),
      opts.concurrency ?? AUTO_VERIFY_CONCURRENCY,
      (id) =>
        verifyUnattended(id, AUTO_VERIFY_REQUESTER).catch((e) =>
          console.error("[lifeboat] automatic verification could not run:", e),
        ),
    );
    return rows.length;
  });
  chain = run.catch(() => 0);
  return run;
}
