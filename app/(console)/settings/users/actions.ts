"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/actions/safe-action";
import { createUserSchema, updateUserSchema, userIdSchema } from "@/lib/users/schemas";
import { createUser, resetPassword, updateUser } from "@/lib/users/mutations";

export const createUserAction = action("admin", createUserSchema, async (input, actor) => {
  const result = await createUser(input, actor);
  revalidatePath("/settings/users");
  return result;
});

export const updateUserAction = action("admin", updateUserSchema, async (input, actor) => {
  const result = await updateUser(input, actor);
  revalidatePath("/settings/users");
  return result;
});

export const resetPasswordAction = action("admin", userIdSchema, resetPassword);
