import fs from "node:fs";
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { sqlitePath } from "./sqlite-path";

// Shared by lib/db.ts (the app) and the scripts around it (seed, tests).
export function createPrismaClient(url: string) {
  const file = sqlitePath(url);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return new PrismaClient({
    adapter: new PrismaBetterSQLite3({ url: file, timeout: 10_000 }),
    // Password hashes never leave lib/auth: every query omits them unless it asks.
    omit: { user: { passwordHash: true } },
  });
}
export type LifeboatPrisma = ReturnType<typeof createPrismaClient>;
