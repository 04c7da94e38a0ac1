import type { z } from "zod";
import { UserError } from "@/lib/errors";

// Reading JSON (and state words) that Lifeboat stored in its own database. The module that
// writes a column owns its zod schema; readers parse with it here. Something that does not
// match was written by hand or by another version: the reader gets a message naming the
// column instead of a crash deep inside a page.

export class StoredDataError extends UserError {
  constructor(what: string, detail: string) {
    super(
      `Lifeboat's database holds a malformed ${what} (${detail}). It was changed outside Lifeboat or by another version; restore the row or ask an admin to check it.`,
      500,
    );
    this.name = "StoredDataError";
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join(".") || "value"}: ${i.message}`)
    .join("; ");
}

/** Parses a stored JSON text with its producer's schema; throws StoredDataError when it does not fit. */
export function parseStoredJson<S extends z.ZodType>(text: string, schema: S, what: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which may hold data: never pass it on.
    throw new StoredDataError(what, "not JSON");
  }
  return checkStored(value, schema, what);
}

/** The same for a nullable column: null stays null. */
export function parseStoredJsonOrNull<S extends z.ZodType>(
  text: string | null,
  schema: S,
  what: string,
): z.output<S> | null {
  return text === null ? null : parseStoredJson(text, schema, what);
}

/** Checks a value that was already parsed (e.g. a step's result handed to a later step). */
export function checkStored<S extends z.ZodType>(value: unknown, schema: S, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StoredDataError(what, describeIssues(parsed.error));
  return parsed.data;
}

/** A state word read from Lifeboat's database; one outside the list is refused, never shown as another state. */
export function storedState<T extends string>(list: readonly T[], value: string, what: string): T {
  if ((list as readonly string[]).includes(value)) return value as T;
  throw new StoredDataError(what, `"${value.slice(0, 40)}" is none of ${list.join(", ")}`);
}
