import fs from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { saveDatabaseCommand } from "@/lib/databases/commands";
import { HeadSettingError, headSourceOf, type HeadSource } from "@/lib/postgres/head-query";
import { migrationHead, runPsqlQuery } from "@/lib/postgres/run";
import type { PgConnection } from "@/lib/postgres/connection";
import { createDatabase, dropDatabase, runSqlFile, uniqueDatabaseName } from "@/lib/postgres/test-support";

// An admin once got a shell on the console's host by setting a database's migration-head query
// to `\! id > file`: psql ran it as a meta-command on an operator's preflight. The setting is
// now a migration tool or a table and column that Lifeboat quotes itself. These tests put shell
// escapes and SQL into every field, at save and straight into the stored row, and check that
// nothing runs: no marker file appears and the canary table is still there.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const suffix = randomUUID().slice(0, 8);
// Short: a name has at most 63 bytes, and the payloads must fit to reach the server at all.
const marker = `/tmp/lbh-${randomBytes(3).toString("hex")}`;
let conn: PgConnection;

/** Payloads that would create the marker file if any of them were run (by psql or by the server). */
const payloads = [
  `\\! id > ${marker}`,
  `x\\! touch ${marker}`,
  `t; COPY (SELECT 1) TO PROGRAM 'id>${marker}'; --`,
  `t"; COPY (SELECT 1) TO PROGRAM 'id>${marker}'; --`,
  `version_num" FROM t; DROP TABLE canary; --`,
  `t"; DROP TABLE canary; --`,
  `1; COPY (SELECT 1) TO PROGRAM 'id>${marker}'; --`,
];
const FIELDS = ["migrationHeadSchema", "migrationHeadTable", "migrationHeadColumn", "migrationHeadOrderBy"] as const;

async function canaryRows(): Promise<string | undefined> {
  return (await runPsqlQuery(conn, "SELECT count(*) FROM canary"))[0]?.[0];
}

beforeAll(async () => {
  const admin = await db.user.create({
    data: { email: `head-admin-${suffix}@example.test`, name: "Head admin", role: "admin" },
  });
  session.user = { id: admin.id, email: admin.email, name: admin.name, role: "admin" };
  conn = await createDatabase(uniqueDatabaseName("head_attack"));
  await runPsqlQuery(
    conn,
    "CREATE TABLE alembic_version (version_num text); INSERT INTO alembic_version VALUES ('abc123')",
  );
  await runPsqlQuery(conn, "CREATE TABLE canary (id int); INSERT INTO canary VALUES (1)");
});

afterAll(async () => {
  fs.rmSync(marker, { force: true });
  if (conn) await dropDatabase(conn.database);
  await db.database.deleteMany({ where: { name: { startsWith: `head-attack-${suffix}` } } });
});

describe("the migration head setting runs no code", () => {
  test.each(FIELDS.flatMap((field) => payloads.filter((p) => p.includes("\\")).map((p) => [field, p] as const)))(
    "saving %s = %s is refused on its field",
    async (field, payload) => {
      const r = await saveDatabaseCommand({
        name: `head-attack-${suffix}-${field}`,
        environment: "test",
        host: conn.host,
        port: conn.port,
        dbName: conn.database,
        user: conn.user,
        sslmode: "disable",
        migrationHeadKind: "custom",
        migrationHeadTable: "alembic_version",
        migrationHeadColumn: "version_num",
        [field]: payload,
      });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.issues?.find((i) => i.path === field)?.message).toMatch(/backslash/);
      expect(await db.database.count({ where: { name: `head-attack-${suffix}-${field}` } })).toBe(0);
    },
  );

  test("a stored row holding a shell escape (written around the form) is refused before psql runs", async () => {
    for (const field of FIELDS) {
      const row = {
        migrationHeadKind: "custom",
        migrationHeadSchema: null,
        migrationHeadTable: "alembic_version",
        migrationHeadColumn: "version_num",
        migrationHeadOrderBy: null,
        [field]: `\\! id > ${marker}`,
      };
      await expect(migrationHead(conn, headSourceOf(row))).rejects.toBeInstanceOf(HeadSettingError);
    }
    expect(fs.existsSync(marker)).toBe(false);
  });

  test("SQL in any name is one quoted name: it matches no table, and nothing runs", async () => {
    const base: HeadSource = {
      kind: "custom",
      schema: null,
      table: "alembic_version",
      column: "version_num",
      orderBy: null,
    };
    expect(await migrationHead(conn, base)).toBe("abc123");
    for (const payload of payloads.filter((p) => !p.includes("\\"))) {
      for (const field of ["schema", "table", "column", "orderBy"] as const) {
        expect(await migrationHead(conn, { ...base, [field]: payload })).toBeNull();
      }
      // A preset with a hostile schema name is quoted the same way.
      expect(await migrationHead(conn, { ...base, kind: "alembic", schema: payload })).toBeNull();
    }
    expect(fs.existsSync(marker)).toBe(false);
    expect(await canaryRows()).toBe("1");
  });
});

describe("presets read the head each tool records", () => {
  test("alembic, and Flyway's newest successful versioned migration (the odd fixture)", async () => {
    expect(await migrationHead(conn, headSourceOf({ migrationHeadKind: "alembic" }))).toBe("abc123");
    const odd = await createDatabase(uniqueDatabaseName("head_flyway"));
    try {
      await runSqlFile(odd, path.resolve(import.meta.dirname, "../fixtures/odd.sql"), { scale: "1" });
      const flyway = headSourceOf({ migrationHeadKind: "flyway" });
      expect(await migrationHead(odd, flyway)).toBe("3.1");
      // A failed migration and a repeatable one (no version) after it are not the head.
      await runPsqlQuery(
        odd,
        `INSERT INTO flyway_schema_history VALUES
           (4, '4', 'broken', 'SQL', 'V4__broken.sql', 1, 'deploy', now(), 1, false),
           (5, NULL, 'views', 'SQL', 'R__views.sql', 2, 'deploy', now(), 1, true)`,
      );
      expect(await migrationHead(odd, flyway)).toBe("3.1");
    } finally {
      await dropDatabase(odd.database);
    }
  });
});

describe("the migration that replaced the free-text query", () => {
  const dir = path.resolve(import.meta.dirname, "../../prisma/migrations");
  const MINE = "20261202050000_head_table_and_tls";

  test("the default becomes alembic, a plain table and column becomes custom, anything else none with a note", () => {
    const sqlite = new Database(":memory:");
    const names = fs
      .readdirSync(dir)
      .filter((n) => /^\d/.test(n))
      .sort();
    const queries = {
      d0: "select version_num from alembic_version",
      d1: "SELECT version_num FROM app.alembic_version;",
      d2: "select  Version  from\n Schema_Migrations",
      d3: `\\! id > ${marker}`,
      d4: "select version from flyway_schema_history order by installed_rank desc limit 1",
      d5: 'select "x" from "T"',
    };
    for (const n of names) {
      if (n === MINE) {
        const ins = sqlite.prepare(
          `INSERT INTO "Database" (id, name, host, dbName, user, updatedAt, migrationHeadQuery) VALUES (?, ?, 'h', 'db', 'u', 0, ?)`,
        );
        for (const [id, q] of Object.entries(queries)) ins.run(id, id, q);
      }
      sqlite.exec(fs.readFileSync(path.join(dir, n, "migration.sql"), "utf8"));
    }
    const rows = sqlite
      .prepare(
        `SELECT id, migrationHeadKind AS kind, migrationHeadSchema AS schema, migrationHeadTable AS tbl,
                migrationHeadColumn AS col, migrationHeadNote AS note FROM "Database" ORDER BY id`,
      )
      .all() as {
      id: string;
      kind: string;
      schema: string | null;
      tbl: string | null;
      col: string | null;
      note: string | null;
    }[];
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId.d0).toMatchObject({ kind: "alembic", schema: null, note: null });
    expect(byId.d1).toMatchObject({ kind: "alembic", schema: "app", note: null });
    expect(byId.d2).toMatchObject({ kind: "custom", tbl: "schema_migrations", col: "version", note: null });
    for (const id of ["d3", "d4", "d5"]) {
      expect(byId[id]).toMatchObject({ kind: "none", tbl: null, col: null });
      expect(byId[id]?.note).toMatch(/choose the migration tool or name the table and column/);
    }
    expect(
      (sqlite.prepare(`SELECT name FROM pragma_table_info('Database')`).all() as { name: string }[]).map((c) => c.name),
    ).not.toContain("migrationHeadQuery");
    expect(fs.existsSync(marker)).toBe(false);
  });
});
