import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { beginSync } from "@/lib/catalog/sync";
import { previewLocationPatterns } from "@/lib/catalog/assign";
import { deleteDatabaseCommand, saveDatabaseCommand } from "@/lib/databases/commands";
import { saveLocationCommand } from "@/lib/locations/commands";

// Key patterns against a real catalog (a local location synced from a folder with dated
// sub-folders): the live preview warns on a pattern that matches nothing, and saving a pattern
// re-assigns what is already catalogued, without another sync.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

let folder: string;
let admin: SessionUser;
let locationId: string;
const suffix = randomUUID().slice(0, 8);

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-patterns-"));
  for (const [dir, name] of [
    ["backups/2026/11", "amani_backup_20261130_020000.sql.gz"],
    ["backups/2026/12", "amani_backup_20261201_020000.sql.gz"],
    ["backups/2026/12", "amani_backup_20261202_020000.sql.gz"],
    ["backups", "notes.txt"],
  ] as const) {
    fs.mkdirSync(path.join(folder, dir), { recursive: true });
    fs.writeFileSync(path.join(folder, dir, name), "x".repeat(100));
  }
  const user = await db.user.create({
    data: { email: `patterns-${suffix}@example.test`, name: "Patterns", role: "admin" },
  });
  admin = { id: user.id, email: user.email, name: user.name, role: "admin" };
  session.user = admin;
  const saved = await saveLocationCommand({
    name: `patterns-${suffix}`,
    config: { kind: "local", path: folder, prefix: "backups/" },
  });
  if (!saved.ok) throw new Error(saved.error);
  locationId = saved.data.id;
  await (
    await beginSync(locationId, "manual")
  ).done;
  expect(await db.backup.count({ where: { locationId } })).toBe(4);
});

beforeEach(() => {
  session.user = admin;
});

afterAll(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

const database = (patterns: string, id?: string) => ({
  id,
  name: `patterns-db-${suffix}`,
  environment: "staging" as const,
  host: "127.0.0.1",
  dbName: "amani",
  user: "lifeboat",
  sslmode: "disable" as const,
  sources: [{ locationId, patterns }],
});

test("a pattern that misses the dated folders matches nothing and suggests **/", async () => {
  const p = await previewLocationPatterns(locationId, "amani_backup_*");
  expect(p).toMatchObject({ location: `patterns-${suffix}`, total: 4, matched: 0 });
  expect(p.patterns).toEqual([
    { pattern: "amani_backup_*", matched: 0, suggestion: { pattern: "**/amani_backup_*", matched: 3 } },
  ]);
});

test("a matching pattern shows its count and first keys", async () => {
  const p = await previewLocationPatterns(locationId, "**/amani_backup_*");
  expect(p).toMatchObject({ total: 4, matched: 3 });
  expect(p.examples).toEqual([
    "2026/11/amani_backup_20261130_020000.sql.gz",
    "2026/12/amani_backup_20261201_020000.sql.gz",
    "2026/12/amani_backup_20261202_020000.sql.gz",
  ]);
});

test("the preview names the other databases whose patterns match the same keys, not the edited one", async () => {
  const other = await saveDatabaseCommand({ ...database("**/*_20261201_*"), name: `patterns-other-${suffix}` });
  if (!other.ok) throw new Error(other.error);
  const p = await previewLocationPatterns(locationId, "**/amani_backup_*");
  expect(p.overlaps).toEqual([{ database: `patterns-other-${suffix}`, count: 1 }]);
  expect((await previewLocationPatterns(locationId, "**/amani_backup_*", other.data.id)).overlaps).toEqual([]);
  const removed = await deleteDatabaseCommand({ id: other.data.id });
  expect(removed.ok).toBe(true);
});

test("only an admin previews patterns", async () => {
  session.user = { ...admin, role: "operator" };
  await expect(previewLocationPatterns(locationId, "*")).rejects.toMatchObject({ status: 403 });
  session.user = null;
  await expect(previewLocationPatterns(locationId, "*")).rejects.toMatchObject({ status: 401 });
});

test("saving patterns or a location's prefix re-assigns the catalogued backups at once, one audit event per save", async () => {
  const created = await saveDatabaseCommand(database("amani_backup_*"));
  if (!created.ok) throw new Error(created.error);
  const id = created.data.id;
  expect(created.data.catalog.reassigned).toBe(0);
  expect(await db.backup.count({ where: { locationId, databaseId: id } })).toBe(0);

  const fixed = await saveDatabaseCommand(database("**/amani_backup_*", id));
  if (!fixed.ok) throw new Error(fixed.error);
  expect(fixed.data.catalog.reassigned).toBe(3);
  expect(await db.backup.count({ where: { locationId, databaseId: id } })).toBe(3);
  expect(await db.backup.count({ where: { locationId, databaseId: null } })).toBe(1);

  const events = await db.auditEvent.findMany({
    where: { targetType: "database", targetId: id },
    orderBy: { at: "asc" },
  });
  expect(events.map((e) => e.action)).toEqual(["database.create", "database.update"]);
  expect(JSON.parse(events[1]!.detail)).toMatchObject({ catalogRowsReassigned: 3 });

  // Narrowing the patterns hands rows back just as fast.
  const narrowed = await saveDatabaseCommand(database("2026/12/**", id));
  if (!narrowed.ok) throw new Error(narrowed.error);
  expect(narrowed.data.catalog.reassigned).toBe(1);
  expect(await db.backup.count({ where: { locationId, databaseId: id } })).toBe(2);

  // Changing the location's prefix re-applies the patterns too (in this test: test:all shuffles
  // tests, and this step needs the database saved above).
  const before = await db.backup.count({ where: { locationId, databaseId: { not: null } } });
  expect(before).toBe(2);
  // Without the prefix the keys start with backups/, which "2026/12/**" no longer matches.
  const saved = await saveLocationCommand({
    id: locationId,
    name: `patterns-${suffix}`,
    config: { kind: "local", path: folder, prefix: "" },
  });
  if (!saved.ok) throw new Error(saved.error);
  expect(saved.data.catalog.reassigned).toBe(2);
  expect(await db.backup.count({ where: { locationId, databaseId: { not: null } } })).toBe(0);

  // Leave the location and catalog as the other tests expect them (they run in any order).
  const restored = await saveLocationCommand({
    id: locationId,
    name: `patterns-${suffix}`,
    config: { kind: "local", path: folder, prefix: "backups/" },
  });
  if (!restored.ok) throw new Error(restored.error);
  expect(restored.data.catalog.reassigned).toBe(2);
  const removed = await deleteDatabaseCommand({ id });
  expect(removed.ok).toBe(true);
  expect(await db.backup.count({ where: { locationId, databaseId: { not: null } } })).toBe(0);
});
