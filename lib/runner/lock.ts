import "server-only";
import { Prisma } from "@prisma/client";
import { db } from "@/lib/db";
import { releasesDatabase, storedRunStatus } from "@/lib/runner/states";

// One active run per server database: the RunLock row (primary key = the target's host, port
// and database name, see lockTarget) exists while a run holds the database, so two Lifeboat
// entries that point at the same database cannot run at once. It is released when the run ends
// (succeeded, failed, cancelled), kept while it is interrupted, and taken again when a failed
// run is resumed.

export type Tx = Prisma.TransactionClient;

export function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export type LockResult = { ok: true } | { ok: false; message: string };

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/**
 * The lock's key for a server database: "host:port/database", the host lower-cased without a
 * trailing dot and the loopback names as one (the same server however it is written). The
 * database name is compared exactly, as PostgreSQL does. Keep in step with the migration that
 * introduced it (prisma/migrations/20261202020000_run_lock_by_target).
 */
export function lockTarget(t: { host: string; port: number; dbName: string }): string {
  const host = t.host.trim().toLowerCase().replace(/\.+$/, "");
  return `${LOOPBACK.has(host) ? "localhost" : host}:${t.port}/${t.dbName}`;
}

/** The lock key of a Lifeboat database entry, or null when the entry is gone. */
export async function lockTargetOf(tx: Pick<Tx, "database">, databaseId: string): Promise<string | null> {
  const d = await tx.database.findUnique({
    where: { id: databaseId },
    select: { host: true, port: true, dbName: true },
  });
  return d ? lockTarget(d) : null;
}

/** Takes the server database for the run inside the caller's transaction, or says who holds it. */
export async function takeDatabaseLock(
  tx: Tx,
  run: { id: string; databaseId: string },
  holder: string,
): Promise<LockResult> {
  const target = await lockTargetOf(tx, run.databaseId);
  if (target === null) return { ok: false, message: "The run's target database is no longer in Lifeboat." };
  const mine = await tx.runLock.findUnique({ where: { runId: run.id } });
  // The entry's connection was edited while the run held the old target: take the new one too.
  if (mine && mine.target !== target) await tx.runLock.delete({ where: { runId: run.id } });
  const existing = await tx.runLock.findUnique({
    where: { target },
    include: { run: { select: { id: true, status: true, scenarioId: true, databaseId: true } } },
  });
  if (existing?.runId === run.id) return { ok: true };
  // A lock row naming a run that no longer holds anything is stale (left by a crash between writes).
  if (existing && !releasesDatabase(storedRunStatus(existing.run.status))) {
    const names = await tx.database.findMany({
      where: { id: { in: [run.databaseId, existing.databaseId] } },
      select: { id: true, name: true },
    });
    const nameOf = (id: string) => names.find((n) => n.id === id)?.name ?? id;
    const via =
      existing.databaseId === run.databaseId
        ? nameOf(run.databaseId)
        : `${nameOf(run.databaseId)}'s database ${target} (through the Lifeboat entry ${nameOf(existing.databaseId)}, which points at the same database)`;
    const advice = existing.run.status === "interrupted" ? " It was interrupted: resume it or cancel it first." : "";
    return {
      ok: false,
      message: `A run is already active on ${via}: ${existing.run.scenarioId} started by ${existing.holder} at ${formatTime(existing.acquiredAt)} (run ${existing.run.id}, ${existing.run.status}).${advice}`,
    };
  }
  if (existing) await tx.runLock.delete({ where: { target } });
  await tx.runLock.create({
    data: { target, databaseId: run.databaseId, runId: run.id, holder, acquiredAt: new Date() },
  });
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
