import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { db } from "@/lib/db";
import { queryBackups } from "./queries";
import { backupFilterSchema } from "./schemas";

// An object that matches no database's key patterns is "unassigned": no retention class, no
// "kept until", never counted in a class filter, and listed apart.

const now = new Date("2026-11-25T12:00:00Z");
const tag = randomBytes(4).toString("hex");
let locationId = "";
let databaseId = "";

function backupRow(key: string, assignedTo: string | null) {
  // A name without a timestamp: the class would come from the modification time alone.
  const takenAt = new Date("2026-11-01T02:00:00Z");
  return {
    locationId,
    key,
    size: BigInt(1000),
    lastModified: takenAt,
    takenAt,
    takenAtSource: "mtime",
    format: "plain_gzip",
    kind: "other",
    databaseId: assignedTo,
    weekday: takenAt.getUTCDay(),
    dayOfMonth: takenAt.getUTCDate(),
  };
}

beforeAll(async () => {
  const location = await db.location.create({
    data: { name: `unassigned-${tag}`, kind: "local", config: JSON.stringify({ path: "/tmp", prefix: "" }) },
  });
  locationId = location.id;
  const database = await db.database.create({
    data: { name: `unassigned-db-${tag}`, environment: "test", host: "127.0.0.1", dbName: "x", user: "x" },
  });
  databaseId = database.id;
  await db.backup.createMany({ data: [backupRow("notes.sql.gz", null), backupRow("amani_export.sql.gz", databaseId)] });
});

afterAll(async () => {
  await db.location.delete({ where: { id: locationId } });
  await db.database.delete({ where: { id: databaseId } });
});

const filter = (params: Record<string, string>) => backupFilterSchema.parse({ location: locationId, ...params });

describe("unassigned objects", () => {
  test("have no retention class and are counted apart", async () => {
    const all = await queryBackups(filter({ assignment: "all" }), now);
    const byKey = Object.fromEntries(all.rows.map((r) => [r.key, r]));
    expect(byKey["notes.sql.gz"]).toMatchObject({ assignment: "unassigned", retentionClass: null, keptUntil: null });
    expect(byKey["amani_export.sql.gz"]).toMatchObject({ assignment: "assigned", retentionClass: "monthly" });
    expect(all.unassigned).toBe(1);
  });

  test.each([
    ["unassigned", ["notes.sql.gz"]],
    ["assigned", ["amani_export.sql.gz"]],
    ["all", ["amani_export.sql.gz", "notes.sql.gz"]],
  ])("assignment=%s lists %j", async (assignment, keys) => {
    const list = await queryBackups(filter({ assignment }), now);
    expect(list.rows.map((r) => r.key).sort()).toEqual(keys);
  });

  test("by default the list holds the databases' backups; unassigned objects are counted apart", async () => {
    const list = await queryBackups(filter({}), now);
    expect(list.rows.map((r) => r.key)).toEqual(["amani_export.sql.gz"]);
    expect(list.unassigned).toBe(1);
  });

  test('the database filter\'s "Not assigned" lists the unassigned objects', async () => {
    const list = await queryBackups(filter({ database: "none" }), now);
    expect(list.rows.map((r) => r.key)).toEqual(["notes.sql.gz"]);
  });

  test("a retention-class filter never lists an unassigned object", async () => {
    const monthly = await queryBackups(filter({ class: "monthly" }), now);
    expect(monthly.rows.map((r) => r.key)).toEqual(["amani_export.sql.gz"]);
  });
});
