import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";

export async function listContacts() {
  await requireRole("viewer");
  return db.contact.findMany({ orderBy: [{ escalation: "asc" }, { service: "asc" }, { name: "asc" }] });
}
export type ContactRow = Awaited<ReturnType<typeof listContacts>>[number];
