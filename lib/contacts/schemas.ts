import { z } from "zod";

export const saveContactSchema = z.object({
  id: z.string().optional(),
  service: z.string().trim().min(1, { message: "Enter the service or role, e.g. Database on-call" }).max(120),
  name: z.string().trim().min(1, { message: "Enter the contact's name" }).max(120),
  phone: z
    .string()
    .trim()
    .max(40)
    .regex(/^[+0-9 ()./-]*$/, { message: "Use digits, spaces and + ( ) - . / only" })
    .default(""),
  email: z.union([z.literal(""), z.email({ message: "Enter a valid e-mail address" })]).default(""),
  escalation: z.coerce.number({ message: "Escalation order must be a number" }).int().min(1).max(20).default(1),
});
export const contactIdSchema = z.object({ id: z.string().min(1) });
