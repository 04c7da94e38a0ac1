import { randomUUID } from "node:crypto";
import { beforeAll, expect, test } from "vitest";
import { bulkInsert, db, inTransaction } from "@/lib/db";
import { INSERT_COLUMNS } from "@/lib/catalog/sync";

// The catalog's bulk insert writes rows with prepared statements on Prisma's own connection, not
// through Prisma: what it stores must read back exactly as a row Prisma wrote (dates, booleans,
// big sizes), and a batch is all or nothing.

let locationId: string;
const takenAt = new Date(Date.UTC(2024, 1, 29, 2, 3, 4, 567));
const now = new Date(Date.UTC(2024, 2, 1, 0, 0, 0, 1));

function row(key: string, size: bigint, critical: boolean) {
  return [
    randomUUID(),
    locationId,
    key,
    size,
    takenAt,
    '"etag"',
    takenAt,
    "name",
    "plain_gzip",
    "scheduled",
    null,
    takenAt.getUTCDay(),
    takenAt.getUTCDate(),
    critical,
    now,
    now,
  ];
}

beforeAll(async () => {
  const location = await db.location.create({
    data: { name: `bulk-${Date.now()}`, kind: "local", config: JSON.stringify({ kind: "local", root: "/tmp" }) },
  });
  locationId = location.id;
});

test("rows written in bulk read back like rows Prisma wrote, filter and sort by date alike", async () => {
  const viaPrisma = await db.backup.create({
    data: {
      locationId,
      key: "a/prisma_backup_20240229_020304.sql.gz",
      size: 2n ** 40n,
      lastModified: takenAt,
      etag: '"etag"',
      takenAt,
      takenAtSource: "name",
      format: "plain_gzip",
      kind: "scheduled",
      weekday: takenAt.getUTCDay(),
      dayOfMonth: takenAt.getUTCDate(),
      critical: true,
      firstSeenAt: now,
      lastSeenAt: now,
    },
  });
  await bulkInsert("Backup", INSERT_COLUMNS, [row("a/bulk_backup_20240229_020304.sql.gz", 2n ** 40n, true)]);
  const bulk = await db.backup.findUniqueOrThrow({
    where: { locationId_key: { locationId, key: "a/bulk_backup_20240229_020304.sql.gz" } },
  });
  const strip = (b: typeof bulk) => ({ ...b, id: "", key: "", createdAt: null, updatedAt: null });
  expect(strip(bulk)).toEqual(strip(viaPrisma));
  expect(bulk.size).toBe(2n ** 40n);
  expect(bulk.critical).toBe(true);
  // Stored in the same text form: a date filter in SQL finds both.
  const stored = await db.$queryRawUnsafe<{ takenAt: string; firstSeenAt: string }[]>(
    `SELECT "takenAt", "firstSeenAt" FROM "Backup" WHERE "locationId" = ? ORDER BY "key"`,
    locationId,
  );
  expect(new Set(stored.map((r) => `${r.takenAt}|${r.firstSeenAt}`)).size).toBe(1);
  expect(
    await db.backup.count({ where: { locationId, takenAt: { gte: takenAt, lte: takenAt }, firstSeenAt: now } }),
  ).toBe(2);
});

test("a batch with one bad row stores none of it", async () => {
  const before = await db.backup.count({ where: { locationId } });
  const rows = Array.from({ length: 50 }, (_, i) => row(`b/ok_${i}.sql.gz`, BigInt(i), false));
  rows.push(row("b/ok_7.sql.gz", 1n, false)); // the same key again: the unique index refuses it
  await expect(bulkInsert("Backup", INSERT_COLUMNS, rows)).rejects.toThrow();
  expect(await db.backup.count({ where: { locationId } })).toBe(before);
});

test("inside an open transaction the rows join it and leave with its rollback", async () => {
  const before = await db.backup.count({ where: { locationId } });
  await expect(
    inTransaction(async () => {
      await bulkInsert("Backup", INSERT_COLUMNS, [row("c/joined.sql.gz", 1n, false)]);
      expect(await db.backup.count({ where: { locationId } })).toBe(before + 1);
      throw new Error("roll back");
    }),
  ).rejects.toThrow("roll back");
  expect(await db.backup.count({ where: { locationId } })).toBe(before);
});
