import { describe, expect, test } from "vitest";
import { checkValidationQuery } from "./query-safety";
import { saveTestPlanSchema, scratchPrefixProblem } from "./plan-schema";

// What an admin may type as a validation query: one read-only statement, nothing for psql.

describe("checkValidationQuery refuses", () => {
  test.each([
    ["a write", "DROP TABLE users", /starts with SELECT/],
    ["a delete", "DELETE FROM users", /not DELETE/],
    ["a second statement", "SELECT 1; DELETE FROM users", /Only one statement/],
    ["a COMMIT that would end the read-only transaction", "SELECT 1; COMMIT; DROP TABLE users", /Only one statement/],
    ["a statement after a comment", "SELECT 1; -- fine\nDROP TABLE users", /Only one statement/],
    ["a psql meta-command", "\\! touch /tmp/lifeboat-pwned", /psql command/],
    ["a meta-command after a query", "SELECT 1 \\g |touch /tmp/x", /psql command/],
    ["SET to leave read-only mode", "SET transaction_read_only = off", /not SET/],
    ["an unterminated string hiding a statement", "SELECT 'x; DROP TABLE users", /not closed/],
    ["an unterminated dollar quote", "SELECT $a$ x; DROP TABLE users", /not closed/],
    ["an unclosed comment", "SELECT 1 /* ; DROP TABLE users", /not closed/],
    ["an empty query", "   ", /Enter the query/],
  ])("%s", (_, sql, problem) => {
    const r = checkValidationQuery(sql);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});

describe("checkValidationQuery accepts", () => {
  test.each([
    ["a count", "SELECT count(*) FROM users", "SELECT count(*) FROM users"],
    ["a trailing semicolon and comment", "SELECT count(*) FROM users; -- users\n", "SELECT count(*) FROM users"],
    ["semicolons inside strings and quotes", `SELECT count(*) FROM "we;ird" WHERE note <> 'a;b'`, null],
    ["an E string with an escaped quote", "SELECT E'it\\'s; fine'", null],
    ["a dollar-quoted text", "SELECT $x$ ; DROP $x$", null],
    ["a CTE", "WITH t AS (SELECT 1 AS n) SELECT n FROM t", null],
    ["VALUES", "VALUES (1)", null],
  ])("%s", (_, sql, expected) => {
    const r = checkValidationQuery(sql);
    expect(r.ok, r.ok ? "" : r.problem).toBe(true);
    if (r.ok && expected) expect(r.sql).toBe(expected);
  });
});

describe("the plan form", () => {
  const base = {
    databaseId: "db1",
    backupChoice: "newest",
    creation: "scheduled",
    testHost: "test-db.internal",
    testUser: "lifeboat",
    testSslmode: "require",
    scratchPrefix: "lifeboat_test_",
  };

  test("scratch prefixes are safe identifier prefixes", () => {
    expect(scratchPrefixProblem("lifeboat_test_")).toBeNull();
    expect(scratchPrefixProblem('x"; DROP DATABASE prod; --')).toMatch(/lower-case letters/);
    expect(scratchPrefixProblem("Test")).toMatch(/lower-case letters/);
    expect(scratchPrefixProblem("pg_test_")).toMatch(/reserved/);
    expect(scratchPrefixProblem("a".repeat(41))).toMatch(/at most 40/);
  });

  test("defaults to the first Monday at 03:00 only when the form says so; an empty schedule is on demand", () => {
    const plan = saveTestPlanSchema.parse({ ...base, cron: "" });
    expect(plan.cron).toBeNull();
    expect(saveTestPlanSchema.parse({ ...base, cron: "0 3 * * MON#1" }).cron).toBe("0 3 * * MON#1");
  });

  test("field errors name the field", () => {
    const r = saveTestPlanSchema.safeParse({
      ...base,
      cron: "every monday",
      scratchPrefix: "bad name",
      queries: [
        { name: "drop", sql: "DROP TABLE users", comparator: "gte", expected: "1" },
        { name: "manifest", sql: "SELECT count(*) FROM users", comparator: "eq_manifest", manifestTable: "" },
        { name: "number", sql: "SELECT count(*) FROM users", comparator: "gte", expected: "many" },
      ],
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining([
        "cron",
        "scratchPrefix",
        "queries.0.sql",
        "queries.1.manifestTable",
        "queries.2.expected",
      ]),
    );
  });
});
