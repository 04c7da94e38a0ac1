import "server-only";
import type { z } from "zod";
import { requireRole } from "@/lib/auth/guard";
import type { Role } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import { toErrorResponse, type ErrorBody } from "@/lib/errors";

export type ActionResult<T> = ({ ok: true; data: T }) | ({ ok: false; status: number } & ErrorBody);

export type GuardedAction<I, T> = ((input: I) => Promise<ActionResult<T>>) & { requiredRole: Role };

/**
 * Every server action goes through here: authorize (401/403) → validate input (zod)
 * → run → map errors. Actions return results instead of throwing because Next hides
 * thrown messages in production, and the user must read what went wrong.
 */
export function action<S extends z.ZodType, T>(
  role: Role,
  schema: S,
  handler: (input: z.output<S>, user: SessionUser) => Promise<T>,
): GuardedAction<z.input<S>, T> {
  const run = async (raw: z.input<S>): Promise<ActionResult<T>> => {
    try {
      const user = await requireRole(role);
      const input = schema.parse(raw);
      return { ok: true, data: await handler(input, user) };
    } catch (e) {
      const { status, body } = toErrorResponse(e);
      return { ok: false, status, ...body };
    }
  };
  return Object.assign(run, { requiredRole: role });
}
