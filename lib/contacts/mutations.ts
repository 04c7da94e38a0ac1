import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { saveContactSchema } from "@/lib/contacts/schemas";

// Called only through lib/contacts/commands.ts (admin role, audit event).

export async function saveContact(input: z.output<typeof saveContactSchema>) {
  const { id, ...data } = input;
  if (id && !(await db.contact.findUnique({ where: { id } }))) throw new NotFoundError("The contact");
  const saved = id ? await db.contact.update({ where: { id }, data }) : await db.contact.create({ data });
  return { id: saved.id, service: saved.service, name: saved.name };
}

export async function deleteContact(input: { id: string }) {
  const existing = await db.contact.findUnique({ where: { id: input.id } });
  if (!existing) throw new NotFoundError("The contact");
  await db.contact.delete({ where: { id: input.id } });
  return { id: existing.id, service: existing.service, name: existing.name };
}
