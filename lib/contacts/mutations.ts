import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import type { saveContactSchema } from "@/lib/contacts/schemas";

// Called only through lib/actions/safe-action.ts (admin role already required).

export async function saveContact(input: z.output<typeof saveContactSchema>, actor: SessionUser) {
  const { id, ...data } = input;
  if (id && !(await db.contact.findUnique({ where: { id } }))) throw new NotFoundError("The contact");
  const saved = id ? await db.contact.update({ where: { id }, data }) : await db.contact.create({ data });
  await recordAudit(actor, { action: id ? "contact.update" : "contact.create", targetType: "contact", targetId: saved.id, detail: { service: saved.service, name: saved.name } });
  return { id: saved.id };
}

export async function deleteContact(input: { id: string }, actor: SessionUser) {
  const existing = await db.contact.findUnique({ where: { id: input.id } });
  if (!existing) throw new NotFoundError("The contact");
  await db.contact.delete({ where: { id: input.id } });
  await recordAudit(actor, { action: "contact.delete", targetType: "contact", targetId: existing.id, detail: { service: existing.service, name: existing.name } });
  return { id: existing.id };
}
