import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPrismaClient, type LifeboatPrisma } from "@/prisma/client";
import { appendAuditEvent, verifyAuditChain } from "@/lib/audit/chain";

// Each test here has its own Lifeboat database: tampering with the shared one would break the
// chain for every other test file.

const ROOT = process.cwd();
const CHAIN_MIGRATION = "20261202030000_audit_chain";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-audit-chain-"));
const clients: LifeboatPrisma[] = [];

afterAll(async () => {
  for (const c of clients) await c.$disconnect();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function migrate(url: string) {
  await execa("node", ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    cwd: ROOT,
    env: { LIFEBOAT_DATABASE_URL: url },
  });
}

let n = 0;
async function freshDatabase(): Promise<{ url: string; file: string; prisma: LifeboatPrisma }> {
  const file = path.join(tmp, `db-${++n}.db`);
  const url = `file:${file}`;
  await migrate(url);
  const prisma = createPrismaClient(url);
  clients.push(prisma);
  return { url, file, prisma };
}

function event(i: number, who = "ana@example.test") {
  return {
    actorId: null,
    actorEmail: who,
    action: "location.create",
    targetType: "location",
    targetId: `loc-${i}`,
    detail: JSON.stringify({ name: `loc-${i}` }),
  };
}

async function append(prisma: LifeboatPrisma, count: number) {
  for (let i = 0; i < count; i++) await prisma.$transaction((tx) => appendAuditEvent(tx, event(i)));
}

/** `npm run audit:verify`, the real script, against the given database. */
function auditVerify(url: string) {
  return execa("npm", ["run", "--silent", "audit:verify"], {
    cwd: ROOT,
    env: { LIFEBOAT_DATABASE_URL: url },
    reject: false,
  });
}

/** What an attacker with the file does: drops the triggers first, then edits. */
function tamper(file: string, sql: string) {
  const sqlite = new Database(file);
  try {
    sqlite.exec('DROP TRIGGER IF EXISTS "AuditEvent_no_update"; DROP TRIGGER IF EXISTS "AuditEvent_no_delete";');
    sqlite.exec(sql);
  } finally {
    sqlite.close();
  }
}

describe("audit log hash chain", () => {
  test("an intact log verifies: npm run audit:verify exits 0 with the count", async () => {
    const { url, prisma } = await freshDatabase();
    await append(prisma, 5);
    const result = await auditVerify(url);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Audit chain intact: 5 events checked/);
  });

  test("the database refuses UPDATE and DELETE on audit events", async () => {
    const { file, prisma } = await freshDatabase();
    await append(prisma, 2);
    const sqlite = new Database(file);
    try {
      expect(() => sqlite.exec(`UPDATE "AuditEvent" SET "actorEmail" = 'someone-else' WHERE "seq" = 1`)).toThrow(
        /append-only: audit events cannot be changed/,
      );
      expect(() => sqlite.exec(`DELETE FROM "AuditEvent" WHERE "seq" = 2`)).toThrow(
        /append-only: audit events cannot be deleted/,
      );
    } finally {
      sqlite.close();
    }
    // Through Prisma as well, which is how a bug in lib/ would try it.
    await expect(prisma.auditEvent.deleteMany({})).rejects.toThrow();
    expect(await prisma.auditEvent.count()).toBe(2);
  });

  test("ATTACK: one event changed in SQLite (triggers dropped first) makes audit:verify exit 1 naming it", async () => {
    const { url, file, prisma } = await freshDatabase();
    await append(prisma, 6);
    tamper(file, `UPDATE "AuditEvent" SET "actorEmail" = 'nobody@example.test' WHERE "seq" = 4`);
    const result = await auditVerify(url);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Audit chain BROKEN at event 4 .*hash does not match its fields/);
  });

  test.each([
    ["a removed event", `DELETE FROM "AuditEvent" WHERE "seq" = 3`, /event 4 .*event 3 is missing/],
    [
      "a removed event with the later ones renumbered",
      `DELETE FROM "AuditEvent" WHERE "seq" = 3; UPDATE "AuditEvent" SET "seq" = "seq" - 1 WHERE "seq" > 3`,
      /event 3 /,
    ],
    [
      "an event inserted without a hash",
      `INSERT INTO "AuditEvent" ("id","seq","at","actorEmail","action","targetType","detail") VALUES ('x', 7, 0, 'evil', 'user.create', 'user', '{}')`,
      /event 7 .*no hash/,
    ],
    [
      "an event's hash recomputed by someone who forgot the next one",
      `UPDATE "AuditEvent" SET "detail" = '{}', "hash" = '${"a".repeat(64)}' WHERE "seq" = 2`,
      /event 2 /,
    ],
  ])("ATTACK: %s is detected", async (_name, sql, message) => {
    const { url, file, prisma } = await freshDatabase();
    await append(prisma, 6);
    tamper(file, sql);
    const result = await auditVerify(url);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  test("parallel appends from three processes and this one never fork the chain", async () => {
    const { url, prisma } = await freshDatabase();
    const workers = ["w1", "w2", "w3"].map((name) =>
      execa("node", ["node_modules/tsx/dist/cli.mjs", "tests/support/audit-append-worker.ts"], {
        cwd: ROOT,
        env: { LIFEBOAT_DATABASE_URL: url, AUDIT_WORKER_NAME: name, AUDIT_WORKER_COUNT: "25" },
      }),
    );
    await Promise.all([
      ...workers,
      ...Array.from({ length: 25 }, (_, i) => prisma.$transaction((tx) => appendAuditEvent(tx, event(i, "main")))),
    ]);
    const rows = await prisma.auditEvent.findMany({ orderBy: { seq: "asc" }, select: { seq: true } });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true, count: 100 });
    expect((await auditVerify(url)).exitCode).toBe(0);
  }, 60_000);
});

// A story in steps, each building on the one before: run in the written order.
describe("events written before the chain", { shuffle: false }, () => {
  let url: string;
  let file: string;
  let prisma: LifeboatPrisma;

  beforeAll(async () => {
    // A database as it was before the chain's migration, with events in it, then migrated on.
    // The migrations' SQL is applied directly: `prisma migrate deploy` cannot stop half-way.
    file = path.join(tmp, "legacy.db");
    url = `file:${file}`;
    const sqlite = new Database(file);
    const migrations = fs
      .readdirSync("prisma/migrations")
      .filter((m) => fs.statSync(path.join("prisma/migrations", m)).isDirectory())
      .sort();
    const apply = (m: string) =>
      sqlite.exec(fs.readFileSync(path.join("prisma/migrations", m, "migration.sql"), "utf8"));
    for (const m of migrations.filter((m) => m < CHAIN_MIGRATION)) apply(m);
    const insert = sqlite.prepare(
      `INSERT INTO "AuditEvent" ("id","at","actorEmail","action","targetType","targetId","detail") VALUES (?,?,?,?,?,?,?)`,
    );
    // Out of id order on purpose: the migration numbers them by time. Dates as Prisma stores them.
    insert.run("c3", "2026-11-03T10:00:00.000+00:00", "ana@example.test", "user.create", "user", "u1", "{}");
    insert.run("c1", "2026-11-01T10:00:00.000+00:00", "system", "user.bootstrap_admin", "user", "u0", "{}");
    insert.run(
      "c2",
      "2026-11-02T10:00:00.000+00:00",
      "ana@example.test",
      "auth.sign_in",
      "user",
      "u0",
      '{"ip":"10.0.0.1"}',
    );
    for (const m of migrations.filter((m) => m >= CHAIN_MIGRATION)) apply(m);
    sqlite.close();
    prisma = createPrismaClient(url);
    clients.push(prisma);
  });

  test("the migration numbers them in the order they happened and the next event chains over them", async () => {
    const legacy = await prisma.auditEvent.findMany({ orderBy: { seq: "asc" } });
    expect(legacy.map((r) => [r.seq, r.id, r.hash])).toEqual([
      [1, "c1", null],
      [2, "c2", null],
      [3, "c3", null],
    ]);
    await append(prisma, 2);
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true, count: 5, legacy: 3, head: { seq: 5 } });
    const result = await auditVerify(url);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/5 events checked \(3 from before the chain/);
  });

  test("ATTACK: changing an event from before the chain is detected by the first chained one", async () => {
    tamper(file, `UPDATE "AuditEvent" SET "actorEmail" = 'someone@example.test' WHERE "id" = 'c2'`);
    const result = await auditVerify(url);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/event 4 .*events from before the chain/);
  });
});
