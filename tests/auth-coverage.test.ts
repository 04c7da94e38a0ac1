import path from "node:path";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { ROOT, routeFiles, serverActionFiles } from "./support/files";
import type { SessionUser } from "@/lib/auth/session";
import { hasRole, ROLES, type Role } from "@/lib/auth/roles";

// The session is the one thing faked here: everything behind it is the real code.
const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const as = (role: Role): SessionUser => ({ id: `no-such-${role}`, email: `${role}@example.test`, name: role, role });

// Routes that answer without a session, on purpose. Anything else must be guarded.
const PUBLIC_ROUTES = new Set(["app/api/health/route.ts", "app/api/auth/[...nextauth]/route.ts"]);
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

type Guarded = ((...args: unknown[]) => Promise<unknown>) & { requiredRole?: Role | "public" };

const routes = routeFiles();
const actionFiles = serverActionFiles();

beforeEach(() => {
  session.user = null;
});

test("finds the app's route handlers and server actions", () => {
  expect(routes.length).toBeGreaterThanOrEqual(4);
  expect(actionFiles.length).toBeGreaterThanOrEqual(1);
});

describe.each(routes)("route %s", (file) => {
  test("every exported method is guarded and refuses the wrong caller", async () => {
    const mod = (await import(path.join(ROOT, file))) as Record<string, Guarded>;
    const methods = METHODS.filter((m) => typeof mod[m] === "function");
    expect(methods.length).toBeGreaterThan(0);
    for (const method of methods) {
      const handler = mod[method]!;
      if (PUBLIC_ROUTES.has(file)) continue;
      expect(ROLES, `${method} ${file} must be wrapped with withRole()`).toContain(handler.requiredRole);
      const needed = handler.requiredRole as Role;
      const call = async () =>
        (await handler(new Request("http://127.0.0.1/x", { method, body: method === "GET" ? undefined : "{}" }), {
          params: Promise.resolve({ id: "does-not-exist", key: "does-not-exist" }),
        })) as Response;

      session.user = null;
      expect((await call()).status, `${method} ${file} without a session`).toBe(401);

      session.user = as("viewer");
      const viewerStatus = (await call()).status;
      if (hasRole("viewer", needed)) expect([401, 403]).not.toContain(viewerStatus);
      else expect(viewerStatus, `${method} ${file} as viewer (needs ${needed})`).toBe(403);

      if (needed !== "viewer" && needed !== "operator") {
        session.user = as("operator");
        expect((await call()).status, `${method} ${file} as operator (needs ${needed})`).toBe(403);
      }
    }
  });
});

describe.each(actionFiles)("server actions in %s", (file) => {
  test("every export is guarded and refuses the wrong caller", async () => {
    const mod = (await import(path.join(ROOT, file))) as Record<string, Guarded>;
    const exports = Object.entries(mod).filter(([, v]) => typeof v === "function");
    expect(exports.length).toBeGreaterThan(0);
    for (const [name, fn] of exports) {
      expect(ROLES, `${name} in ${file} must be built with action()`).toContain(fn.requiredRole);
      const needed = fn.requiredRole as Role;

      session.user = null;
      expect(await fn({}), `${name} without a session`).toMatchObject({ ok: false, status: 401 });

      session.user = as("viewer");
      const asViewer = await fn({});
      if (hasRole("viewer", needed)) expect(asViewer).not.toMatchObject({ status: 403 });
      else expect(asViewer, `${name} as viewer (needs ${needed})`).toMatchObject({ ok: false, status: 403 });

      if (needed === "admin" || needed === "approver") {
        session.user = as("operator");
        expect(await fn({}), `${name} as operator (needs ${needed})`).toMatchObject({ ok: false, status: 403 });
      }
    }
  });
});

test("the public routes are exactly the ones that exist and are meant to be", () => {
  for (const file of PUBLIC_ROUTES) expect(routes).toContain(file);
});
