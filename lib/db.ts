import "server-only";
import { env } from "@/lib/env";
import { createPrismaClient, type LifeboatPrisma } from "@/prisma/client";

// The only file outside prisma/ that knows Lifeboat's own database is SQLite.

type Client = LifeboatPrisma;
const globalForPrisma = globalThis as unknown as { lifeboatPrisma?: Client };

function client(): Client {
  globalForPrisma.lifeboatPrisma ??= createPrismaClient(env().LIFEBOAT_DATABASE_URL);
  return globalForPrisma.lifeboatPrisma;
}

/** Lazily created so that importing lib/ at build time needs no database. */
export const db: Client = new Proxy({} as Client, {
  get(_target, prop) {
    const c = client();
    const value = Reflect.get(c, prop, c) as unknown;
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(c) : value;
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

// SQLite allows 32,766 bound parameters per statement; stay well below.
const MAX_PARAMS = 16_000;

/**
 * Multi-row INSERT for bulk catalog writes: Prisma's createMany costs ~0.4 ms a row here,
 * one statement per chunk ~0.08 ms. Values go through Prisma's own parameter encoding, so
 * dates and booleans are stored exactly as Prisma stores them.
 */
export async function bulkInsert(table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const cols = columns.map((c) => `"${c}"`).join(", ");
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  for (let i = 0; i < rows.length; i += perChunk) {
    const chunk = rows.slice(i, i + perChunk);
    await db.$executeRawUnsafe(
      `INSERT INTO "${table}" (${cols}) VALUES ${chunk.map(() => tuple).join(", ")}`,
      ...chunk.flat(),
    );
  }
}
