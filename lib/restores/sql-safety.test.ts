import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, test } from "vitest";
import { PsqlScriptGuard, PsqlScriptScanner, UnsafeSqlError } from "./sql-safety";

function scan(sql: string) {
  const s = new PsqlScriptScanner();
  const kept: string[] = [];
  for (const line of sql.split("\n")) if (s.push(Buffer.from(line, "utf8").toString("latin1"))) kept.push(line);
  return { findings: s.findings, kept, scanner: s };
}

const PG_DUMP_LIKE = [
  "\\restrict 8yJ1hXkq2bXbYc5rPz0aT0cW3m9QZ",
  "--",
  "-- PostgreSQL database dump",
  "-- Name: weird\\name; Type: TABLE; Schema: public; Owner: app",
  "--",
  "SET statement_timeout = 0;",
  "SET client_encoding = 'UTF8';",
  "SET standard_conforming_strings = on;",
  "SELECT pg_catalog.set_config('search_path', '', false);",
  `CREATE TABLE public."we\\ird" (id bigint, path text DEFAULT 'C:\\');`,
  "COMMENT ON TABLE public.\"we\\ird\" IS 'it''s a \\ backslash';",
  "CREATE FUNCTION public.f() RETURNS text LANGUAGE plpgsql AS $_$",
  "BEGIN",
  "  -- \\! not a command in a body",
  "  RETURN E'\\\\! also not';",
  "END",
  "$_$;",
  "CREATE FUNCTION public.g() RETURNS integer LANGUAGE sql",
  "BEGIN ATOMIC",
  " SELECT 1;",
  " SELECT CASE WHEN true THEN 2 END;",
  "END;",
  "/* a block comment \\! with /* nesting */ still \\o |x */",
  'COPY public."we\\ird" (id, path) FROM stdin;',
  "1\tC:\\\\dir\\\\",
  "2\t\\N",
  "3\t\\! touch /tmp/in-data-is-fine",
  "\\.",
  "SELECT 1;",
  "--",
  "-- PostgreSQL database dump complete",
  "--",
  "\\unrestrict 8yJ1hXkq2bXbYc5rPz0aT0cW3m9QZ",
].join("\n");

describe("PsqlScriptScanner", () => {
  test("pg_dump's own output passes, with its \\restrict lines left out", () => {
    const { findings, kept, scanner } = scan(PG_DUMP_LIKE);
    expect(findings).toEqual([]);
    expect(kept.some((l) => l.startsWith("\\restrict") || l.startsWith("\\unrestrict"))).toBe(false);
    expect(scanner.copyBlocks).toBe(1);
    expect(scanner.droppedLines).toBe(2);
    expect(kept).toContain("3\t\\! touch /tmp/in-data-is-fine");
  });

  test.each<[string, string, RegExp]>([
    ["a shell escape", "\\! touch /tmp/x", /\\!: runs a shell command/],
    ["a shell escape after SQL on the same line", "SELECT 1; \\! touch /tmp/x", /\\!/],
    ["a meta-command inside a statement", "SELECT 1\n\\g |sh", /\\g: sends the query elsewhere/],
    ["output to a pipe", "\\o |cat > /tmp/x", /\\o: sends query output/],
    ["\\copy from a program", "\\copy t from program 'id'", /\\copy/],
    ["\\setenv", "\\setenv PAGER evil", /\\setenv/],
    ["\\i", "\\i /etc/passwd", /\\i: runs another file/],
    ["\\connect (pg_dump --create)", "\\connect amani", /\\connect: switches to another database/],
    ["a standard string ending in a backslash, then a command", "SELECT '\\' \\! touch /tmp/x '';", /\\!/],
    ["an identifier ending in E before a string", "SELECT foE'\\' \\! touch /tmp/x';", /\\!/],
    ["a number with an exponent E before a string", "SELECT 1E'\\' \\! touch /tmp/x';", /\\!/],
    ["a command after the end of COPY data", "COPY t (a) FROM stdin;\n1\n\\.\n\\! touch /tmp/x", /\\!/],
    ["COPY from a file named stdin is not a data block", "COPY t FROM 'stdin';\n\\! touch /tmp/x", /\\!/],
    [
      "a semicolon inside parentheses does not end the statement",
      "SELECT (1 ; COPY t FROM stdin ;\n\\! touch /tmp/x",
      /\\!/,
    ],
    ["text after COPY … FROM stdin", "COPY t FROM stdin; SELECT 1;", /text follows COPY/],
    ["COPY … PROGRAM", "COPY t TO PROGRAM 'id';", /PROGRAM runs a shell command/],
    [
      "turning standard_conforming_strings off",
      "SET standard_conforming_strings = off;",
      /changes how psql reads quotes/,
    ],
    [
      "set_config of standard_conforming_strings",
      "SELECT set_config('standard_conforming_strings', 'off', false);",
      /changes how psql reads quotes/,
    ],
    ["a client-only encoding", "SET client_encoding = 'SJIS';", /client-only encoding SJIS/],
    ["\\restrict inside a statement", "SELECT 1\n\\restrict abc", /\\restrict: pg_dump writes this alone/],
    ["an end-of-data marker outside COPY", "\\.", /end-of-data marker/],
    ["\\set other than ON_ERROR_STOP on", "\\set ON_ERROR_STOP off", /\\set: changes psql's settings/],
    [
      // psql's lexer has no length limit on a dollar-quote tag; a scanner that stops looking
      // after a fixed width reads the quote's ' as the start of a string and misses the \!.
      "a dollar-quote tag of 255 characters hiding a command",
      `SELECT $${"t".repeat(255)}$ ' $${"t".repeat(255)}$;\n\\! touch /tmp/x\nSELECT '';`,
      /\\!|cannot check safely/,
    ],
    [
      "a dollar-quote tag longer than any identifier",
      `SELECT $${"t".repeat(64)}$x$${"t".repeat(64)}$;`,
      /cannot check safely/,
    ],
    [
      "COPY … PROGRAM split across strings inside a DO block",
      "DO $$ BEGIN EXECUTE 'COPY t FROM PROG' || 'RAM ''id > /tmp/x'''; END $$;",
      /COPY … PROGRAM runs a shell command/,
    ],
    [
      "COPY … PROGRAM in a function body",
      "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $f$ copy t to\nprogram 'id' $f$;",
      /PROGRAM/,
    ],
    ["COPY … PROGRAM in a string literal", "SELECT dblink_exec('cOpY t FROM PrOgRaM ''id''');", /PROGRAM/],
    [
      "a DO block building SQL at run time",
      "DO $$ BEGIN EXECUTE format('%s', 'SEL' || chr(69) || 'CT 1'); END $$;",
      /dynamic SQL/,
    ],
    ["COPY from a server file", "COPY t FROM '/etc/passwd';", /file on the database server/],
    ["server-side lo_import", "SELECT lo_import('/etc/passwd');", /lo_import\/lo_export/],
    ["server-side lo_export", "SELECT lo_export(16400, '/tmp/x');", /lo_import\/lo_export/],
    ["ALTER SYSTEM", "ALTER SYSTEM SET archive_command = 'id';", /ALTER SYSTEM/],
    ["an untrusted language extension", "CREATE EXTENSION IF NOT EXISTS plpython3u;", /untrusted language/],
    [
      "a plperlu function",
      "CREATE FUNCTION f() RETURNS int LANGUAGE plperlu AS $$ system('id'); $$;",
      /untrusted language/,
    ],
    ["a C function", "CREATE FUNCTION f() RETURNS int AS '/tmp/evil.so', 'f' LANGUAGE c;", /untrusted language/],
    ["pg_read_file", "SELECT pg_read_file('/etc/passwd');", /reads or writes files/],
    [
      "a psql variable whose value psql reads as input",
      "DO $$BEGIN RAISE EXCEPTION 'x'; END$$;\nSELECT :LAST_ERROR_MESSAGE;",
      /:LAST_ERROR_MESSAGE inserts the value/,
    ],
  ])("refuses %s", (_name, sql, reason) => {
    const { findings } = scan(sql);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => f.reason).join(" | ")).toMatch(reason);
  });

  test.each<[string, string]>([
    ["a backslash command inside an E'' string", "SELECT E'\\' \\! touch /tmp/x';"],
    ["inside a dollar quote with a tag", "DO $x$ BEGIN RAISE NOTICE '\\!'; END $x$;"],
    ["a $ inside an identifier is not a dollar quote", "SELECT a$b$ FROM t; SELECT '\\';"],
    ["inside a quoted identifier", 'SELECT 1 AS "\\! x";'],
    ["\\set ON_ERROR_STOP on (left out)", "\\set ON_ERROR_STOP on"],
    ["casts that look like variables", "SELECT x::VERSION, y ::DBNAME, a[1:2], f(p := 1) FROM t;"],
    ["a trusted extension", "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;"],
    ["COPY … FROM stdin", "COPY public.t (a, b) FROM stdin;\n1\t2\n\\."],
    ["a comment naming a program", "-- Name: copy_program; Type: TABLE; Schema: public\nSELECT 1;"],
    [
      "a semicolon inside BEGIN ATOMIC does not start a COPY",
      "CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; END;\nSELECT 2;",
    ],
  ])("accepts %s", (_name, sql) => {
    expect(scan(sql).findings).toEqual([]);
  });

  test("a function that builds SQL at run time is noted, not refused", () => {
    const { findings, scanner } = scan(
      "CREATE FUNCTION public.part(d date) RETURNS void LANGUAGE plpgsql AS $_$\nBEGIN\n  EXECUTE format('CREATE TABLE %I ()', 'p_' || d);\nEND\n$_$;",
    );
    expect(findings).toEqual([]);
    expect(scanner.warnings.map((w) => w.reason).join()).toMatch(/dynamic SQL the scanner cannot check/);
  });

  test("a last statement without its semicolon is checked too (psql runs it at the end of the file)", () => {
    const { scanner } = scan("SELECT 1;\nDO $$ BEGIN EXECUTE 'COPY t FROM PROG' || 'RAM ''id'''; END $$");
    expect(scanner.findings).toEqual([]);
    scanner.finish();
    expect(scanner.findings.map((f) => f.reason).join()).toMatch(/PROGRAM/);
  });

  test("findings name the line", () => {
    const { findings } = scan("SELECT 1;\nSELECT 2;\n\\! touch /tmp/x\n");
    expect(findings[0]).toMatchObject({ line: 3, text: "\\! touch /tmp/x" });
  });
});

async function guardOutput(input: Buffer, chunkSize: number, restrictKey?: string): Promise<string> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkSize) chunks.push(input.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    new PsqlScriptGuard(restrictKey ? { restrictKey } : {}),
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(out).toString("utf8");
}

describe("PsqlScriptGuard", () => {
  const input = Buffer.from(PG_DUMP_LIKE + "\n", "utf8");
  const expected =
    PG_DUMP_LIKE.split("\n")
      .filter((l) => !/^\\(un)?restrict /.test(l))
      .join("\n") + "\n";

  test.each([1, 2, 7, 64, 100_000])(
    "passes the script through in chunks of %i bytes, without pg_dump's \\restrict lines",
    async (size) => {
      expect(await guardOutput(input, size)).toBe(expected);
    },
  );

  test("puts its own \\restrict line first", async () => {
    const out = await guardOutput(input, 5, "a".repeat(16) + "0123456789");
    expect(out).toBe(`\\restrict ${"a".repeat(16)}0123456789\n` + expected);
  });

  test("a last line without a newline is kept", async () => {
    expect(await guardOutput(Buffer.from("SELECT 1;\nSELECT 2;"), 3)).toBe("SELECT 1;\nSELECT 2;");
  });

  test("fails at the end when the last statement, without its semicolon, is unsafe", async () => {
    await expect(guardOutput(Buffer.from("SELECT 1;\nALTER SYSTEM SET archive_command = 'id'"), 7)).rejects.toThrow(
      /ALTER SYSTEM/,
    );
  });

  test("stops at the first unsafe line, before passing it on", async () => {
    const out: string[] = [];
    const err = await pipeline(
      Readable.from([Buffer.from("SELECT 1;\n\\! touch /tmp/x\nSELECT 2;\n")]),
      new PsqlScriptGuard(),
      new Writable({
        write(c: Buffer, _e, cb) {
          out.push(c.toString());
          cb();
        },
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeSqlError);
    expect((err as Error).message).toMatch(/line 2: \\! touch \/tmp\/x \(\\!: runs a shell command/);
    expect(out.join("")).not.toContain("touch");
  });
});
