import { describe, expect, test } from "vitest";
import { PG_ERROR_CODES, PgCommandError, PgError, type PgErrorCode } from "@/lib/postgres/errors";
import { z } from "zod";
import { fieldWords, GENERIC_ERROR, toErrorResponse, UserError } from "./errors";

// The one place HTTP statuses are chosen: typed errors carry a code, the mapper a status.

describe("toErrorResponse", () => {
  test.each<[PgErrorCode, number]>([
    ["database_missing", 404],
    ["auth_failed", 400],
    ["connection_refused", 503],
    ["connect_timeout", 503],
    ["connection_failed", 502],
    ["permission_denied", 403],
    ["tool_missing", 500],
    ["cancelled", 499],
    ["timeout", 504],
  ])("a PostgreSQL %s answers %d with its message and code", (code, status) => {
    const r = toErrorResponse(new PgError(code, `the cause of ${code}: what to do`));
    expect(r).toEqual({ status, body: { error: `the cause of ${code}: what to do`, code } });
  });

  test("every PostgreSQL code has a status", () => {
    for (const code of PG_ERROR_CODES) expect(new PgError(code, "m").status).toBeGreaterThanOrEqual(400);
  });

  test("an SQL failure the operator did not cause is logged, not shown", () => {
    const r = toErrorResponse(
      new PgCommandError("psql", 3, "ERROR:  XX000: internal detail", "psql failed: internal detail", "XX000"),
    );
    expect(r).toEqual({ status: 500, body: { error: GENERIC_ERROR } });
  });

  test("invalid input names its fields in words, and keeps each field's path for the form", () => {
    const schema = z.object({ retentionDays: z.number().min(1, "Keep backups at least a day"), name: z.string() });
    const parsed = schema.safeParse({ retentionDays: 0 });
    expect(parsed.success).toBe(false);
    const r = toErrorResponse(parsed.error);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^Some fields are not valid: retention days: Keep backups at least a day; name: /);
    expect(r.body.issues?.map((i) => i.path)).toEqual(["retentionDays", "name"]);
    expect(fieldWords(["steps", 2, "nextRun_at"])).toBe("steps 2 next run at");
    expect(fieldWords([])).toBe("input");
  });

  test("a plain UserError keeps its status and has no code", () => {
    expect(toErrorResponse(new UserError("Choose a backup.", 409))).toEqual({
      status: 409,
      body: { error: "Choose a backup." },
    });
  });
});
