import { describe, expect, test } from "vitest";
import { headQueryProblem } from "./head-query";

describe("headQueryProblem", () => {
  test.each([
    "select version_num from alembic_version",
    "SELECT version FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 1;",
    "with h as (select max(id) m from schema_migrations) select m::text from h",
    "select 'it''s ok'",
  ])("accepts %s", (q) => {
    expect(headQueryProblem(q)).toBeNull();
  });

  test.each([
    ["a meta-command", "\\! id > /tmp/x", /backslash/],
    ["a meta-command after SQL", "select 1 \\g |id", /backslash/],
    ["two statements", "select 1; drop table t", /more than one statement/],
    ["not a SELECT", "delete from alembic_version", /does not start with SELECT or WITH/],
    ["a psql variable", "select :'LAST_ERROR_MESSAGE'", /psql variable/],
    ["a control character", "select 1\u0007", /control characters/],
  ])("refuses %s", (_name, q, reason) => {
    expect(headQueryProblem(q)).toMatch(reason);
  });
});
