// UserError: a message that is safe and useful to show (what happened, what to do).
// Anything else is logged with its detail and shown as a generic message.
// HTTP statuses are chosen here only: typed errors elsewhere carry a code, mapped below.

import type { PgErrorCode } from "@/lib/postgres/errors";

export class UserError extends Error {
  constructor(
    message: string,
    public readonly status: number = 400,
  ) {
    super(message);
    this.name = "UserError";
  }
}

export class AuthError extends UserError {
  constructor(status: 401 | 403, message?: string) {
    super(
      message ??
        (status === 401
          ? "You are not signed in. Sign in and try again."
          : "Your role does not allow this. Ask an admin for a role that does."),
      status,
    );
    this.name = "AuthError";
  }
}

export class NotFoundError extends UserError {
  constructor(what: string) {
    super(`${what} was not found. It may have been removed; reload the page.`, 404);
    this.name = "NotFoundError";
  }
}

const PG_ERROR_STATUS: Record<PgErrorCode, number> = {
  database_missing: 404,
  role_missing: 400,
  auth_failed: 400,
  password_missing: 400,
  host_rejected: 400,
  ssl_failed: 400,
  host_not_found: 400,
  connection_refused: 503,
  connect_timeout: 503,
  server_unavailable: 503,
  too_many_connections: 503,
  connection_lost: 503,
  connection_failed: 502,
  version_mismatch: 400,
  tool_missing: 500,
  permission_denied: 403,
  cancelled: 499,
  timeout: 504,
};

/** The HTTP status of a PostgreSQL failure (lib/postgres/errors.ts). */
export function pgErrorStatus(code: PgErrorCode): number {
  return PG_ERROR_STATUS[code];
}

export const GENERIC_ERROR = "Something went wrong on the server. The details are in the server log.";

export type ErrorBody = {
  error: string;
  /** A typed error's code (e.g. a PostgreSQL failure's "database_missing"), for clients that branch on it. */
  code?: string;
  issues?: { path: string; message: string }[];
};

type ZodLikeError = { name: string; issues: { path: PropertyKey[]; message: string }[] };

function isZodError(e: unknown): e is ZodLikeError {
  return e instanceof Error && e.name === "ZodError" && Array.isArray((e as unknown as ZodLikeError).issues);
}

/** A field's path in words for the summary line: `retentionDays` → "retention days", `steps.2.name` → "steps 2 name". */
export function fieldWords(path: PropertyKey[]): string {
  const words = path
    .map(String)
    .join(" ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_.\s]+/g, " ")
    .trim()
    .toLowerCase();
  return words === "" ? "input" : words;
}

/** One error mapper for route handlers and server actions. */
export function toErrorResponse(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof UserError) {
    const code = (e as { code?: unknown }).code;
    return { status: e.status, body: typeof code === "string" ? { error: e.message, code } : { error: e.message } };
  }
  if (isZodError(e)) {
    return {
      status: 400,
      body: {
        error: "Some fields are not valid: " + e.issues.map((i) => `${fieldWords(i.path)}: ${i.message}`).join("; "),
        issues: e.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
      },
    };
  }
  console.error("[lifeboat] unexpected error:", e);
  return { status: 500, body: { error: GENERIC_ERROR } };
}
