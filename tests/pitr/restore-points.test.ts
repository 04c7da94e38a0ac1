import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runPsqlQuery } from "@/lib/postgres/run";
import { createApiTokenCommand, revokeApiTokenCommand } from "@/lib/api-tokens/commands";
import { sealDatabasePassword } from "@/tests/support/seal-password";
import { pitrArchive, pitrConnection } from "@/lib/pitr/test-support";
import { createRestorePoint } from "@/lib/pitr/mutations";
import { createRestorePointCommand, switchWalCommand } from "@/lib/pitr/commands";
import { POST } from "@/app/api/v1/databases/[name]/restore-points/route";

// Restore points and Switch WAL on the shared archiving cluster (rows and restore points only:
// the cluster is never stopped or reconfigured). The pipeline endpoint's token rules, and a name
// that tries to break out of its literal.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));
const admin: SessionUser = { id: "rp-admin", email: "admin@example.test", name: "Admin", role: "admin" };
const operator: SessionUser = { id: "rp-op", email: "op@example.test", name: "Op", role: "operator" };
const viewer: SessionUser = { id: "rp-viewer", email: "viewer@example.test", name: "Viewer", role: "viewer" };

const tag = randomBytes(3).toString("hex");
const dbs = { inScope: { id: "", name: `pitr-rp-${tag}` }, other: { id: "", name: `pitr-rp-other-${tag}` } };
let scopedToken = "";
let revokedToken = "";

async function call(name: string, init: { token?: string | null; body?: unknown }) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const req = new Request(`http://127.0.0.1/api/v1/databases/${encodeURIComponent(name)}/restore-points`, {
    method: "POST",
    headers,
    body: init.body === undefined ? "{}" : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  const res = await POST(req, { params: Promise.resolve({ name }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function issue(name: string, databaseIds: string[] | "all") {
  session.user = admin;
  const r = await createApiTokenCommand({
    name,
    allDatabases: databaseIds === "all",
    databaseIds: databaseIds === "all" ? [] : databaseIds,
  });
  session.user = null;
  if (!r.ok) throw new Error(r.error);
  return r.data;
}

beforeAll(async () => {
  const c = pitrConnection();
  for (const k of ["inScope", "other"] as const) {
    const row = await db.database.create({
      data: { name: dbs[k].name, host: c.host, port: c.port, dbName: "postgres", user: c.user, environment: "test" },
    });
    dbs[k].id = row.id;
    await sealDatabasePassword(row.id, c.password ?? "");
  }
  const a = pitrArchive();
  await db.walArchive.create({
    data: {
      databaseId: dbs.inScope.id,
      stanza: a.stanza,
      configPath: a.configPath,
      repoType: "posix",
      repoPath: a.repoPath,
    },
  });
  scopedToken = (await issue(`rp-deploy-${tag}`, [dbs.inScope.id])).token;
  const revoked = await issue(`rp-old-${tag}`, "all");
  revokedToken = revoked.token;
  session.user = admin;
  expect((await revokeApiTokenCommand({ id: revoked.id })).ok).toBe(true);
  session.user = null;
}, 60_000);

afterAll(async () => {
  for (const d of Object.values(dbs))
    if (d.id) await db.database.delete({ where: { id: d.id } }).catch(() => undefined);
});

describe("POST /api/v1/databases/{name}/restore-points", () => {
  test("refuses without a valid token, and out of scope, creating nothing", async () => {
    expect((await call(dbs.inScope.name, { body: { name: "x1" } })).status).toBe(401);
    expect((await call(dbs.inScope.name, { token: "lbt_not-a-token", body: { name: "x1" } })).status).toBe(401);
    expect((await call(dbs.inScope.name, { token: revokedToken, body: { name: "x1" } })).status).toBe(401);
    expect((await call(dbs.other.name, { token: scopedToken, body: { name: "x1" } })).status).toBe(403);
    expect((await call("no-such-database", { token: scopedToken, body: { name: "x1" } })).status).toBe(403);
    // Other tests of this file create restore points with other names, in any order.
    expect(await db.restorePoint.count({ where: { name: "x1" } })).toBe(0);
  });

  test("refuses a name that is not a plain restore point name", async () => {
    for (const name of [
      "",
      "x'); SELECT pg_terminate_backend(pg_backend_pid()); --",
      "a b",
      "-x",
      "é",
      "a".repeat(64),
    ]) {
      const r = await call(dbs.inScope.name, { token: scopedToken, body: { name } });
      expect(r.status).toBe(400);
    }
    expect((await call(dbs.inScope.name, { token: scopedToken, body: "not json" })).status).toBe(400);
  });

  test("creates the restore point with its LSN, and refuses the same name twice", async () => {
    const name = `before-migration-${tag}`;
    const r = await call(dbs.inScope.name, { token: scopedToken, body: { name } });
    expect(r.status).toBe(201);
    expect(r.body.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const row = await db.restorePoint.findFirstOrThrow({ where: { databaseId: dbs.inScope.id, name } });
    expect(row).toMatchObject({ source: "api", lsn: r.body.lsn, createdBy: `api-token:rp-deploy-${tag}` });
    expect((await call(dbs.inScope.name, { token: scopedToken, body: { name } })).status).toBe(409);
    const audit = await db.auditEvent.findFirst({
      where: { action: "api.restore-point", targetId: dbs.inScope.id },
      orderBy: { id: "desc" },
    });
    expect(audit?.detail).toContain("created");
    expect(audit?.detail).not.toContain(scopedToken);
  });
});

describe("restore points and Switch WAL from the console", () => {
  test("a name is passed as a literal, never as SQL", async () => {
    const evil = `x'); CREATE TABLE h3_pwned_${tag} (); SELECT ('`;
    const r = await createRestorePoint(
      { databaseId: dbs.inScope.id, name: evil },
      { email: "test", source: "console" },
    );
    expect(r.lsn).toMatch(/\//);
    const [[exists] = []] = await runPsqlQuery(pitrConnection(), `SELECT to_regclass('h3_pwned_${tag}') IS NOT NULL`);
    expect(exists).toBe("f");
  });

  test("viewers may not; an operator's restore point and switch move the newest recoverable moment", async () => {
    session.user = viewer;
    expect((await createRestorePointCommand({ databaseId: dbs.inScope.id, name: "nope" })).ok).toBe(false);
    expect((await switchWalCommand({ databaseId: dbs.inScope.id })).ok).toBe(false);
    session.user = operator;
    const table = `h3_rp_${tag}`;
    await runPsqlQuery(pitrConnection(), `CREATE TABLE ${table} (id int); INSERT INTO ${table} VALUES (1)`);
    const [[committedAt = ""] = []] = await runPsqlQuery(
      pitrConnection(),
      `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    );
    await runPsqlQuery(pitrConnection(), `DROP TABLE ${table}`);
    const rp = await createRestorePointCommand({ databaseId: dbs.inScope.id, name: `console-${tag}` });
    expect(rp.ok).toBe(true);
    const sw = await switchWalCommand({ databaseId: dbs.inScope.id });
    if (!sw.ok) throw new Error(sw.error);
    expect(sw.data.archived).toBe(true);
    // The DROP committed after `committedAt`, and its segment is archived: the moment is inside the window.
    expect(Date.parse(sw.data.newestRecoverable ?? "")).toBeGreaterThanOrEqual(Date.parse(committedAt));
    const audits = await db.auditEvent.findMany({
      where: { targetId: dbs.inScope.id, action: { in: ["restore-point.create", "wal-archive.switch-wal"] } },
    });
    expect(audits.map((a) => a.action).sort()).toEqual(["restore-point.create", "wal-archive.switch-wal"]);
    session.user = null;
  }, 60_000);
});
