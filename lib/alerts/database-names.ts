import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";

/** The databases a channel can be routed to. */
export async function listDatabaseNames(): Promise<{ id: string; name: string }[]> {
  await requireRole("admin");
  return db.database.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}
