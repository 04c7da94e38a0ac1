import { describe, expect, test } from "vitest";
import {
  dbnameArg,
  formatArgv,
  pgDumpArgs,
  pgRestoreArgs,
  pgRestoreListArgs,
  psqlArgs,
  psqlHelpCommandsArgs,
  redactArgv,
  versionArgs,
  versionHasRestrict,
  type Argv,
} from "./commands";

describe("pgDumpArgs", () => {
  test.each<[string, Parameters<typeof pgDumpArgs>[0], Argv]>([
    [
      "custom to stdout",
      { format: "custom", database: "amani" },
      ["pg_dump", "--format=custom", "--no-password", "--dbname=amani"],
    ],
    [
      "plain to stdout",
      { format: "plain", database: "amani" },
      ["pg_dump", "--format=plain", "--no-password", "--dbname=amani"],
    ],
    [
      "custom, compressed, to a file, with a snapshot",
      { format: "custom", database: "amani", compress: 0, file: "/tmp/x y.dump", snapshot: "00000003-0000011F-1" },
      [
        "pg_dump",
        "--format=custom",
        "--no-password",
        "--compress=0",
        "--snapshot=00000003-0000011F-1",
        "--file=/tmp/x y.dump",
        "--dbname=amani",
      ],
    ],
    [
      "bin dir, lock timeout, schema only, verbose",
      {
        format: "plain",
        database: "db",
        binDir: "/usr/lib/postgresql/16/bin",
        lockWaitTimeoutMs: 5000,
        schemaOnly: true,
        verbose: true,
      },
      [
        "/usr/lib/postgresql/16/bin/pg_dump",
        "--format=plain",
        "--no-password",
        "--lock-wait-timeout=5000",
        "--schema-only",
        "--verbose",
        "--dbname=db",
      ],
    ],
    [
      "a database name that looks like a connection string stays a name",
      { format: "custom", database: "host=evil port=1" },
      ["pg_dump", "--format=custom", "--no-password", "--dbname=dbname='host=evil port=1'"],
    ],
    [
      "a name starting with a dash cannot become an option",
      { format: "custom", database: "-h evil" },
      ["pg_dump", "--format=custom", "--no-password", "--dbname=-h evil"],
    ],
  ])("%s", (_name, opts, expected) => {
    expect(pgDumpArgs(opts)).toEqual(expected);
  });

  test.each<[string, Parameters<typeof pgDumpArgs>[0], RegExp]>([
    ["compress on plain", { format: "plain", database: "d", compress: 6 }, /custom format only/],
    ["compress out of range", { format: "custom", database: "d", compress: 10 }, /0 to 9/],
    ["empty database", { format: "custom", database: "" }, /database name is required/],
    ["a snapshot that is not one", { format: "custom", database: "d", snapshot: "x'; drop" }, /snapshot/],
    ["NUL in the file name", { format: "custom", database: "d", file: "a\u0000b" }, /NUL/],
  ])("rejects %s", (_name, opts, error) => {
    expect(() => pgDumpArgs(opts)).toThrow(error);
  });
});

describe("pgRestoreListArgs", () => {
  test.each<[string, Parameters<typeof pgRestoreListArgs>[0], Argv]>([
    ["stdin", {}, ["pg_restore", "--list"]],
    ["a file after --", { file: "-rf.dump" }, ["pg_restore", "--list", "--", "-rf.dump"]],
    ["bin dir", { binDir: "/opt/pg/bin", file: "a.dump" }, ["/opt/pg/bin/pg_restore", "--list", "--", "a.dump"]],
  ])("%s", (_name, opts, expected) => {
    expect(pgRestoreListArgs(opts)).toEqual(expected);
  });
});

describe("pgRestoreArgs", () => {
  test.each<[string, Parameters<typeof pgRestoreArgs>[0], Argv]>([
    [
      "the runbook's restore",
      {
        dbname: "amani",
        clean: true,
        ifExists: true,
        exitOnError: true,
        file: "/b/x.dump",
      },
      ["pg_restore", "--clean", "--if-exists", "--exit-on-error", "--no-password", "--dbname=amani", "--", "/b/x.dump"],
    ],
    [
      "parallel from a file",
      { dbname: "scratch", jobs: 4, file: "/b/x.dump" },
      ["pg_restore", "--jobs=4", "--no-password", "--dbname=scratch", "--", "/b/x.dump"],
    ],
    ["script to /dev/null from stdin", { outputFile: "/dev/null" }, ["pg_restore", "--file=/dev/null"]],
    [
      "single transaction into a tricky name",
      { dbname: "a=b", singleTransaction: true, exitOnError: true },
      ["pg_restore", "--exit-on-error", "--single-transaction", "--no-password", "--dbname=dbname='a=b'"],
    ],
  ])("%s", (_name, opts, expected) => {
    expect(pgRestoreArgs(opts)).toEqual(expected);
  });

  test.each<[string, Parameters<typeof pgRestoreArgs>[0], RegExp]>([
    ["neither target (would print the script)", {}, /exactly one of dbname/],
    ["both targets", { dbname: "a", outputFile: "/dev/null" }, /exactly one of dbname/],
    ["ifExists without clean", { dbname: "a", ifExists: true }, /only applies with clean/],
    ["parallel from stdin", { dbname: "a", jobs: 2 }, /needs an archive file/],
    ["parallel to a script", { outputFile: "/dev/null", jobs: 2, file: "x" }, /needs a database/],
    ["jobs 0", { dbname: "a", jobs: 0, file: "x" }, /1 to 64/],
    ["single transaction and jobs", { dbname: "a", jobs: 2, file: "x", singleTransaction: true }, /cannot be combined/],
  ])("rejects %s", (_name, opts, error) => {
    expect(() => pgRestoreArgs(opts)).toThrow(error);
  });
});

describe("psqlArgs", () => {
  test.each<[string, Parameters<typeof psqlArgs>[0], Argv]>([
    [
      "a query as CSV",
      { database: "amani", command: "select 1", onErrorStop: true, csv: true },
      [
        "psql",
        "-X",
        "--no-password",
        "--set=ON_ERROR_STOP=1",
        "--quiet",
        "--csv",
        "--tuples-only",
        "--command=select 1",
        "--dbname=amani",
      ],
    ],
    [
      "several commands in order",
      { database: "d", command: ["begin", "select 2", "commit"], onErrorStop: true, quiet: false },
      [
        "psql",
        "-X",
        "--no-password",
        "--set=ON_ERROR_STOP=1",
        "--command=begin",
        "--command=select 2",
        "--command=commit",
        "--dbname=d",
      ],
    ],
    [
      "a file with variables in one transaction",
      { database: "d", file: "/f/amani.sql", onErrorStop: true, variables: { scale: "1" }, singleTransaction: true },
      [
        "psql",
        "-X",
        "--no-password",
        "--set=ON_ERROR_STOP=1",
        "--quiet",
        "--single-transaction",
        "--set=scale=1",
        "--file=/f/amani.sql",
        "--dbname=d",
      ],
    ],
    [
      "bin dir",
      { database: "d", command: "select 1", onErrorStop: true, binDir: "/opt/pg/bin" },
      [
        "/opt/pg/bin/psql",
        "-X",
        "--no-password",
        "--set=ON_ERROR_STOP=1",
        "--quiet",
        "--command=select 1",
        "--dbname=d",
      ],
    ],
  ])("%s", (_name, opts, expected) => {
    expect(psqlArgs(opts)).toEqual(expected);
  });

  test.each<[string, Parameters<typeof psqlArgs>[0], RegExp]>([
    ["neither file nor command", { database: "d", onErrorStop: true }, /exactly one of file or command/],
    ["both", { database: "d", file: "f", command: "select 1", onErrorStop: true }, /exactly one of file or command/],
    ["an empty command", { database: "d", command: "  ", onErrorStop: true }, /empty psql command/],
    [
      "a bad variable name",
      { database: "d", command: "x", onErrorStop: true, variables: { "a b": "1" } },
      /variable name/,
    ],
  ])("rejects %s", (_name, opts, error) => {
    expect(() => psqlArgs(opts)).toThrow(error);
  });
});

test.each([
  ["amani", "amani"],
  ["with space", "with space"],
  ["a=b", "dbname='a=b'"],
  ["it's=x\\y", "dbname='it\\'s=x\\\\y'"],
  ["postgresql://evil/db", "dbname='postgresql://evil/db'"],
  ["Ünïcødé", "Ünïcødé"],
])("dbnameArg(%j) = %j", (name, expected) => {
  expect(dbnameArg(name)).toBe(expected);
});

test.each([
  ["pg_dump", undefined, ["pg_dump", "--version"]],
  ["psql", "/opt/bin", ["/opt/bin/psql", "--version"]],
] as const)("versionArgs(%s, %s)", (tool, binDir, expected) => {
  expect(versionArgs(tool, { binDir })).toEqual(expected);
});

describe("redactArgv", () => {
  test.each<[string, string[], string[]]>([
    [
      "nothing secret",
      ["pg_dump", "--format=custom", "--dbname=amani"],
      ["pg_dump", "--format=custom", "--dbname=amani"],
    ],
    ["--password=", ["x", "--password=hunter2"], ["x", "--password=********"]],
    ["an env-style assignment", ["PGPASSWORD=hunter2", "psql"], ["PGPASSWORD=********", "psql"]],
    ["a psql variable", ["psql", "--set=db_password=hunter2"], ["psql", "--set=db_password=********"]],
    [
      "an option whose value follows",
      ["tool", "--db-pass", "hunter2", "--next"],
      ["tool", "--db-pass", "********", "--next"],
    ],
    ["psql's -W takes no value", ["psql", "-W", "--dbname=d"], ["psql", "-W", "--dbname=d"]],
    ["a URI", ["psql", "--dbname=postgresql://bob:hunter2@db/x"], ["psql", "--dbname=postgresql://bob:********@db/x"]],
    [
      "a conninfo string",
      ["psql", "--dbname=host=db password=hunter2 user=bob"],
      ["psql", "--dbname=host=db password=******** user=bob"],
    ],
    [
      "a quoted conninfo password",
      ["psql", "--dbname=password='a b' user=bob"],
      ["psql", "--dbname=password=******** user=bob"],
    ],
    ["a token", ["curl", "--token=abc"], ["curl", "--token=********"]],
  ])("%s", (_name, argv, expected) => {
    const out = redactArgv(argv);
    expect(out).toEqual(expected);
    expect(out.join(" ")).not.toMatch(/hunter2|abc|a b/);
  });
});

test.each([
  [["pg_restore", "--list", "--", "/b/x.dump"], "pg_restore --list -- /b/x.dump"],
  [["psql", "--command=select 'a'", "--dbname=my db"], `psql '--command=select '\\''a'\\''' '--dbname=my db'`],
  [["x", "--password=s"], "x '--password=********'"],
])("formatArgv(%j)", (argv, expected) => {
  expect(formatArgv(argv)).toBe(expected);
});

test("psqlHelpCommandsArgs", () => {
  expect(psqlHelpCommandsArgs()).toEqual(["psql", "--help=commands"]);
  expect(psqlHelpCommandsArgs({ binDir: "/opt/bin" })).toEqual(["/opt/bin/psql", "--help=commands"]);
});

test.each([
  ["15.18", true],
  ["15.14", true],
  ["15.13", false],
  ["16.9", false],
  ["16.10", true],
  ["17.5", false],
  ["17.6", true],
  ["14.19", true],
  ["13.21", false],
  ["12.22", false],
  ["18beta1", true],
  ["18.0", true],
  ["nonsense", false],
])("versionHasRestrict(%s) = %s", (v, expected) => {
  expect(versionHasRestrict(v)).toBe(expected);
});
