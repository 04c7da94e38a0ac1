import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { env } from "@/lib/env";
import { createPrismaClient, sqliteConnection, type LifeboatPrisma } from "@/prisma/client";

// The only file outside prisma/ that knows Lifeboat's own database is SQLite.

type Client = LifeboatPrisma;
/** The client inside an interactive transaction. */
export type DbTransaction = Omit<Client, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
const globalForPrisma = globalThis as unknown as { lifeboatPrisma?: Client };

function client(): Client {
  globalForPrisma.lifeboatPrisma ??= createPrismaClient(env().LIFEBOAT_DATABASE_URL);
  return globalForPrisma.lifeboatPrisma;
}

// better-sqlite3 gives one connection per process and runs one transaction at a time on it: a
// `db.$transaction` opened inside another one's callback would wait for it forever. So while a
// transaction's callback runs, `db` IS that transaction (a nested $transaction joins it), and
// code that does not know it runs inside one (recordAudit in a command) writes with it. Once
// the callback returns, work it started in the background uses the plain client again.
type Scope = { tx: DbTransaction; open: boolean };
const transactionScope = new AsyncLocalStorage<Scope>();

function openScope(): Scope | undefined {
  const s = transactionScope.getStore();
  return s?.open ? s : undefined;
}

type TransactionOptions = { maxWait?: number; timeout?: number };

async function interactive<T>(fn: (tx: DbTransaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
  const joined = openScope();
  if (joined) return fn(joined.tx);
  return client().$transaction(async (tx) => {
    const s: Scope = { tx, open: true };
    try {
      return await transactionScope.run(s, () => fn(tx));
    } finally {
      s.open = false;
    }
  }, options);
}

async function transaction(arg: unknown, options?: TransactionOptions): Promise<unknown> {
  if (typeof arg === "function") return interactive(arg as (tx: DbTransaction) => Promise<unknown>, options);
  const joined = openScope();
  if (!joined) return client().$transaction(arg as Parameters<Client["$transaction"]>[0], options);
  // Already inside a transaction: the queries were built on it; run them in order.
  const results: unknown[] = [];
  for (const query of arg as PromiseLike<unknown>[]) results.push(await query);
  return results;
}

/** True while a transaction's callback runs in this async context (`db` is that transaction). */
export function inOpenTransaction(): boolean {
  return openScope() !== undefined;
}

/**
 * Runs `fn` in one transaction in which every `db` call takes part (joins an open one). For
 * short, database-only work: the connection is held until `fn` returns.
 */
export function inTransaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T> {
  return interactive(() => fn(), options);
}

/** Lazily created so that importing lib/ at build time needs no database. */
export const db: Client = new Proxy({} as Client, {
  get(_target, prop) {
    if (prop === "$transaction") return transaction;
    const c = client();
    const scoped = openScope()?.tx;
    const target = scoped && prop in scoped ? scoped : c;
    const value = Reflect.get(target, prop, target) as unknown;
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  },
});

export async function databaseStatus(): Promise<{ reachable: boolean; latencyMs: number | null; engine: string }> {
  const started = performance.now();
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return { reachable: true, latencyMs: Math.round((performance.now() - started) * 10) / 10, engine: "sqlite" };
  } catch (e) {
    console.error("[lifeboat] database unreachable:", e);
    return { reachable: false, latencyMs: null, engine: "sqlite" };
  }
}

/**
 * Table statistics for SQLite's query planner, as SQLite advises for a long-lived connection: at
 * start-up and after a catalog sync added or removed rows. Without them a filter that matches
 * few of 100,000 backups scanned them all in date order (the weekly class took 108 ms, 7 ms
 * with them). SQLite analyzes only tables never analyzed or whose size changed a lot since, so
 * an unchanged catalog costs next to nothing; a full analysis, not a sample (sampled statistics
 * led the planner back to the slow plans), took 160 ms for 100,000 backups.
 */
export async function optimizeDatabase(): Promise<void> {
  await db.$queryRawUnsafe("PRAGMA optimize = 0x10002");
}

// SQLite allows 32,766 bound parameters per statement; stay well below.
const MAX_PARAMS = 16_000;

/** A value as Prisma's SQLite adapter binds it (its default timestamp format), so both paths store the same. */
function asStored(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().replace("Z", "+00:00");
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}

/**
 * Bulk catalog writes, all rows in one transaction. Through Prisma a multi-row INSERT costs
 * ~0.2 ms a row here (its engine handles every parameter); a prepared statement run row by row
 * on the same connection ~0.05 ms. Values are bound as Prisma's adapter binds them (asStored),
 * so a row reads back the same either way. Inside an open transaction, the rows join it.
 */
export async function bulkInsert(table: string, columns: string[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const cols = columns.map((c) => `"${c}"`).join(", ");
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  await interactive(async (tx) => {
    const connection = sqliteConnection(client());
    if (connection) {
      // Synchronous from here to the end: nothing else runs on the connection meanwhile.
      const insert = connection.prepare(`INSERT INTO "${table}" (${cols}) VALUES ${tuple}`);
      for (const row of rows) insert.run(row.map(asStored));
      return;
    }
    const perChunk = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
    for (let i = 0; i < rows.length; i += perChunk) {
      const chunk = rows.slice(i, i + perChunk);
      await tx.$executeRawUnsafe(
        `INSERT INTO "${table}" (${cols}) VALUES ${chunk.map(() => tuple).join(", ")}`,
        ...chunk.flat(),
      );
    }
  });
}
