import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { PgConnection } from "@/lib/postgres/connection";
import { quoteIdent, quoteLiteral, runPsqlQuery, runQuery } from "@/lib/postgres/run";
import { testConnection } from "@/lib/postgres/test-support";
import { restoreRoleFactsQuery, restoreRoleWarning } from "./restore-role";

// The preflight says when the role a restore runs as is stronger than a restore needs: a
// superuser, or a member of pg_execute_server_program / pg_read_server_files /
// pg_write_server_files can turn a backup's SQL into a program run or a file read on the
// database server. Real server: the suite's superuser, and roles of this run's own.

const tag = randomBytes(4).toString("hex");
const restorer = `lb_restorer_${tag}`;
const strong = `lb_strong_${tag}`;
const password = randomBytes(12).toString("hex");

beforeAll(async () => {
  const admin = testConnection();
  await runPsqlQuery(admin, `CREATE ROLE ${quoteIdent(restorer)} LOGIN CREATEDB PASSWORD ${quoteLiteral(password)}`);
  await runPsqlQuery(admin, `CREATE ROLE ${quoteIdent(strong)} LOGIN PASSWORD ${quoteLiteral(password)}`);
  await runPsqlQuery(admin, `GRANT pg_execute_server_program, pg_read_server_files TO ${quoteIdent(strong)}`);
});

afterAll(async () => {
  for (const r of [restorer, strong]) await runPsqlQuery(testConnection(), `DROP ROLE IF EXISTS ${quoteIdent(r)}`);
});

const as = (user: string) => ({ ...testConnection(), user, password });
const restoreRoleFacts = (conn: PgConnection) => runQuery(conn, restoreRoleFactsQuery(conn.user));

describe("the restoring role's strength", () => {
  test("a superuser is named, louder on production", async () => {
    const admin = testConnection();
    const f = await restoreRoleFacts(admin);
    expect(f).toMatchObject({ role: admin.user, superuser: true });
    expect(restoreRoleWarning(f, admin, "staging")).toMatch(/^warning: the restore runs as .*, which is superuser on /);
    expect(restoreRoleWarning(f, admin, "production")).toMatch(/^WARNING \(production\): .*superuser.*README/);
  });

  test("a role holding the server program and file roles is named with them", async () => {
    const f = await restoreRoleFacts(as(strong));
    expect(f).toEqual({
      role: strong,
      superuser: false,
      createdb: false,
      serverAccess: ["pg_execute_server_program", "pg_read_server_files"],
    });
    expect(restoreRoleWarning(f, as(strong), "test")).toMatch(
      /which is pg_execute_server_program and pg_read_server_files on /,
    );
  });

  test("the role the README describes (CREATEDB, nothing more) draws no warning", async () => {
    const f = await restoreRoleFacts(as(restorer));
    expect(f).toEqual({ role: restorer, superuser: false, createdb: true, serverAccess: [] });
    expect(restoreRoleWarning(f, as(restorer), "production")).toBeNull();
  });
});
