"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/actions/safe-action";
import { contactIdSchema, saveContactSchema } from "@/lib/contacts/schemas";
import { deleteContact, saveContact } from "@/lib/contacts/mutations";

export const saveContactAction = action("admin", saveContactSchema, async (input, actor) => {
  const result = await saveContact(input, actor);
  revalidatePath("/settings/contacts");
  revalidatePath("/runbooks", "layout");
  return result;
});

export const deleteContactAction = action("admin", contactIdSchema, async (input, actor) => {
  const result = await deleteContact(input, actor);
  revalidatePath("/settings/contacts");
  return result;
});
