"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import { deleteContactCommand, saveContactCommand } from "@/lib/contacts/commands";

// Each write is declared in lib/contacts/commands.ts (role, input, audit event, handler).

export const saveContactAction = withRevalidation(saveContactCommand, "/settings/contacts", ["/runbooks", "layout"]);
export const deleteContactAction = withRevalidation(deleteContactCommand, "/settings/contacts");
