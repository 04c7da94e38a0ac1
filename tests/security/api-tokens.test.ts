import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import type { PgConnection } from "@/lib/postgres/connection";
import { createApiTokenCommand, revokeApiTokenCommand } from "@/lib/api-tokens/commands";
import { configureBackupRetries } from "@/lib/backups/backup-run";
import { uniqueName } from "@/tests/support/services";
import { databaseEntry, freshLocation } from "@/tests/support/backup-targets";
import { POST } from "@/app/api/v1/databases/[name]/backups/route";

// The pipeline endpoint's attack surface: without a valid token (missing, wrong, malformed,
// revoked) it answers 401, for a database outside the token's scope 403 (existing or not), and
// in both cases starts nothing. A valid token takes the labelled backup and returns its key and
// checksum. Tokens are stored as sha256 only, and never reach the audit log.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));
const admin: SessionUser = { id: "api-token-admin", email: "admin@example.test", name: "Admin", role: "admin" };

let conn: PgConnection;
const folders: string[] = [];
const tag = randomBytes(3).toString("hex");
let locationId: string;
const dbs = { inScope: { id: "", name: "" }, other: { id: "", name: "" } };
let scopedToken = "";
let revokedToken = "";

async function call(name: string, init: { token?: string | null; header?: string; body?: unknown }) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.header !== undefined) headers.authorization = init.header;
  else if (init.token) headers.authorization = `Bearer ${init.token}`;
  const req = new Request(`http://127.0.0.1/api/v1/databases/${encodeURIComponent(name)}/backups`, {
    method: "POST",
    headers,
    body: init.body === undefined ? "{}" : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  const res = await POST(req, { params: Promise.resolve({ name }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function startedFor(databaseId: string) {
  return {
    runs: await db.run.count({ where: { databaseId } }),
    backups: await db.backup.count({ where: { databaseId } }),
  };
}

async function issue(name: string, databaseIds: string[] | "all"): Promise<{ id: string; token: string }> {
  session.user = admin;
  const r = await createApiTokenCommand({
    name,
    allDatabases: databaseIds === "all",
    databaseIds: databaseIds === "all" ? [] : databaseIds,
  });
  session.user = null;
  if (!r.ok) throw new Error(r.error);
  return { id: r.data.id, token: r.data.token };
}

beforeAll(async () => {
  conn = await createFixtureDatabase("apitok");
  configureBackupRetries({ delaysMs: [] });
  locationId = (await freshLocation("local", `apitok-${tag}`, folders)).id;
  for (const k of ["inScope", "other"] as const) {
    const name = uniqueName(`apitok-${k.toLowerCase()}`);
    dbs[k] = { id: await databaseEntry(conn, name, [locationId]), name };
  }
  scopedToken = (await issue(`deploy-${tag}`, [dbs.inScope.id])).token;
  const revoked = await issue(`old-${tag}`, "all");
  revokedToken = revoked.token;
  session.user = admin;
  const r = await revokeApiTokenCommand({ id: revoked.id });
  session.user = null;
  expect(r.ok).toBe(true);
}, 120_000);

afterAll(async () => {
  if (conn) await dropDatabase(conn.database);
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

describe("refused callers start nothing", () => {
  test.each([
    ["no Authorization header", { token: null }],
    ["a wrong token", { token: `lbt_${randomBytes(32).toString("base64url")}` }],
    ["a token's hash instead of the token", { token: "" }],
    ["Basic instead of Bearer", { header: "" }],
    ["a revoked token", { token: "" }],
  ] as const)("%s → 401", async (what, init) => {
    const before = await startedFor(dbs.inScope.id);
    const hashOfValid = createHash("sha256").update(scopedToken).digest("hex");
    const resolved =
      what === "a token's hash instead of the token"
        ? { token: hashOfValid }
        : what === "Basic instead of Bearer"
          ? { header: `Basic ${Buffer.from(`x:${scopedToken}`).toString("base64")}` }
          : what === "a revoked token"
            ? { token: revokedToken }
            : init;
    const r = await call(dbs.inScope.name, { ...resolved, body: { label: "pre-migration", wait: true } });
    expect(r.status).toBe(401);
    expect(String(r.body.error)).toMatch(/A valid API token is required/);
    expect(await startedFor(dbs.inScope.id)).toEqual(before);
  });

  test("a database outside the token's scope → 403, whether it exists or not", async () => {
    const before = await startedFor(dbs.other.id);
    const r = await call(dbs.other.name, { token: scopedToken, body: { label: "pre-migration", wait: true } });
    expect(r.status).toBe(403);
    expect(String(r.body.error)).toContain(`This token may not back up "${dbs.other.name}"`);
    expect(await startedFor(dbs.other.id)).toEqual(before);
    expect((await call(`no-such-${tag}`, { token: scopedToken })).status).toBe(403);
  });

  test("an invalid body → 400, nothing started", async () => {
    const before = await startedFor(dbs.inScope.id);
    const bad = await call(dbs.inScope.name, { token: scopedToken, body: { label: "daily" } });
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toMatch(/label/);
    expect((await call(dbs.inScope.name, { token: scopedToken, body: "{not json" })).status).toBe(400);
    expect(await startedFor(dbs.inScope.id)).toEqual(before);
  });
});

test("a valid token takes a pre-migration backup, waits, and returns its key, sha256, size and run", async () => {
  const r = await call(dbs.inScope.name, {
    token: scopedToken,
    body: { label: "pre-migration", wait: true, timeoutSeconds: 120 },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body).toMatchObject({ status: "succeeded", label: "pre-migration", verification: "verified" });
  const key = String(r.body.key);
  expect(key).toMatch(/^lifeboat\/apitok-inscope-.+\/apitok-inscope-.+_pre_migration_\d{8}_\d{6}\.dump$/);
  const location = await db.location.findUniqueOrThrow({ where: { id: locationId } });
  const hash = createHash("sha256");
  for await (const chunk of await createStorage(fullConfig(location)).read(key)) hash.update(chunk as Buffer);
  expect(r.body.sha256).toBe(hash.digest("hex"));
  const backup = await db.backup.findUniqueOrThrow({ where: { locationId_key: { locationId, key } } });
  expect(backup).toMatchObject({ label: "pre-migration", databaseId: dbs.inScope.id });
  expect(Number(backup.size)).toBe(r.body.size);
  const run = await db.run.findUniqueOrThrow({ where: { id: String(r.body.runId) } });
  expect(run.createdBy).toBe(`api-token:deploy-${tag}`);
  const token = await db.apiToken.findFirstOrThrow({ where: { name: `deploy-${tag}` } });
  expect(token.lastUsedAt).not.toBeNull();
}, 120_000);

test("tokens are kept as sha256 only, and neither the token nor its hash reaches the audit log", async () => {
  const rows = await db.apiToken.findMany({ where: { name: { endsWith: tag } } });
  expect(rows.length).toBe(2);
  const stored = JSON.stringify(rows);
  for (const t of [scopedToken, revokedToken]) {
    expect(stored).not.toContain(t);
    expect(stored).toContain(createHash("sha256").update(t).digest("hex"));
  }
  // Its own refused calls, so that it does not depend on the tests above having run first.
  expect((await call(dbs.inScope.name, { token: revokedToken })).status).toBe(401);
  expect((await call(dbs.other.name, { token: scopedToken })).status).toBe(403);
  const events = await db.auditEvent.findMany({ where: { action: { in: ["api_token.create", "api.backup"] } } });
  const text = JSON.stringify(events);
  for (const t of [scopedToken, revokedToken]) {
    expect(text).not.toContain(t);
    expect(text).not.toContain(t.slice(12));
  }
  expect(events.some((e) => e.action === "api.backup" && e.detail.includes("refused: no valid token"))).toBe(true);
  expect(events.some((e) => e.action === "api.backup" && e.detail.includes("database out of the token's scope"))).toBe(
    true,
  );
});
