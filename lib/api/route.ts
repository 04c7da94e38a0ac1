import "server-only";
import { requireRole } from "@/lib/auth/guard";
import type { Role } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import { toErrorResponse } from "@/lib/errors";

export type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
type Handler = (req: Request, ctx: RouteContext) => Promise<Response>;
export type GuardedRoute = Handler & { requiredRole: Role | "public" };

function respond(result: unknown): Response {
  return result instanceof Response ? result : Response.json(result, { headers: { "cache-control": "no-store" } });
}

function fail(e: unknown): Response {
  const { status, body } = toErrorResponse(e);
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/** `export const GET = withRole("operator", async (req, { user, params }) => …)` */
export function withRole(
  role: Role,
  handler: (
    req: Request,
    ctx: { user: SessionUser; params: Record<string, string | string[] | undefined> },
  ) => Promise<unknown>,
): GuardedRoute {
  const run: Handler = async (req, ctx) => {
    try {
      const user = await requireRole(role);
      return respond(await handler(req, { user, params: (await ctx?.params) ?? {} }));
    } catch (e) {
      return fail(e);
    }
  };
  return Object.assign(run, { requiredRole: role });
}

/** For the few routes that must answer without a session (health checks). */
export function publicRoute(handler: (req: Request) => Promise<unknown>): GuardedRoute {
  const run: Handler = async (req) => {
    try {
      return respond(await handler(req));
    } catch (e) {
      return fail(e);
    }
  };
  return Object.assign(run, { requiredRole: "public" as const });
}
