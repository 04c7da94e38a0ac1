import { pgErrorStatus, UserError } from "@/lib/errors";
import type { PgTool } from "./commands";

// What can go wrong when Lifeboat talks to PostgreSQL, as codes callers branch on (never on
// message text). PgError is safe to show: its message names the cause and what to do, with
// the password masked out. PgCommandError is the rest (an SQL error the operator did not
// cause, a tool crash): logged with its detail, shown as a generic message.

export const PG_ERROR_CODES = [
  /** The database named in the connection does not exist on the server. */
  "database_missing",
  /** The login role does not exist. */
  "role_missing",
  /** The server refused the password. */
  "auth_failed",
  /** The server wants a password and none is set. */
  "password_missing",
  /** pg_hba.conf has no entry for this host, user and database. */
  "host_rejected",
  /** TLS was required but the server does not offer it (or the reverse). */
  "ssl_failed",
  /** The host name does not resolve. */
  "host_not_found",
  /** Nothing listens on the host and port. */
  "connection_refused",
  /** No answer within the connect timeout, or no route to the host. */
  "connect_timeout",
  /** The server is starting up, shutting down or in recovery. */
  "server_unavailable",
  /** max_connections reached. */
  "too_many_connections",
  /** The server closed the connection while the tool was working. */
  "connection_lost",
  /** Any other failure to connect; the message carries the server's words. */
  "connection_failed",
  /** The client tool is older than the server. */
  "version_mismatch",
  /** The client tool is not installed (or not executable). */
  "tool_missing",
  /** The user lacks a privilege. */
  "permission_denied",
  /** Lifeboat cancelled the tool (the run was cancelled). */
  "cancelled",
  /** The tool did not finish within Lifeboat's deadline. */
  "timeout",
] as const;

export type PgErrorCode = (typeof PG_ERROR_CODES)[number];

/** The codes that mean "could not connect / log in": nothing was read or changed. */
export const PG_CONNECTION_CODES: ReadonlySet<PgErrorCode> = new Set<PgErrorCode>([
  "database_missing",
  "role_missing",
  "auth_failed",
  "password_missing",
  "host_rejected",
  "ssl_failed",
  "host_not_found",
  "connection_refused",
  "connect_timeout",
  "server_unavailable",
  "too_many_connections",
  "connection_failed",
]);

/** A PostgreSQL failure the operator can act on; the message says what happened and what to do. */
export class PgError extends UserError {
  constructor(
    public readonly code: PgErrorCode,
    message: string,
    public readonly tool: PgTool | null = null,
    /** The server's SQLSTATE when it reported one. */
    public readonly sqlstate: string | null = null,
    /** For database_missing / role_missing: the name the server reported. */
    public readonly subject: string | null = null,
  ) {
    super(message, pgErrorStatus(code));
    this.name = "PgError";
  }
}

export function isPgError(e: unknown, ...codes: PgErrorCode[]): e is PgError {
  return e instanceof PgError && (codes.length === 0 || codes.includes(e.code));
}

/** A PostgreSQL client tool failed in a way that is not obviously the operator's to fix. */
export class PgCommandError extends Error {
  /** "sql_error" when the server reported an SQLSTATE, else "tool_failed". */
  public readonly code: "sql_error" | "tool_failed";
  constructor(
    public readonly tool: PgTool,
    public readonly exitCode: number | null,
    /** stderr with the password masked. */
    public readonly stderr: string,
    message: string,
    /** The server's SQLSTATE when psql reported one. */
    public readonly sqlstate: string | null = null,
  ) {
    super(message);
    this.name = "PgCommandError";
    this.code = sqlstate === null ? "tool_failed" : "sql_error";
  }
}
