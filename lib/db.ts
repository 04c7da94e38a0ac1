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
