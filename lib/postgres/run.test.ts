import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { UserError } from "@/lib/errors";
import { describeConnection, passfileField, pgEnv, type PgConnection } from "./connection";
import { DEFAULT_HEAD_SOURCE } from "./head-query";
import { PG_CONNECTION_CODES, PgError, type PgErrorCode } from "./errors";
import {
  exportSnapshot,
  migrationHead,
  parseCsv,
  parseToolVersion,
  explainPgFailure,
  PgCommandError,
  pgDumpVersion,
  psqlRestrictSupport,
  quoteIdent,
  runPsqlQueries,
  runPsqlQuery,
  runPsqlScript,
  serverVersion,
  serverVersionQuery,
  spawnFailure,
  tableRowCounts,
  toolVersion,
  type PsqlQuery,
} from "./run";
import {
  AMANI_SCALE1_COUNTS,
  createDatabase,
  createFixtureDatabase,
  dropDatabase,
  testConnection,
  uniqueDatabaseName,
} from "./test-support";

// Integration tests against the real PostgreSQL server from TEST_PG_*.

let amani: PgConnection;
let hostile: PgConnection;
const roleName = `lb_role_${randomBytes(3).toString("hex")}`;
const rolePassword = `p:a\\ss wörd'"*${randomBytes(4).toString("hex")}`;

const HOSTILE_SCHEMA = `we "ird" schéma`;
const HOSTILE_TABLES: [string, string, number][] = [
  [HOSTILE_SCHEMA, `tab le "x" ✓`, 3],
  [HOSTILE_SCHEMA, "select", 0],
  ["public", "UPPER case", 2],
  ["public", "a,b\nc", 1],
  ["public", "measurements_2024", 4], // a partition: counted; its partitioned parent is not
];

beforeAll(async () => {
  amani = await createFixtureDatabase("run");
  hostile = await createDatabase(uniqueDatabaseName("hostile"));
  const q = quoteIdent;
  await runPsqlQuery(
    hostile,
    [
      `CREATE SCHEMA ${q(HOSTILE_SCHEMA)}`,
      `CREATE TABLE ${q(HOSTILE_SCHEMA)}.${q(`tab le "x" ✓`)} (v text)`,
      `INSERT INTO ${q(HOSTILE_SCHEMA)}.${q(`tab le "x" ✓`)} VALUES ('a'), ('b'), (NULL)`,
      `CREATE TABLE ${q(HOSTILE_SCHEMA)}.${q("select")} (id int)`,
      `CREATE TABLE public.${q("UPPER case")} (id int)`,
      `INSERT INTO public.${q("UPPER case")} VALUES (1), (2)`,
      `CREATE TABLE public.${q("a,b\nc")} (id int)`,
      `INSERT INTO public.${q("a,b\nc")} VALUES (1)`,
      `CREATE TABLE public.measurements (at date) PARTITION BY RANGE (at)`,
      `CREATE TABLE public.measurements_2024 PARTITION OF public.measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
      `INSERT INTO public.measurements SELECT date '2024-01-01' + g FROM generate_series(1, 4) g`,
      `CREATE VIEW public.a_view AS SELECT 1 AS one`,
    ].join(";\n"),
  );
  await runPsqlQuery(
    testConnection(),
    `CREATE ROLE ${q(roleName)} LOGIN PASSWORD ${`'${rolePassword.replace(/'/g, "''")}'`}`,
  );
});

afterAll(async () => {
  if (amani) await dropDatabase(amani.database);
  if (hostile) await dropDatabase(hostile.database);
  await runPsqlQuery(testConnection(), `DROP ROLE IF EXISTS ${quoteIdent(roleName)}`);
});

describe("parseCsv", () => {
  test.each<[string, string, string[][]]>([
    ["empty output", "", []],
    ["one value", "15.18\n", [["15.18"]]],
    ["empty fields", ",,\n", [["", "", ""]]],
    [
      "quotes, commas and newlines",
      `1,"a""b","x,y","l1\nl2"\n2,z,,\n`,
      [
        ["1", 'a"b', "x,y", "l1\nl2"],
        ["2", "z", "", ""],
      ],
    ],
    [
      "CRLF",
      "a,b\r\nc,d\r\n",
      [
        ["a", "b"],
        ["c", "d"],
      ],
    ],
    ["no final newline", "a,b", [["a", "b"]]],
  ])("%s", (_name, input, rows) => {
    expect(parseCsv(input)).toEqual(rows);
  });

  test("an unterminated quote is an error, not a silent truncation", () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/quoted field/);
  });
});

test.each([
  ["pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n", "15.18"],
  ["pg_dump (PostgreSQL) 16beta1\n", "16beta1"],
  ["psql (PostgreSQL) 9.6.24\n", "9.6.24"],
  ["something else", null],
])("parseToolVersion(%j)", (out, v) => {
  expect(parseToolVersion(out)).toBe(v);
});

describe("runPsqlQuery", () => {
  test("returns rows with awkward values intact", async () => {
    const rows = await runPsqlQuery(
      amani,
      `SELECT 1, 'a"b,c', E'two\\nlines', 'ünï ✓', '', NULL UNION ALL SELECT 2, 'x', 'y', 'z', ' ', 'n'`,
    );
    expect(rows).toEqual([
      ["1", 'a"b,c', "two\nlines", "ünï ✓", "", ""],
      ["2", "x", "y", "z", " ", "n"],
    ]);
  });

  test("a SQL error carries the SQLSTATE and says what failed", async () => {
    const err = await runPsqlQuery(amani, "SELECT * FROM no_such_table").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PgCommandError);
    expect((err as PgCommandError).sqlstate).toBe("42P01");
    expect((err as Error).message).toMatch(/relation "no_such_table" does not exist/);
    expect((err as Error).message).not.toContain(amani.password ?? "--");
  });

  test("a password with passfile-special characters works (escaped, never in argv)", async () => {
    const conn = { ...testConnection(amani.database), user: roleName, password: rolePassword };
    expect(await runPsqlQuery(conn, "SELECT current_user")).toEqual([[roleName]]);
  });
});

describe("connection errors are explained, without the password", () => {
  test("wrong password", async () => {
    const secret = `wrong-${randomBytes(6).toString("hex")}`;
    const conn = { ...amani, password: secret };
    const err = await runPsqlQuery(conn, "SELECT 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      `password authentication failed for user ${conn.user}: check the database's password in Settings → Databases`,
    );
    expect(JSON.stringify(err) + String(err) + (err as Error).stack).not.toContain(secret);
  });

  test("missing password", async () => {
    const err = await serverVersion({ ...amani, password: undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/wants a password for user .* none is set/);
  });

  test("database that does not exist", async () => {
    const err = await serverVersion({ ...amani, database: "no_such_db_lifeboat" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^database no_such_db_lifeboat does not exist on /);
    expect((err as Error).message).not.toContain(amani.password ?? "--");
  });

  test("nothing listening", async () => {
    const err = await serverVersion({ ...amani, host: "127.0.0.1", port: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /^could not connect to server at 127\.0\.0\.1:1: is it running and reachable\?/,
    );
  });
});

describe("every connection failure is a PgError with a code and a message naming the cause", () => {
  // Real servers' answers: the connection is changed in one way each, against the test server.
  const wrongPassword = `wr'o"ng-${randomBytes(6).toString("hex")}`;
  test.each<[string, () => PgConnection, PgErrorCode, RegExp]>([
    [
      "wrong password",
      () => ({ ...amani, password: wrongPassword }),
      "auth_failed",
      /^password authentication failed for user \S+: check the database's password in Settings → Databases$/,
    ],
    [
      "unknown user",
      () => ({ ...amani, user: "no_such_role_lifeboat" }),
      "auth_failed",
      /^password authentication failed for user no_such_role_lifeboat: check the database's password/,
    ],
    [
      "missing database whose name has quotes",
      () => ({ ...amani, database: `we"ird 'db"` }),
      "database_missing",
      /^database we"ird 'db" does not exist on 127\.0\.0\.1:\d+: check the database name in Settings → Databases$/,
    ],
    [
      "missing password",
      () => ({ ...amani, password: undefined }),
      "password_missing",
      /wants a password for user .* and none is set: add it/,
    ],
    [
      "closed port",
      () => ({ ...amani, host: "127.0.0.1", port: 1 }),
      "connection_refused",
      /^could not connect to server at 127\.0\.0\.1:1: is it running and reachable\? \(Connection refused\): check the host and port/,
    ],
    [
      "host that does not resolve",
      () => ({ ...amani, host: "no-such-host.invalid" }),
      "host_not_found",
      /^could not connect to server at no-such-host\.invalid:\d+: the host name does not resolve \(DNS\)/,
    ],
    [
      "TLS required by a server without it",
      () => ({ ...amani, sslmode: "require" }),
      "ssl_failed",
      /does not accept TLS, but this database's TLS mode is require: turn on ssl on the server/,
    ],
    [
      "verify-full against a server without TLS",
      () => ({ ...amani, sslmode: "verify-full" }),
      "ssl_failed",
      /does not accept TLS, but this database's TLS mode is verify-full/,
    ],
  ])("%s", async (_name, conn, code, message) => {
    const c = conn();
    const err = await runPsqlQuery(c, "SELECT 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PgError);
    expect(err).toBeInstanceOf(UserError);
    expect((err as PgError).code).toBe(code);
    expect(PG_CONNECTION_CODES.has(code)).toBe(true);
    expect((err as Error).message).toMatch(message);
    const shown = JSON.stringify(err) + String(err) + (err as Error).stack;
    expect(shown).not.toContain(wrongPassword);
    expect(shown).not.toContain(amani.password ?? "--");
  });

  test("a missing database names itself in `subject`, quotes and all", async () => {
    const err = await serverVersion({ ...amani, database: `a"b` }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "database_missing", subject: `a"b`, status: 404 });
  });

  // Messages of situations a test cannot cheaply provoke, as servers and libpq print them.
  const conn: PgConnection = {
    host: "db.example",
    port: 5432,
    user: "app",
    password: "hunter2hunter2",
    database: "amani",
  };
  const prefix = 'psql: error: connection to server at "db.example" (10.0.0.5), port 5432 failed: ';
  test.each<[string, string, PgErrorCode | "sql_error" | "tool_failed", RegExp]>([
    [
      "pg_hba",
      `${prefix}FATAL:  no pg_hba.conf entry for host "10.0.0.9", user "app", database "amani", no encryption`,
      "host_rejected",
      /pg_hba\.conf\): ask its administrator/,
    ],
    [
      "starting up",
      `${prefix}FATAL:  the database system is starting up`,
      "server_unavailable",
      /the database system is starting up\): wait until/,
    ],
    [
      "slots",
      `${prefix}FATAL:  sorry, too many clients already\nFATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute`,
      "too_many_connections",
      /no free connection slots/,
    ],
    [
      "timeout",
      `${prefix}timeout expired`,
      "connect_timeout",
      /\(timeout expired\): check the host, the port and any firewall/,
    ],
    [
      "no route",
      `${prefix}No route to host\n\tIs the server running on that host and accepting TCP/IP connections?`,
      "connect_timeout",
      /No route to host/,
    ],
    [
      "lost",
      'pg_dump: error: Dumping the contents of table "t" failed: PQgetResult() failed.\npg_dump: detail: Error message from server: server closed the connection unexpectedly',
      "connection_lost",
      /closed the connection while psql was working/,
    ],
    [
      "role",
      `${prefix}FATAL:  role "o""dd" does not exist`,
      "role_missing",
      /^role o""dd does not exist on db\.example:5432/,
    ],
    [
      "unknown FATAL",
      `${prefix}FATAL:  28000: pg_ident.conf mapping failed for user "app"`,
      "connection_failed",
      /^could not connect to app@db\.example:5432\/amani: pg_ident\.conf mapping failed for user "app"\. Check the connection/,
    ],
    [
      "socket",
      'psql: error: connection to server on socket "/run/x/.s.PGSQL.5432" failed: No such file or directory',
      "connection_failed",
      /No such file or directory\. Check the connection/,
    ],
    [
      "version",
      "pg_dump: error: aborting because of server version mismatch\npg_dump: detail: server version: 17.2; pg_dump version: 15.18",
      "version_mismatch",
      /pg_dump version|is older than the server \(17\.2\)/,
    ],
    [
      "permission",
      "psql:<stdin>:1: ERROR:  42501: permission denied for table secrets",
      "permission_denied",
      /permission denied for table secrets/,
    ],
    ["syntax", 'psql:<stdin>:1: ERROR:  42601: syntax error at or near "SELEC"', "sql_error", /syntax error/],
    ["crash", "Segmentation fault", "tool_failed", /Segmentation fault/],
  ])("%s", (_name, stderr, code, message) => {
    const err = explainPgFailure("psql", conn, `${stderr}\npsql: detail: hunter2hunter2\n`, 2);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.message + err.stack).not.toContain("hunter2hunter2");
    if (err instanceof PgError && PG_CONNECTION_CODES.has(err.code)) expect(err).toBeInstanceOf(UserError);
  });
});

describe("child environment", () => {
  test("pgEnv writes a 0600 passfile in a private directory and removes it", async () => {
    const { env, cleanup } = await pgEnv({ host: "h", port: 5432, user: "u", database: "d", password: "a:b\\c" });
    const file = env.PGPASSFILE ?? "";
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(file, "utf8")).toBe("*:*:*:*:a\\:b\\\\c\n");
    expect(env.PGPASSWORD).toBeUndefined();
    expect(env).toMatchObject({
      PGHOST: "h",
      PGPORT: "5432",
      PGUSER: "u",
      PGDATABASE: "d",
      PGCONNECT_TIMEOUT: "5",
      PGAPPNAME: "lifeboat",
    });
    await cleanup();
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  test.each([
    ["plain", "plain"],
    ["a:b", "a\\:b"],
    ["back\\slash", "back\\\\slash"],
  ])("passfileField(%j)", (v, out) => {
    expect(passfileField(v)).toBe(out);
  });

  test("the password reaches the child only through the passfile, which is gone afterwards", async () => {
    // A stand-in psql that records what it was given; the real one is exercised above.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-fakebin-"));
    const record = path.join(dir, "record");
    fs.writeFileSync(
      path.join(dir, "psql"),
      `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}.argv"\ncat "$PGPASSFILE" > "${record}.pass"\necho "$PGPASSFILE" > "${record}.path"\nenv > "${record}.env"\necho 15.0\n`,
      { mode: 0o755 },
    );
    const secret = `s3cret-${randomBytes(6).toString("hex")}`;
    try {
      const v = await serverVersion({ ...amani, password: secret }, { binDir: dir });
      expect(v).toBe("15.0");
      expect(fs.readFileSync(`${record}.argv`, "utf8")).not.toContain(secret);
      expect(fs.readFileSync(`${record}.pass`, "utf8")).toBe(`*:*:*:*:${secret}\n`);
      expect(fs.readFileSync(`${record}.env`, "utf8")).not.toContain(`PGPASSWORD`);
      expect(fs.existsSync(fs.readFileSync(`${record}.path`, "utf8").trim())).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("describeConnection never shows the password", () => {
    expect(describeConnection({ host: "db", port: 5432, user: "app", password: "pw", database: "amani" })).toBe(
      "app@db:5432/amani",
    );
    expect(describeConnection({ host: "::1", port: 5, user: "u", database: "d" })).toBe("u@[::1]:5/d");
  });
});

describe("facts about a server", () => {
  test("serverVersion is the bare version number", async () => {
    const v = await serverVersion(amani);
    expect(v).toMatch(/^\d+(\.\d+)*$/);
    const full = await runPsqlQuery(amani, "SHOW server_version");
    expect(full[0]?.[0]?.startsWith(v)).toBe(true);
  });

  test("pgDumpVersion matches pg_dump --version", async () => {
    const { stdout } = await execa("pg_dump", ["--version"]);
    const v = await pgDumpVersion();
    expect(v).toMatch(/^\d+\.\d+/);
    expect(stdout).toContain(` ${v}`);
  });

  test("pgDumpVersion with a bin dir that has no pg_dump says so", async () => {
    await expect(pgDumpVersion({ binDir: "/nonexistent-lifeboat" })).rejects.toThrow(
      /pg_dump was not found in \/nonexistent-lifeboat/,
    );
  });

  test("tableRowCounts: exact counts of the fixture", async () => {
    const counts = await tableRowCounts(amani);
    expect(Object.fromEntries(counts.map((t) => [t.name, t.rows]))).toEqual(AMANI_SCALE1_COUNTS);
    expect(new Set(counts.map((t) => t.schema))).toEqual(new Set(["public"]));
  });

  test("tableRowCounts: hostile names, partitions, no views or system tables", async () => {
    const counts = await tableRowCounts(hostile);
    expect(counts.map((t) => [t.schema, t.name, t.rows]).sort()).toEqual([...HOSTILE_TABLES].sort());
  });

  test("tableRowCounts with a guess of the tables counts the database's tables, whatever the guess", async () => {
    const truth = await tableRowCounts(hostile);
    const names = truth.map(({ schema, name }) => ({ schema, name }));
    const q = quoteIdent;
    const guesses = {
      exact: names,
      reversed: [...names].reverse(),
      missingOne: names.slice(1),
      extraThatIsNotThere: [...names, { schema: "public", name: "gone" }],
      // Same length: a view and a partitioned parent can be counted, but are not among the tables.
      viewForATable: [...names.slice(0, -1), { schema: "public", name: "a_view" }],
      parentForItsPartition: names.map((t) =>
        t.name === "measurements_2024" ? { schema: "public", name: "measurements" } : t,
      ),
      duplicates: [...names, ...names],
      hostile: [...names, { schema: "public", name: `x"; DROP TABLE public.${q("UPPER case")}; --` }],
      nul: [{ schema: "public", name: "a\u0000b" }],
    };
    for (const [what, likely] of Object.entries(guesses)) {
      expect({ what, counts: await tableRowCounts(hostile, {}, likely) }).toEqual({ what, counts: truth });
    }
    expect(await tableRowCounts(hostile)).toEqual(truth);
  });

  test("tableRowCounts over more SQL than one argument holds (1,300 tables with multi-byte names)", async () => {
    // 1,300 names of nineteen 3-byte characters: about 145 KB of count query, but fewer than
    // 100,000 characters. As one psql argument, Linux would refuse it (E2BIG).
    const many = await createDatabase(uniqueDatabaseName("many"));
    try {
      const name = (i: number) => `${"✓".repeat(19)}_${String(i).padStart(4, "0")}`;
      const create = Array.from({ length: 1300 }, (_, i) => `CREATE TABLE public.${quoteIdent(name(i))} (id int);`);
      await runPsqlScript(many, [...create, `INSERT INTO public.${quoteIdent(name(7))} VALUES (1), (2);`].join("\n"));
      const counts = await tableRowCounts(many);
      expect(counts).toHaveLength(1300);
      expect(counts.find((t) => t.name === name(7))?.rows).toBe(2);
      expect(counts.filter((t) => t.rows > 0)).toHaveLength(1);
      // With the tables as the guess: too long for one session's argument, counted as listed.
      expect(await tableRowCounts(many, {}, counts)).toEqual(counts);
    } finally {
      await dropDatabase(many.database);
    }
  });

  test("a child that cannot start is explained in a few hundred characters, not its whole command line", () => {
    const long = `Command failed with E2BIG: psql --command=${"SELECT 1 UNION ALL ".repeat(10_000)}`;
    const said = spawnFailure(long);
    expect(said.length).toBeLessThan(500);
    expect(said).toMatch(/^Command failed with E2BIG: psql/);
    expect(said).toContain(`(${long.length.toLocaleString("en-US")} characters)`);
    expect(spawnFailure("spawn psql ENOENT")).toBe("spawn psql ENOENT");
    expect(spawnFailure(undefined)).toBe("no message");
  });

  test("runPsqlQueries: one session, each query's rows apart, whatever they hold", async () => {
    const pid: PsqlQuery<string> = { sql: "SELECT pg_backend_pid()", read: (rows) => rows[0]?.[0] ?? "" };
    const rows = (sql: string): PsqlQuery<string[][]> => ({ sql, read: (r) => r });
    const [a, lookalike, none, odd, b, version] = await runPsqlQueries(amani, [
      pid,
      // A row that looks like the separator: the real one holds random bytes no row can know.
      rows("SELECT 'lifeboat-result-000000000000000000000000-2'"),
      rows("SELECT 1 WHERE false"),
      rows(`SELECT 'a,b', E'two\nlines', NULL, '"q"' UNION ALL SELECT 'x', '', '', ''`),
      pid,
      serverVersionQuery,
    ] as const);
    expect(a).toMatch(/^\d+$/);
    expect(b).toBe(a);
    expect(lookalike).toEqual([["lifeboat-result-000000000000000000000000-2"]]);
    expect(none).toEqual([]);
    expect(odd).toEqual([
      ["a,b", "two\nlines", "", '"q"'],
      ["x", "", "", ""],
    ]);
    expect(version).toBe(await serverVersion(amani));
  });

  test("runPsqlQueries: a read-only query cannot write, and the first failure fails the batch", async () => {
    const write: PsqlQuery<null> = {
      sql: "CREATE TABLE lb_batch_write (id int)",
      read: () => null,
      readOnlyTimeoutMs: 5_000,
    };
    await expect(runPsqlQueries(amani, [serverVersionQuery, write] as const)).rejects.toMatchObject({
      sqlstate: "25006",
    });
    const exists = await runPsqlQuery(amani, "SELECT to_regclass('lb_batch_write') IS NOT NULL");
    expect(exists[0]?.[0]).toBe("f");
    const slow: PsqlQuery<null> = { sql: "SELECT pg_sleep(5)", read: () => null, readOnlyTimeoutMs: 200 };
    await expect(runPsqlQueries(amani, [slow, serverVersionQuery] as const)).rejects.toMatchObject({
      sqlstate: "57014",
    });
  });

  test("tableRowCounts with an exported snapshot sees the data as of the snapshot", async () => {
    const before = await tableRowCounts(amani);
    const users = before.find((t) => t.name === "users")?.rows ?? -1;
    const snap = await exportSnapshot(amani);
    try {
      await runPsqlQuery(amani, "INSERT INTO users VALUES (999999, 'late@example.test', 'Late', now())");
      const inSnapshot = await tableRowCounts(amani, { snapshot: snap.snapshot });
      const now = await tableRowCounts(amani);
      expect(inSnapshot.find((t) => t.name === "users")?.rows).toBe(users);
      expect(now.find((t) => t.name === "users")?.rows).toBe(users + 1);
    } finally {
      await snap.release();
      await runPsqlQuery(amani, "DELETE FROM users WHERE id = 999999");
    }
    await expect(tableRowCounts(amani, { snapshot: snap.snapshot })).rejects.toThrow(/snapshot/);
  });

  test("exportSnapshot with a wrong password is explained", async () => {
    await expect(exportSnapshot({ ...amani, password: "nope-nope" })).rejects.toThrow(
      /^password authentication failed for user/,
    );
  });

  test("migrationHead: the fixture's alembic head", async () => {
    expect(await migrationHead(amani)).toBe("a1b2c3d4e5f6");
  });

  test("migrationHead: null when the table does not exist", async () => {
    expect(await migrationHead(hostile)).toBeNull();
  });

  test("migrationHead: a custom table and column, and null for an empty table or a missing column", async () => {
    const custom = (table: string, column: string, orderBy: string | null = null) =>
      ({ kind: "custom", schema: "public", table, column, orderBy }) as const;
    expect(await migrationHead(amani, custom("milestones", "id"))).toBe("2000");
    expect(await migrationHead(amani, custom("milestones", "id", "title"))).not.toBeNull();
    expect(await migrationHead(amani, custom("milestones", "no_such_column"))).toBeNull();
    expect(await migrationHead(amani, { ...DEFAULT_HEAD_SOURCE, kind: "none" })).toBeNull();
  });
});

describe("restore helpers", () => {
  test("toolVersion matches each tool's --version", async () => {
    for (const tool of ["pg_restore", "psql"] as const) {
      const { stdout } = await execa(tool, ["--version"]);
      const v = await toolVersion(tool);
      expect(stdout).toContain(` ${v}`);
    }
    await expect(toolVersion("psql", { binDir: "/nonexistent-lifeboat" })).rejects.toThrow(
      /psql was not found in \/nonexistent-lifeboat/,
    );
  });

  test("psqlRestrictSupport asks psql itself, and restricted mode really refuses a shell escape", async () => {
    const s = await psqlRestrictSupport();
    const { stdout } = await execa("psql", ["--help=commands"]);
    expect(s.supported).toBe(stdout.includes("\\restrict"));
    if (!s.supported) return;
    const marker = path.join(os.tmpdir(), `lifeboat-restrict-${randomBytes(6).toString("hex")}`);
    const { env, cleanup } = await pgEnv(amani);
    try {
      const r = await execa(
        "psql",
        ["-X", "--no-password", "--set=ON_ERROR_STOP=1", "--file=-", `--dbname=${amani.database}`],
        {
          env,
          extendEnv: true,
          input: `\\restrict k3y0123456789abcdef\nSELECT 1;\n\\! touch ${marker}\nSELECT 2;\n`,
          reject: false,
        },
      );
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/backslash commands are restricted/);
      expect(fs.existsSync(marker)).toBe(false);
    } finally {
      await cleanup();
      fs.rmSync(marker, { force: true });
    }
  });

  test("runPsqlScript sends SQL on stdin (longer than one argv argument may be)", async () => {
    const list = Array.from({ length: 40_000 }, (_, i) => i + 1);
    const sql = `SELECT count(*) FROM users WHERE id IN (${list.join(", ")}) AND email <> '${"x".repeat(10)}';\n`;
    expect(sql.length).toBeGreaterThan(128 * 1024);
    expect(await runPsqlScript(amani, sql)).toEqual([["1000"]]);
    await expect(runPsqlScript(amani, "SELECT * FROM no_such_table;")).rejects.toThrow(
      /relation "no_such_table" does not exist/,
    );
  });
});
