import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { ROOT, routeFiles, serverActionFiles, walk } from "./support/files";
import type { SessionUser } from "@/lib/auth/session";
import { hasRole, ROLES, type Role } from "@/lib/auth/roles";
import type { CommandInfo } from "@/lib/actions/define-command";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto/key";
import { createDatabase, dropDatabase, testConnection } from "@/lib/postgres/test-support";
import { runPsqlQuery } from "@/lib/postgres/run";
import { needsApprovalMessage } from "@/lib/restores/approval";

// The session is the one thing faked here: everything behind it is the real code.
const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const as = (role: Role): SessionUser => ({ id: `no-such-${role}`, email: `${role}@example.test`, name: role, role });

// Routes that answer without a session, on purpose. Anything else must be guarded. /metrics
// takes a bearer token instead (tests/alerts/metrics.test.ts: 404 unset, 401 without it).
const PUBLIC_ROUTES = new Set([
  "app/api/health/route.ts",
  "app/api/auth/[...nextauth]/route.ts",
  "app/metrics/route.ts",
  // An API token instead of a session (tests/security/api-tokens.test.ts: 401, 403, revoked).
  "app/api/v1/databases/[name]/backups/route.ts",
  // The same token rules for restore points (tests/pitr/restore-points.test.ts).
  "app/api/v1/databases/[name]/restore-points/route.ts",
]);
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

type Guarded = ((...args: unknown[]) => Promise<unknown>) & { requiredRole?: Role | "public" };

const routes = routeFiles();
const actionFiles = serverActionFiles();

async function databaseExists(name: string): Promise<boolean> {
  const rows = await runPsqlQuery(
    testConnection(),
    `SELECT count(*) FROM pg_database WHERE datname = '${name.replace(/'/g, "''")}'`,
  );
  return rows[0]?.[0] === "1";
}

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

// Every write is a command declared in lib/<domain>/commands.ts (or <part>-commands.ts); the "use server" files only
// re-export them. The declarations are found by walking lib/, not from a list kept here.
type Declared = Guarded & { command?: CommandInfo };
const commandFiles = walk(path.join(ROOT, "lib"))
  .filter((f) => /[/\\](?:[a-z]+-)?commands\.ts$/.test(f))
  .map((f) => path.relative(ROOT, f));

async function declaredCommands(): Promise<Map<string, Declared>> {
  const found = new Map<string, Declared>();
  for (const file of commandFiles) {
    const mod = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(mod)) {
      const cmd = value as Declared;
      if (typeof cmd !== "function" || !cmd.command) continue;
      expect(found.has(cmd.command.name), `${cmd.command.name} (${file} ${exportName}) is declared twice`).toBe(false);
      found.set(cmd.command.name, cmd);
    }
  }
  return found;
}

const commands = await declaredCommands();
const LOWER: Record<Role, Role[]> = {
  viewer: [],
  operator: ["viewer"],
  approver: ["viewer", "operator"],
  admin: ["viewer", "operator", "approver"],
};

test("finds the commands declared in lib/", () => {
  expect(commands.size).toBeGreaterThanOrEqual(20);
  for (const name of ["restores.complete-step", "restores.drop-old-copy", "databases.save", "users.create"])
    expect(commands.has(name)).toBe(true);
});

describe.each([...commands.keys()])("command %s", (name) => {
  test("refuses no session (401) and every lower role (403)", async () => {
    const cmd = commands.get(name)!;
    const needed = cmd.command!.role;
    expect(ROLES).toContain(needed);
    session.user = null;
    expect(await cmd({}), `${name} without a session`).toMatchObject({ ok: false, status: 401 });
    for (const lower of LOWER[needed]) {
      session.user = as(lower);
      expect(await cmd({}), `${name} as ${lower} (needs ${needed})`).toMatchObject({ ok: false, status: 403 });
    }
  });
});

describe.each(actionFiles)("server actions in %s", (file) => {
  test("every export is a command declared in lib/", async () => {
    const mod = (await import(path.join(ROOT, file))) as Record<string, Declared>;
    const exports = Object.entries(mod).filter(([, v]) => typeof v === "function");
    expect(exports.length).toBeGreaterThan(0);
    for (const [exportName, fn] of exports) {
      expect(fn.command, `${exportName} in ${file} must be a command from lib/<domain>/commands.ts`).toBeDefined();
      expect(
        commands.has(fn.command!.name),
        `${exportName} in ${file}: ${fn.command!.name} is not declared in lib/`,
      ).toBe(true);
      session.user = null;
      expect(await fn({}), `${exportName} without a session`).toMatchObject({ ok: false, status: 401 });
    }
  });
});

// Destructive steps on production need a second person; the same steps on staging stay with operators.
describe("production needs a second person", () => {
  let users: Record<"operator" | "approver", SessionUser>;
  const created: string[] = [];

  async function database(environment: "production" | "staging") {
    const pg = testConnection();
    return db.database.create({
      data: {
        name: `coverage-${environment}-${randomUUID()}`,
        environment,
        host: pg.host,
        port: pg.port,
        dbName: pg.database,
        user: pg.user,
        passwordEnc: seal(pg.password ?? ""),
        sslmode: "disable",
      },
    });
  }

  /** A run of `databaseId` waiting for the tick on its confirmation step (index 1). */
  async function runWaitingForConfirmation(databaseId: string, key: "confirm-switch-over" | "confirm-copy-back") {
    const run = await db.run.create({
      data: {
        scenarioId: "database-corruption",
        scenarioVersion: 1,
        databaseId,
        status: "waiting",
        plan: JSON.stringify({ scenarioId: "database-corruption", scenarioVersion: 1, steps: [], summary: {} }),
        planHash: "0".repeat(64),
        createdBy: "coverage@example.test",
        steps: {
          create: [
            {
              index: 0,
              key: "restore-scratch",
              title: "Restore into a scratch database",
              kind: "automatic",
              status: "succeeded",
            },
            { index: 1, key, title: "Confirm", kind: "confirmation", status: "waiting" },
            { index: 2, key: "check-health", title: "Check health", kind: "manual", status: "pending" },
          ],
        },
      },
    });
    return run.id;
  }

  /** A succeeded run that kept `oldCopy` (a real database on the test server). */
  async function runThatKept(databaseId: string) {
    const oldCopy = `lb_cov_before_${String(Math.floor(Math.random() * 1e14)).padStart(14, "0")}`;
    await createDatabase(oldCopy);
    created.push(oldCopy);
    const run = await db.run.create({
      data: {
        scenarioId: "database-corruption",
        scenarioVersion: 1,
        databaseId,
        status: "succeeded",
        plan: JSON.stringify({
          scenarioId: "database-corruption",
          scenarioVersion: 1,
          steps: [],
          summary: { oldCopy },
        }),
        planHash: "0".repeat(64),
        createdBy: "coverage@example.test",
      },
    });
    return { runId: run.id, oldCopy };
  }

  beforeAll(async () => {
    const make = async (role: "operator" | "approver") => {
      const u = await db.user.create({
        data: { email: `coverage-${role}-${randomUUID()}@example.test`, name: role, role },
      });
      return { id: u.id, email: u.email, name: u.name, role } satisfies SessionUser;
    };
    users = { operator: await make("operator"), approver: await make("approver") };
  });

  afterAll(async () => {
    for (const name of created) await dropDatabase(name);
  });

  const completeStep = () => commands.get("restores.complete-step")!;
  const dropOldCopy = () => commands.get("restores.drop-old-copy")!;

  // The two-person rule (production by default): even an approver's tick is refused without an
  // approval from a second approver; tests/security/approvals.test.ts attacks it in detail.
  test("a production switch-over is refused without an approval (403), even to an approver; approved, an operator's tick succeeds", async () => {
    const prod = await database("production");
    const runId = await runWaitingForConfirmation(prod.id, "confirm-switch-over");

    for (const who of [users.operator, users.approver]) {
      session.user = who;
      const refused = await completeStep()({ runId, stepIndex: 1 });
      expect(refused).toMatchObject({
        ok: false,
        status: 403,
        error: needsApprovalMessage("run.switch-over", "production"),
      });
    }
    expect((await db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index: 1 } } })).status).toBe(
      "waiting",
    );

    session.user = users.operator;
    const asked = await commands.get("approvals.request")!({ action: "run.switch-over", subjectId: runId });
    expect(asked).toMatchObject({ ok: true });
    session.user = users.approver;
    const approvalId = (asked as { data: { approvalId: string } }).data.approvalId;
    expect(await commands.get("approvals.approve")!({ approvalId })).toMatchObject({ ok: true });
    session.user = users.operator;
    expect(await completeStep()({ runId, stepIndex: 1, note: "application stopped" })).toEqual({
      ok: true,
      data: { runId, stepIndex: 1 },
    });
    const step = await db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index: 1 } } });
    expect(step).toMatchObject({ status: "succeeded", completedBy: users.operator.email });
    expect(await db.auditEvent.count({ where: { targetId: runId, action: "run.step.complete" } })).toBe(1);
  });

  test("a production copy-back is refused without an approval (403)", async () => {
    const prod = await database("production");
    const runId = await runWaitingForConfirmation(prod.id, "confirm-copy-back");
    session.user = users.operator;
    expect(await completeStep()({ runId, stepIndex: 1 })).toMatchObject({
      ok: false,
      status: 403,
      error: needsApprovalMessage("run.copy-back", "production"),
    });
  });

  test("on staging an operator confirms the switch-over", async () => {
    const staging = await database("staging");
    const runId = await runWaitingForConfirmation(staging.id, "confirm-switch-over");
    session.user = users.operator;
    expect(await completeStep()({ runId, stepIndex: 1 })).toEqual({ ok: true, data: { runId, stepIndex: 1 } });
  });

  test("dropping a kept production copy is refused without an approval (403), even to an approver", async () => {
    const prod = await database("production");
    const { runId, oldCopy } = await runThatKept(prod.id);

    for (const who of [users.operator, users.approver]) {
      session.user = who;
      expect(await dropOldCopy()({ runId, typedName: oldCopy })).toMatchObject({
        ok: false,
        status: 403,
        error: needsApprovalMessage("run.drop-old-copy", "production"),
      });
    }
    expect(await databaseExists(oldCopy)).toBe(true);
  });

  test("on staging an operator drops the kept copy", async () => {
    const staging = await database("staging");
    const { runId, oldCopy } = await runThatKept(staging.id);
    session.user = users.operator;
    expect(await dropOldCopy()({ runId, typedName: oldCopy })).toMatchObject({ ok: true, data: { dropped: true } });
  });
});

test("the public routes are exactly the ones that exist and are meant to be", () => {
  for (const file of PUBLIC_ROUTES) expect(routes).toContain(file);
});
