import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { seal } from "@/lib/crypto/key";
import { db } from "@/lib/db";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import { prepareRunCommand } from "@/lib/restores/commands";

// A restore's backup must belong to its target database: the wizard only lists the target's
// backups (or, chosen explicitly, those of another database), and the server checks the same,
// so a crafted call cannot restore database A's backup over B. A backup whose verification
// failed is refused too. Real run setup: Lifeboat's database, a local location, a real
// PostgreSQL target (the plan's read-only preflight runs against it).

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomBytes(4).toString("hex");
let dir = "";
let pgName = "";
let operator: SessionUser;
let locationId = "";
const ids = { a: "", b: "", backupOfA: "", backupOfB: "", failedOfB: "" };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-belongs-"));
  const conn = await createFixtureDatabase("belongs");
  pgName = conn.database;
  const u = await db.user.create({ data: { email: `belongs-${tag}@example.test`, name: "op", role: "operator" } });
  operator = { id: u.id, email: u.email, name: u.name, role: "operator" };
  const location = await db.location.create({
    data: { name: `belongs-${tag}`, kind: "local", config: JSON.stringify({ path: dir, prefix: "" }) },
  });
  locationId = location.id;
  const database = (name: string) =>
    db.database.create({
      data: {
        name: `${name}-${tag}`,
        environment: "staging",
        host: conn.host,
        port: conn.port,
        dbName: conn.database,
        user: conn.user,
        passwordEnc: seal(conn.password ?? ""),
        sslmode: "disable",
      },
    });
  ids.a = (await database("belongs-a")).id;
  ids.b = (await database("belongs-b")).id;
  const backup = async (key: string, databaseId: string, verificationState: string) => {
    fs.writeFileSync(path.join(dir, key), "SELECT 1;\n");
    const takenAt = new Date("2026-11-01T02:00:00Z");
    const row = await db.backup.create({
      data: {
        locationId,
        key,
        size: BigInt(10),
        lastModified: takenAt,
        takenAt,
        takenAtSource: "name",
        format: "plain",
        kind: "scheduled",
        databaseId,
        weekday: takenAt.getUTCDay(),
        dayOfMonth: takenAt.getUTCDate(),
        verificationState,
        lastVerifiedAt: verificationState === "not_verified" ? null : takenAt,
        verificationSummary: verificationState === "failed" ? "gzip stream ends early" : null,
      },
    });
    return row.id;
  };
  ids.backupOfA = await backup("a_backup_20261101_020000.sql", ids.a, "verified");
  ids.backupOfB = await backup("b_backup_20261101_020000.sql", ids.b, "verified");
  ids.failedOfB = await backup("b_backup_20261102_020000.sql", ids.b, "failed");
}, 120_000);

afterAll(async () => {
  await db.run.deleteMany({ where: { databaseId: { in: [ids.a, ids.b] } } });
  await db.location.deleteMany({ where: { id: locationId } });
  await db.database.deleteMany({ where: { id: { in: [ids.a, ids.b] } } });
  if (pgName) await dropDatabase(pgName);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  session.user = operator;
});

const prepare = (input: { backupId: string; fromDatabaseId?: string }) =>
  prepareRunCommand({ scenarioId: "database-corruption", databaseId: ids.b, ...input });

describe("the backup must belong to the target database", () => {
  test("A's backup over B without the explicit path is refused, and no run is made", async () => {
    const before = await db.run.count({ where: { databaseId: ids.b } });
    const r = await prepare({ backupId: ids.backupOfA });
    expect(r).toMatchObject({ ok: false });
    expect(JSON.stringify(r)).toMatch(/is a backup of belongs-a-.*not of belongs-b-/);
    expect(await db.run.count({ where: { databaseId: ids.b } })).toBe(before);
  });

  test("naming a third database as the source does not pass either", async () => {
    const r = await prepare({ backupId: ids.backupOfA, fromDatabaseId: ids.b });
    expect(r).toMatchObject({ ok: false });
  });

  test("the wizard's explicit 'Backups of' another database passes, and is audited", async () => {
    const r = await prepare({ backupId: ids.backupOfA, fromDatabaseId: ids.a });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    const runId = (r as { ok: true; data: { runId: string } }).data.runId;
    const event = await db.auditEvent.findFirst({
      where: { action: "run.backup-of-another-database", targetId: runId },
    });
    expect(event?.actorEmail).toBe(operator.email);
    expect(JSON.parse(event?.detail ?? "{}")).toMatchObject({ fromDatabaseId: ids.a, databaseId: ids.b });
  });

  test("B's own verified backup passes", async () => {
    expect(await prepare({ backupId: ids.backupOfB })).toMatchObject({ ok: true });
  });

  test("a backup whose verification failed is refused, with what to do", async () => {
    const r = await prepare({ backupId: ids.failedOfB });
    expect(r).toMatchObject({ ok: false });
    expect(JSON.stringify(r)).toMatch(/failed verification.*choose another backup/i);
  });

  test("an unknown database or backup id finds nothing", async () => {
    expect(await prepare({ backupId: randomUUID() })).toMatchObject({ ok: false, status: 404 });
  });
});
