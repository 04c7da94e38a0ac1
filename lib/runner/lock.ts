import "server-only";
import { Prisma } from "@prisma/client";
import { db } from "@/lib/db";
import { releasesDatabase, storedRunStatus } from "@/lib/runner/states";

// One active run per target database: the RunLock row (primary key = databaseId) exists while
// a run holds the database. It is released when the run ends (succeeded, failed, cancelled),
// kept while it is interrupted, and taken again when a failed run is resumed.

export type Tx = Prisma.TransactionClient;

export function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export type LockResult = { ok: true } | { ok: false; message: string };

/** Takes the database for the run inside the caller's transaction, or says who holds it. */
export async function takeDatabaseLock(
  tx: Tx,
  run: { id: string; databaseId: string },
  holder: string,
): Promise<LockResult> {
  const existing = await tx.runLock.findUnique({
    where: { databaseId: run.databaseId },
    include: { run: { select: { id: true, status: true, scenarioId: true } } },
  });
  if (existing?.runId === run.id) return { ok: true };
  // A lock row naming a run that no longer holds anything is stale (left by a crash between writes).
  if (existing && !releasesDatabase(storedRunStatus(existing.run.status))) {
    const database = await tx.database.findUnique({ where: { id: run.databaseId }, select: { name: true } });
    const advice = existing.run.status === "interrupted" ? " It was interrupted: resume it or cancel it first." : "";
    return {
      ok: false,
      message: `A run is already active on ${database?.name ?? run.databaseId}: ${existing.run.scenarioId} started by ${existing.holder} at ${formatTime(existing.acquiredAt)} (run ${existing.run.id}, ${existing.run.status}).${advice}`,
    };
  }
  if (existing) await tx.runLock.delete({ where: { databaseId: run.databaseId } });
  await tx.runLock.create({ data: { databaseId: run.databaseId, runId: run.id, holder, acquiredAt: new Date() } });
  return { ok: true };
}

export async function releaseDatabaseLock(tx: Tx, runId: string): Promise<void> {
  await tx.runLock.deleteMany({ where: { runId } });
}

/**
 * Runs a transaction that takes a lock; when another instance inserted the same lock row in
 * between (a unique violation), runs it once more so that it reports that holder.
 */
export async function withLockRetry<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.$transaction(fn);
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") return db.$transaction(fn);
    throw e;
  }
}
