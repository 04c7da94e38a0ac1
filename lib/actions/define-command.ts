import "server-only";
import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { retryAuditRace } from "@/lib/audit/chain";
import { recordAudit } from "@/lib/audit/record";
import { inTransaction } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import type { Role } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import { toErrorResponse, type ErrorBody } from "@/lib/errors";

/** What a server action returns: its data, or a refusal or failure the user can read. */
export type ActionResult<T> = { ok: true; data: T } | ({ ok: false; status: number } & ErrorBody);

/** The audit event a command writes once it succeeded (never on a refusal or a failure). */
export type CommandAudit<I, R> =
  | {
      action: string | ((input: I, result: R) => string);
      targetType: string;
      targetId?: (input: I, result: R) => string | null | undefined;
      /** Names, ids and counts only: never a secret. */
      detail?: (input: I, result: R) => Record<string, unknown>;
    }
  // The runner writes its own event together with its run-log line, because it is also driven
  // by things that are not commands (resume after a restart); the command only names the event.
  | { action: string; recordedBy: "runner" };

export type CommandSpec<S extends z.ZodType, R> = {
  /** `<domain>.<verb-noun>`, unique: it names the command in the audit test and the logs. */
  name: string;
  /** The least role that may try it (401 without a session, 403 below it). */
  role: Role;
  input: S;
  /**
   * A stricter rule that depends on what is being done (a production target needs an approver).
   * Runs after the input is valid and before the handler; refuses by throwing AuthError(403).
   */
  authorize?: (input: z.output<S>, user: SessionUser) => Promise<void>;
  // The result's type comes from the handler alone.
  audit: CommandAudit<z.output<S>, NoInfer<R>>;
  /**
   * The handler only reads and writes Lifeboat's database: it and its audit event run in one
   * transaction (both commit or neither). Never for a handler that calls a client tool, a
   * storage server or the network, or hashes a password under load: the one connection is held
   * until it returns.
   */
  transaction?: boolean;
  handler: (input: z.output<S>, user: SessionUser) => Promise<R>;
};

export type CommandInfo = {
  name: string;
  role: Role;
  auditAction: string;
  authorizes: boolean;
  /** The change and its audit event commit together. */
  transactional: boolean;
};

export type Command<I, R> = ((input: I) => Promise<ActionResult<R>>) & { command: CommandInfo; requiredRole: Role };

/**
 * Declares one write: who may do it, its input, its audit event and what it does. The result
 * is the server action itself (an async function), so a "use server" file only re-exports it.
 * Order: session and role (401/403) → input (400) → the command's own rule (403) → handler →
 * audit event. Refusals are returned, not thrown, because Next hides thrown messages in
 * production and the user must read what went wrong.
 */
export function defineCommand<S extends z.ZodType, R>(spec: CommandSpec<S, R>): Command<z.input<S>, R> {
  const auditAction =
    typeof spec.audit.action === "string"
      ? spec.audit.action
      : "recordedBy" in spec.audit
        ? ""
        : `${spec.audit.targetType}.*`;
  const run = async (raw: z.input<S>): Promise<ActionResult<R>> => {
    try {
      const user = await requireRole(spec.role);
      const input = spec.input.parse(raw);
      if (spec.authorize) await spec.authorize(input, user);
      const act = async () => {
        const result = await spec.handler(input, user);
        const audit = spec.audit;
        if (!("recordedBy" in audit)) {
          await recordAudit(user, {
            action: typeof audit.action === "string" ? audit.action : audit.action(input, result),
            targetType: audit.targetType,
            targetId: audit.targetId?.(input, result) ?? null,
            detail: audit.detail?.(input, result),
          });
        }
        return result;
      };
      // In a transaction the handler runs again only when another process took the audit
      // log's next place first: nothing of the first try was committed.
      const data = spec.transaction
        ? await retryAuditRace(() => inTransaction(act, { maxWait: 10_000, timeout: 30_000 }))
        : await act();
      return { ok: true, data };
    } catch (e) {
      const { status, body } = toErrorResponse(e);
      return { ok: false, status, ...body };
    }
  };
  const info: CommandInfo = {
    name: spec.name,
    role: spec.role,
    auditAction,
    authorizes: Boolean(spec.authorize),
    transactional: Boolean(spec.transaction),
  };
  return Object.assign(run, { command: info, requiredRole: spec.role });
}

/**
 * For "use server" files: the same command, and after a success the pages that show what it
 * changed are re-rendered. Keeps the command's metadata, so the coverage test still sees it.
 */
export function withRevalidation<I, R>(
  command: Command<I, R>,
  ...paths: (string | [string, "layout" | "page"])[]
): Command<I, R> {
  const run = async (input: I): Promise<ActionResult<R>> => {
    const result = await command(input);
    if (result.ok) {
      for (const p of paths) {
        if (typeof p === "string") revalidatePath(p);
        else revalidatePath(p[0], p[1]);
      }
    }
    return result;
  };
  return Object.assign(run, { command: command.command, requiredRole: command.requiredRole });
}
