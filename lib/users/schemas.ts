import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid e-mail address" }));
export const passwordSchema = z
  .string()
  .min(12, { message: "Use at least 12 characters" })
  .max(256, { message: "Use at most 256 characters" });

export const createUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1, { message: "Enter a name" }).max(120),
  role: z.enum(ROLES, { message: "Choose a role" }),
  password: passwordSchema,
});
export type CreateUserInput = z.input<typeof createUserSchema>;

export const updateUserSchema = z.object({
  id: z.string().min(1),
  role: z.enum(ROLES, { message: "Choose a role" }).optional(),
  disabled: z.boolean().optional(),
});

export const userIdSchema = z.object({ id: z.string().min(1) });
