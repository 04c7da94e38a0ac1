import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { saveDatabaseCommand, testDatabaseCommand } from "@/lib/databases/commands";
import { saveLocationCommand, testLocationCommand, testUnsavedLocationCommand } from "@/lib/locations/commands";
import { fullConfig, secretsSet } from "@/lib/locations/config";
import { seal } from "@/lib/crypto/key";
import { connectionOf } from "@/lib/databases/mutations";

// A stored secret is write-only, so an admin must not be able to read it by pointing the
// location (or database) at a server they control and pressing "Test connection". The servers
// here stand in for that attacker's address and record everything they receive.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const suffix = randomUUID().slice(0, 8);
const SAS = `sv=2022-11-02&ss=b&srt=sco&sp=rl&sig=LEAKME${suffix}`;
const PASSWORD = `pg-LEAKME-${suffix}`;
let admin: SessionUser;

/** Everything the attacker's HTTP server saw: request lines and headers. */
const httpSeen: string[] = [];
const httpServer = http.createServer((req, res) => {
  httpSeen.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}`);
  req.resume();
  res.writeHead(403, { "content-type": "application/xml" }).end("<Error><Code>AuthenticationFailed</Code></Error>");
});

/** Every byte the attacker's "PostgreSQL" received; it asks for a clear-text password. */
const pgSeen: Buffer[] = [];
const pgServer = net.createServer((socket) => {
  let startupDone = false;
  socket.on("data", (chunk) => {
    pgSeen.push(chunk);
    if (startupDone) return;
    // SSLRequest: 8 bytes, code 80877103 → refuse TLS, the client then sends the startup packet.
    if (chunk.length === 8 && chunk.readUInt32BE(4) === 80877103) return void socket.write("N");
    startupDone = true;
    const ask = Buffer.alloc(9);
    ask.write("R", 0);
    ask.writeUInt32BE(8, 1);
    ask.writeUInt32BE(3, 5); // AuthenticationCleartextPassword
    socket.write(ask);
  });
  socket.on("error", () => {});
});

const listen = (s: net.Server) =>
  new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));

let httpPort: number;
let pgPort: number;

beforeAll(async () => {
  httpPort = await listen(httpServer);
  pgPort = await listen(pgServer);
  const user = await db.user.create({
    data: { email: `secret-address-${suffix}@example.test`, name: "Secret address", role: "admin" },
  });
  admin = { id: user.id, email: user.email, name: user.name, role: "admin" };
});

beforeEach(() => {
  session.user = admin;
  httpSeen.length = 0;
  pgSeen.length = 0;
});

afterAll(async () => {
  httpServer.close();
  pgServer.close();
});

const azure = (endpoint: string, sasToken = "") => ({
  kind: "azure" as const,
  container: "backups",
  accountName: "devstoreaccount1",
  endpoint,
  sasToken,
});

async function savedAzureLocation() {
  const saved = await saveLocationCommand({
    name: `secret-address-${randomUUID().slice(0, 8)}`,
    // The real storage's address (nothing listens there; the test never contacts it).
    config: azure("http://127.0.0.1:9/devstoreaccount1", SAS),
  });
  if (!saved.ok) throw new Error(saved.error);
  return saved.data;
}

test("a location moved to another endpoint does not take its stored SAS token along", async () => {
  const loc = await savedAzureLocation();
  const attacker = `http://127.0.0.1:${httpPort}/devstoreaccount1`;
  const moved = await saveLocationCommand({ id: loc.id, name: loc.name, config: azure(attacker) });
  expect(moved.ok).toBe(true);
  const row = await db.location.findUniqueOrThrow({ where: { id: loc.id } });
  expect(secretsSet(row).sasToken).toBe(false);

  await testLocationCommand({ id: loc.id });
  expect(httpSeen.join("\n")).not.toContain(`LEAKME${suffix}`);
});

test("testing an unsaved form with another endpoint does not use the stored SAS token", async () => {
  const loc = await savedAzureLocation();
  const attacker = `http://127.0.0.1:${httpPort}/devstoreaccount1`;
  const r = await testUnsavedLocationCommand({ id: loc.id, config: azure(attacker) });
  expect(r.ok).toBe(true);
  expect(httpSeen.join("\n")).not.toContain(`LEAKME${suffix}`);
  // The attempt is audited, by kind and outcome, never with a secret.
  const audit = await db.auditEvent.findFirst({
    where: { action: "location.test_unsaved", targetId: loc.id },
    orderBy: { at: "desc" },
  });
  expect(audit).not.toBeNull();
  expect(JSON.stringify(audit)).not.toContain(`LEAKME${suffix}`);
  expect(JSON.parse(audit!.detail)).toMatchObject({ kind: "azure", address: { endpoint: attacker } });
});

test("an edit that keeps the address keeps the stored secret; a new secret typed with a new address is used", async () => {
  const loc = await savedAzureLocation();
  const renamed = await saveLocationCommand({
    id: loc.id,
    name: `${loc.name}-renamed`,
    config: { ...azure("http://127.0.0.1:9/devstoreaccount1"), prefix: "nightly/" },
  });
  expect(renamed.ok).toBe(true);
  expect(secretsSet(await db.location.findUniqueOrThrow({ where: { id: loc.id } })).sasToken).toBe(true);

  const attacker = `http://127.0.0.1:${httpPort}/devstoreaccount1`;
  const moved = await saveLocationCommand({
    id: loc.id,
    name: loc.name,
    config: azure(attacker, "sv=2022-11-02&sig=TYPEDAGAIN"),
  });
  expect(moved.ok).toBe(true);
  await testLocationCommand({ id: loc.id });
  expect(httpSeen.join("\n")).toContain("TYPEDAGAIN");
});

test("a database moved to another host or port does not send its stored password there", async () => {
  const base = {
    name: `secret-address-db-${suffix}`,
    environment: "staging" as const,
    host: "127.0.0.1",
    port: 9,
    dbName: "amani",
    user: "lifeboat",
    sslmode: "disable" as const,
    sources: [],
  };
  const saved = await saveDatabaseCommand({ ...base, password: PASSWORD });
  if (!saved.ok) throw new Error(saved.error);
  const moved = await saveDatabaseCommand({ ...base, id: saved.data.id, port: pgPort });
  expect(moved.ok).toBe(true);
  expect((await db.database.findUniqueOrThrow({ where: { id: saved.data.id } })).passwordEnc).toBeNull();

  await testDatabaseCommand({ id: saved.data.id });
  expect(pgSeen.length).toBeGreaterThan(0);
  expect(Buffer.concat(pgSeen).toString("latin1")).not.toContain(PASSWORD);
});

test("a database edit that keeps host, port and user keeps the stored password", async () => {
  const base = {
    name: `secret-address-db2-${suffix}`,
    environment: "staging" as const,
    host: "127.0.0.1",
    port: pgPort,
    dbName: "amani",
    user: "lifeboat",
    sslmode: "disable" as const,
    sources: [],
  };
  const saved = await saveDatabaseCommand({ ...base, password: PASSWORD });
  if (!saved.ok) throw new Error(saved.error);
  const renamed = await saveDatabaseCommand({ ...base, id: saved.data.id, dbName: "amani_staging" });
  expect(renamed.ok).toBe(true);
  expect((await db.database.findUniqueOrThrow({ where: { id: saved.data.id } })).passwordEnc).not.toBeNull();
});

test("a sealed secret copied to another location's row does not open there", async () => {
  const a = await savedAzureLocation();
  const b = await savedAzureLocation();
  const rowA = await db.location.findUniqueOrThrow({ where: { id: a.id } });
  await db.location.update({ where: { id: b.id }, data: { secrets: rowA.secrets } });
  const rowB = await db.location.findUniqueOrThrow({ where: { id: b.id } });
  expect(secretsSet(rowB).sasToken).toBe(false);
  expect(() => fullConfig(rowB)).toThrow(/cannot be decrypted/);
});

test("a password sealed in the older format still works and is sealed again on the next save", async () => {
  const base = {
    name: `secret-address-db3-${suffix}`,
    environment: "staging" as const,
    host: "127.0.0.1",
    port: pgPort,
    dbName: "amani",
    user: "lifeboat",
    sslmode: "disable" as const,
    sources: [],
  };
  const saved = await saveDatabaseCommand(base);
  if (!saved.ok) throw new Error(saved.error);
  await db.database.update({ where: { id: saved.data.id }, data: { passwordEnc: seal(PASSWORD) } });
  expect((await connectionOf(saved.data.id)).password).toBe(PASSWORD);
  expect((await saveDatabaseCommand({ ...base, id: saved.data.id })).ok).toBe(true);
  const row = await db.database.findUniqueOrThrow({ where: { id: saved.data.id } });
  expect(row.passwordEnc).toMatch(/^v2\./);
  expect((await connectionOf(saved.data.id)).password).toBe(PASSWORD);
});
