import { z } from "zod";

// Fields every driver's configuration shares.

/** Limits a location to keys under it; relative, no NUL and no ".." segment. */
export const prefixSchema = z
  .string()
  .trim()
  .max(512)
  .default("")
  .refine((p) => !p.includes("\0") && !p.split("/").includes(".."), { message: "A prefix cannot contain NUL or '..'" });
