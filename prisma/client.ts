import fs from "node:fs";
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { Database } from "better-sqlite3";
import { sqlitePath } from "./sqlite-path";

/**
 * The adapter factory, keeping hold of the connection it opens: bulk catalog writes run prepared
 * statements on it directly (inside a Prisma transaction, so on the one connection Prisma uses),
 * because a raw query with thousands of parameters costs Prisma's engine far more than SQLite.
 */
class ConnectionKeepingFactory extends PrismaBetterSQLite3 {
  connection: Database | null = null;
  override async connect() {
    const adapter = await super.connect();
    // The adapter keeps its better-sqlite3 connection as a plain property named client.
    const client = (adapter as unknown as { client?: Database }).client;
    this.connection = client && typeof client.prepare === "function" ? client : null;
    return adapter;
  }
}
const factories = new WeakMap<object, ConnectionKeepingFactory>();

/** The better-sqlite3 connection under `prisma`, once it has connected (null before, or if the adapter changed). */
export function sqliteConnection(prisma: object): Database | null {
  return factories.get(prisma)?.connection ?? null;
}

// Shared by lib/db.ts (the app) and the scripts around it (seed, tests).
export function createPrismaClient(url: string) {
  const file = sqlitePath(url);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const adapter = new ConnectionKeepingFactory({ url: file, timeout: 10_000 });
  const prisma = new PrismaClient({
    adapter,
    // Password hashes never leave lib/auth: every query omits them unless it asks.
    omit: { user: { passwordHash: true } },
  });
  factories.set(prisma, adapter);
  return prisma;
}
export type LifeboatPrisma = ReturnType<typeof createPrismaClient>;
