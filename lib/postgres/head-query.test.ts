import { describe, expect, test } from "vitest";
import { describeHeadSource, headQuerySql, headSourceOf, type HeadSource } from "./head-query";

const src = (s: Partial<HeadSource>): HeadSource => ({
  kind: "custom",
  schema: null,
  table: null,
  column: null,
  orderBy: null,
  ...s,
});

describe("headQuerySql: Lifeboat writes the query, every name quoted", () => {
  test.each([
    [src({ kind: "alembic" }), `SELECT string_agg("version_num", ',' ORDER BY "version_num") FROM "alembic_version"`],
    [
      src({ kind: "flyway", schema: "app" }),
      `SELECT "version" FROM "app"."flyway_schema_history" WHERE "success" AND "version" IS NOT NULL ORDER BY "installed_rank" DESC LIMIT 1`,
    ],
    [
      src({ schema: "Sales", table: 'we"ird', column: "v", orderBy: "rank" }),
      `SELECT "v" FROM "Sales"."we""ird" ORDER BY "rank" DESC NULLS LAST LIMIT 1`,
    ],
    [src({ kind: "none" }), null],
  ])("%j", (source, sql) => {
    expect(headQuerySql(source)).toBe(sql);
  });

  test.each([
    ["a backslash", src({ table: "\\! id", column: "v" }), /backslash/],
    ["a control character", src({ table: "t", column: "v\u0007" }), /control characters/],
    ["a name longer than 63 bytes", src({ table: "é".repeat(32), column: "v" }), /63 bytes/],
    ["no column", src({ table: "t" }), /column is required/],
  ])("refuses %s", (_name, source, reason) => {
    expect(() => headQuerySql(source)).toThrow(reason);
  });

  test("an unknown stored kind reads as none, a missing one as alembic", () => {
    expect(headSourceOf({ migrationHeadKind: "sql" }).kind).toBe("none");
    expect(headSourceOf({}).kind).toBe("alembic");
    expect(describeHeadSource(headSourceOf({ migrationHeadKind: "none" }))).toMatch(/not read/);
  });
});
