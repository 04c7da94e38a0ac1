import "server-only";
import { defineCommand } from "@/lib/actions/define-command";
import { contactIdSchema, saveContactSchema } from "@/lib/contacts/schemas";
import { deleteContact, saveContact } from "@/lib/contacts/mutations";

export const saveContactCommand = defineCommand({
  name: "contacts.save",
  transaction: true,
  role: "admin",
  input: saveContactSchema,
  handler: (input) => saveContact(input),
  audit: {
    action: (input) => (input.id ? "contact.update" : "contact.create"),
    targetType: "contact",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ service: r.service, name: r.name }),
  },
});

export const deleteContactCommand = defineCommand({
  name: "contacts.delete",
  transaction: true,
  role: "admin",
  input: contactIdSchema,
  handler: (input) => deleteContact(input),
  audit: {
    action: "contact.delete",
    targetType: "contact",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ service: r.service, name: r.name }),
  },
});
