"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/actions/safe-action";
import { databaseIdSchema, saveDatabaseSchema } from "@/lib/databases/schemas";
import { deleteDatabase, saveDatabase, testDatabase } from "@/lib/databases/mutations";

export const saveDatabaseAction = action("admin", saveDatabaseSchema, async (input, actor) => {
  const result = await saveDatabase(input, actor);
  revalidatePath("/settings/databases");
  return result;
});

export const deleteDatabaseAction = action("admin", databaseIdSchema, async (input, actor) => {
  const result = await deleteDatabase(input, actor);
  revalidatePath("/settings/databases");
  return result;
});

export const testDatabaseAction = action("admin", databaseIdSchema, testDatabase);
