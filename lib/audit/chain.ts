import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Prisma } from "@prisma/client";

// The audit log's hash chain. No "server-only" and no lib/db import: prisma/bootstrap.ts, the
// demo seed and `npm run audit:verify` use it with their own Prisma client.
//
// Each event's hash is sha256 over a canonical serialization of its fields and the previous
// event's hash, and `seq` numbers the events without gaps. Changing, removing or inserting an
// event in the middle breaks every hash from there on. The chain carries no secret: someone who
// can write the file AND recompute every later hash is not caught by it; the database triggers,
// the head shown by "Verify chain" (worth noting down elsewhere) and backups of the file are the
// defence there.

/** The prevHash of the very first event. */
export const GENESIS_HASH = "0".repeat(64);

const FORMAT = "lifeboat-audit-v1";

export type AuditFields = {
  seq: number;
  at: Date;
  actorId: string | null;
  actorEmail: string;
  action: string;
  targetType: string;
  targetId: string | null;
  detail: string;
};

export type StoredAuditEvent = AuditFields & { id: string; prevHash: string | null; hash: string | null };

/** A JSON array in a fixed order: no field can leak into its neighbour, and null stays distinct from "". */
export function canonicalAuditEvent(fields: AuditFields, prevHash: string): string {
  return JSON.stringify([
    FORMAT,
    fields.seq,
    fields.at.toISOString(),
    fields.actorId,
    fields.actorEmail,
    fields.action,
    fields.targetType,
    fields.targetId,
    fields.detail,
    prevHash,
  ]);
}

export function auditEventHash(fields: AuditFields, prevHash: string): string {
  return createHash("sha256").update(canonicalAuditEvent(fields, prevHash)).digest("hex");
}

export type AuditAppend = {
  actorId: string | null;
  actorEmail: string;
  action: string;
  targetType: string;
  targetId: string | null;
  /** Already serialized JSON. */
  detail: string;
};

/** What appending needs: the audit table of a client or of a transaction. */
export type AuditTable = { auditEvent: Prisma.TransactionClient["auditEvent"] };

/**
 * The chain's end as the next event sees it: its seq and the hash the next prevHash must be.
 * Rows from before the chain (no hash) are folded in, so the first chained event covers them.
 */
export async function chainHead(client: AuditTable): Promise<{ seq: number; hash: string }> {
  const last = await client.auditEvent.findFirst({ orderBy: { seq: "desc" } });
  if (!last) return { seq: 0, hash: GENESIS_HASH };
  if (last.hash) return { seq: last.seq, hash: last.hash };
  // Only before the first chained event: walk the legacy rows once.
  let prev = GENESIS_HASH;
  for await (const row of auditRowsInOrder(client)) prev = auditEventHash(row, prev);
  return { seq: last.seq, hash: prev };
}

/**
 * Appends one event after the current head. Must run inside a transaction (the caller's or
 * one opened for it) so that reading the head and inserting are one step; two appends that
 * still race (another process) both try the same seq, and the unique index lets only one in:
 * the other fails with a unique-constraint error and is retried by the caller, so the chain
 * never forks.
 */
export async function appendAuditEvent(tx: AuditTable, input: AuditAppend): Promise<{ seq: number; hash: string }> {
  const head = await chainHead(tx);
  const fields: AuditFields = { ...input, seq: head.seq + 1, at: new Date() };
  const hash = auditEventHash(fields, head.hash);
  await tx.auditEvent.create({ data: { ...fields, prevHash: head.hash, hash } });
  return { seq: fields.seq, hash };
}

/** True for the errors a lost race for the next seq gives (retry the whole transaction). */
export function isAuditRaceError(e: unknown): boolean {
  if (e instanceof Prisma.PrismaClientKnownRequestError) {
    if (e.code === "P2002") return JSON.stringify(e.meta ?? {}).includes("seq");
    // SQLite's "database is locked" when two processes upgrade their read to a write at once.
    if (e.code === "P2034" || e.code === "P1008") return true;
  }
  return e instanceof Error && /database is locked|SQLITE_BUSY/i.test(e.message);
}

// Enough for a burst: 100 appends from four processes at once on a loaded 2-core machine once
// needed more than 8 (one transaction waited out SQLite's busy timeout on each try).
const ATTEMPTS = 20;

/**
 * Runs `attempt` (a whole transaction that appends to the audit log) again when another
 * process took the same place in the chain first; a few tries with a short random pause.
 */
export async function retryAuditRace<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i >= ATTEMPTS || !isAuditRaceError(e)) throw e;
      await sleep(5 + Math.floor(Math.random() * 20 * Math.min(i, 10)));
    }
  }
}

const PAGE = 1000;

async function* auditRowsInOrder(client: AuditTable): AsyncGenerator<StoredAuditEvent> {
  let after = 0;
  for (;;) {
    const rows = await client.auditEvent.findMany({
      where: { seq: { gt: after } },
      orderBy: { seq: "asc" },
      take: PAGE,
    });
    for (const row of rows) yield row;
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return;
    after = last.seq;
  }
}

export type ChainVerdict =
  | {
      ok: true;
      /** Events checked. */
      count: number;
      /** Events from before the chain, covered by the first chained event's prevHash. */
      legacy: number;
      head: { seq: number; hash: string } | null;
    }
  | { ok: false; count: number; broken: { seq: number; id: string; reason: string } };

/**
 * Walks the whole log in seq order and recomputes every hash. Names the first event that does
 * not fit: a gap or repeat in seq (removed or inserted), a prevHash that is not the previous
 * hash, or a hash that does not match the event's own fields (changed).
 */
export async function verifyAuditChain(client: AuditTable): Promise<ChainVerdict> {
  let prev = GENESIS_HASH;
  let count = 0;
  let legacy = 0;
  let chained = false;
  let head: { seq: number; hash: string } | null = null;
  for await (const row of auditRowsInOrder(client)) {
    const expectedSeq = count + 1;
    const fail = (reason: string): ChainVerdict => ({ ok: false, count, broken: { seq: row.seq, id: row.id, reason } });
    if (row.seq !== expectedSeq) {
      return fail(
        row.seq > expectedSeq
          ? `event ${expectedSeq}${row.seq - expectedSeq > 1 ? `–${row.seq - 1}` : ""} is missing (removed)`
          : `sequence number ${row.seq} repeats`,
      );
    }
    const expected = auditEventHash(row, prev);
    if (row.hash === null) {
      if (chained) return fail("has no hash, but comes after the chain started (inserted or altered)");
      if (row.prevHash !== null) return fail("has a previous hash but no hash of its own (altered)");
      legacy += 1;
      prev = expected;
    } else {
      if (row.prevHash !== prev) {
        return fail(
          chained || legacy === 0
            ? "its previous hash is not the hash of the event before it (an earlier event was changed, or this one)"
            : "its previous hash does not cover the events from before the chain (one of them was changed)",
        );
      }
      if (row.hash !== expected) return fail("its hash does not match its fields (the event was changed)");
      chained = true;
      prev = row.hash;
      head = { seq: row.seq, hash: row.hash };
    }
    count += 1;
  }
  return { ok: true, count, legacy, head };
}
