import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { DEFAULT_DATABASE_URL, sqlitePath } from "./prisma/sqlite-path";

// Prisma 6.19 with the JavaScript schema engine: migrate works offline.
process.env.LIFEBOAT_DATABASE_URL ??= DEFAULT_DATABASE_URL;

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const file = sqlitePath(process.env.LIFEBOAT_DATABASE_URL ?? DEFAULT_DATABASE_URL);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return new PrismaBetterSQLite3({ url: file });
  },
});
