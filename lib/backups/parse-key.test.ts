import { expect, test } from "vitest";
import { globToRegExp, isCatalogued, parseKey, patternsMatch } from "./parse-key";

test.each([
  ["amani_backup_20260301_020000.sql.gz", "plain_gzip", "scheduled", "2026-03-01T02:00:00.000Z", "amani"],
  ["backups/prod/amani_backup_20260301_020000.sql.gz", "plain_gzip", "scheduled", "2026-03-01T02:00:00.000Z", "amani"],
  ["pre_migration_20260215_134501.sql.gz", "plain_gzip", "pre_migration", "2026-02-15T13:45:01.000Z", null],
  ["shop_db_backup_20251231_235959.dump", "custom", "scheduled", "2025-12-31T23:59:59.000Z", "shop_db"],
  ["nightly/2026-01-05T02-00-00.sql", "plain", "other", "2026-01-05T02:00:00.000Z", null],
  ["weird.tar", "tar", "other", null, null],
  ["notes.txt", "unknown", "other", null, null],
  ["x_backup_20261340_250000.sql.gz", "plain_gzip", "scheduled", null, "x"],
  ["ünïcødé db_backup_20260101_000000.SQL.GZ", "plain_gzip", "scheduled", "2026-01-01T00:00:00.000Z", "ünïcødé db"],
])("%s", (key, format, kind, takenAt, hint) => {
  const parsed = parseKey(key);
  expect(parsed.format).toBe(format);
  expect(parsed.kind).toBe(kind);
  expect(parsed.takenAt?.toISOString() ?? null).toBe(takenAt);
  expect(parsed.databaseHint).toBe(hint);
});

test.each([
  ["a.sql.gz", true],
  ["a.sql.gz.manifest.json", false],
  ["folder/", false],
  ["", false],
])("isCatalogued(%j) → %s", (key, expected) => {
  expect(isCatalogued(key)).toBe(expected);
});

test.each([
  ["amani_backup_*", "amani_backup_20260101_020000.sql.gz", true],
  ["amani_backup_*", "other_backup_20260101_020000.sql.gz", false],
  ["amani_backup_*, pre_migration_*", "pre_migration_20260101_020000.sql.gz", true],
  ["*", "sub/amani.sql", false],
  ["**", "sub/amani.sql", true],
  ["prod/*.dump", "prod/a.dump", true],
  ["a.b", "axb", false],
  ["file(1)?.sql", "file(1)x.sql", true],
])("patterns %j match %j: %s", (patterns, key, expected) => {
  expect(patternsMatch(patterns, key)).toBe(expected);
});

test("regex metacharacters in globs are literal", () => {
  expect(globToRegExp("a+b$").test("a+b$")).toBe(true);
  expect(globToRegExp("a+b$").test("aab")).toBe(false);
});
