import { expect, test } from "vitest";
import { databaseForKey, previewPatterns, relativeKey } from "./key-patterns";
import { globToRegExp } from "@/lib/backups/parse-key";

const dated = [
  "backups/2026/11/amani_backup_20261130_020000.sql.gz",
  "backups/2026/12/amani_backup_20261201_020000.sql.gz",
  "backups/2026/12/pre_migration_20261201_120000.sql.gz",
  "backups/other_backup_20261201_020000.sql.gz",
];

test.each([
  ["**/amani_backup_*", "amani_backup_1.sql.gz", true],
  ["**/amani_backup_*", "2026/12/amani_backup_1.sql.gz", true],
  ["**/amani_backup_*", "2026/12/xamani_backup_1.sql.gz", false],
  ["2026/**/*.dump", "2026/a.dump", true],
  ["2026/**/*.dump", "2026/11/02/a.dump", true],
  ["amani_backup_*", "2026/12/amani_backup_1.sql.gz", false],
  ["**", "2026/12/amani_backup_1.sql.gz", true],
])("glob %j on %j: %s", (glob, key, expected) => {
  expect(globToRegExp(glob).test(key)).toBe(expected);
});

test("keys are relative to the location's prefix", () => {
  expect(relativeKey("backups/2026/a.sql", "backups/")).toBe("2026/a.sql");
  expect(relativeKey("backups/2026/a.sql", "backups")).toBe("2026/a.sql");
  expect(relativeKey("elsewhere/a.sql", "backups/")).toBe("elsewhere/a.sql");
});

test("the first source whose patterns match owns the key", () => {
  const sources = [
    { databaseId: "prod", patterns: "**/amani_backup_*" },
    { databaseId: "any", patterns: "**" },
  ];
  expect(dated.map((k) => databaseForKey(k, "backups/", sources))).toEqual(["prod", "prod", "any", "any"]);
  expect(databaseForKey("backups/x.txt", "backups/", [{ databaseId: "prod", patterns: "*.sql.gz" }])).toBeNull();
});

test("a pattern that misses keys in dated folders matches nothing and gets a folder-aware suggestion", () => {
  const p = previewPatterns(dated, "backups/", "amani_backup_*, pre_migration_*");
  expect(p).toMatchObject({ total: 4, matched: 0, examples: [] });
  expect(p.patterns).toEqual([
    { pattern: "amani_backup_*", matched: 0, suggestion: { pattern: "**/amani_backup_*", matched: 2 } },
    { pattern: "pre_migration_*", matched: 0, suggestion: { pattern: "**/pre_migration_*", matched: 1 } },
  ]);
  expect(p.sampleKeys).toEqual([
    "2026/11/amani_backup_20261130_020000.sql.gz",
    "2026/12/amani_backup_20261201_020000.sql.gz",
    "2026/12/pre_migration_20261201_120000.sql.gz",
    "other_backup_20261201_020000.sql.gz",
  ]);
});

test("a matching pattern counts its keys and lists the first ones, sorted", () => {
  const p = previewPatterns(dated, "backups/", "**/amani_backup_*\nnothing_*", 1);
  expect(p.total).toBe(4);
  expect(p.matched).toBe(2);
  expect(p.examples).toEqual(["2026/11/amani_backup_20261130_020000.sql.gz"]);
  expect(p.patterns).toEqual([
    { pattern: "**/amani_backup_*", matched: 2, suggestion: null },
    { pattern: "nothing_*", matched: 0, suggestion: null },
  ]);
  expect(p.sampleKeys).toEqual([]);
});

test("without folders there is nothing to suggest", () => {
  const p = previewPatterns(["a_backup_1.sql", "b_backup_1.sql"], "", "c_*");
  expect(p.patterns[0]).toEqual({ pattern: "c_*", matched: 0, suggestion: null });
});

test("keys another database's patterns match too are counted as overlaps, per database", () => {
  const p = previewPatterns(dated, "backups/", "**/amani_backup_*", 5, [
    { database: "amani-staging", patterns: "2026/12/**" },
    { database: "everything", patterns: "**" },
    { database: "unrelated", patterns: "nothing_*" },
  ]);
  expect(p.matched).toBe(2);
  expect(p.overlaps).toEqual([
    { database: "everything", count: 2 },
    { database: "amani-staging", count: 1 },
  ]);
});
