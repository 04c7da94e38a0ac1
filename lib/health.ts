import "server-only";
import { databaseStatus } from "@/lib/db";
import pkg from "@/package.json";

/** Deliberately unauthenticated and free of secrets: names no host, path or user. */
export async function getHealth() {
  const database = await databaseStatus();
  return {
    status: database.reachable ? ("ok" as const) : ("degraded" as const),
    version: pkg.version,
    database,
    time: new Date().toISOString(),
  };
}
