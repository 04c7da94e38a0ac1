import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Manifest } from "@/lib/backups/manifest";
import { UserError } from "@/lib/errors";
import { pgDumpArgs } from "@/lib/postgres/commands";
import { withPgEnv, type PgConnection } from "@/lib/postgres/connection";
import { runPsqlQuery, tableRowCounts } from "@/lib/postgres/run";
import { createDatabase, dropDatabase, runSqlFile, uniqueDatabaseName } from "@/lib/postgres/test-support";
import { LocalStorage } from "@/lib/storage/local";
import { checkDeletionInputs, MissingTableError, parseIds, type ArchiveSource, type RowSelection } from "./copy-rows";

// The deletion wizard's plan-time checks against a real database shaped like real ones
// (tests/fixtures/odd.sql: schemas "Sales" and ops, "Sales"."Customer" with bigint ids from
// 9007199254740993) and its real backups (custom, tar, plain with and without a manifest).

const ODD_SQL = path.resolve(import.meta.dirname, "../../tests/fixtures/odd.sql");

let conn: PgConnection;
let dir: string;
let storage: LocalStorage;
let manifest: Manifest;

async function dump(format: "custom" | "tar" | "plain", file: string) {
  // pgDumpArgs builds custom and plain; tar is the same argv with its own format flag.
  const [bin, ...args] = pgDumpArgs({
    format: format === "tar" ? "custom" : format,
    database: conn.database,
    file: path.join(dir, file),
  });
  const argv = format === "tar" ? args.map((a) => (a === "--format=custom" ? "--format=tar" : a)) : args;
  await withPgEnv(conn, (env) => execa(bin, argv, { env, extendEnv: true, stdin: "ignore" }));
}

beforeAll(async () => {
  conn = await createDatabase(uniqueDatabaseName("odd_deletion"));
  await runSqlFile(conn, ODD_SQL, { scale: "1" });
  await runPsqlQuery(
    conn,
    'CREATE TABLE public."MixedCase" (id bigint PRIMARY KEY, v text); CREATE TABLE public.lower_only (id integer PRIMARY KEY)',
  );
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-deletion-"));
  storage = new LocalStorage({ path: dir, prefix: "" });
  await dump("custom", "odd.dump");
  await dump("tar", "odd.tar");
  await dump("plain", "odd.sql");
  manifest = {
    lifeboat: 1,
    sha256: "0".repeat(64),
    size: fs.statSync(path.join(dir, "odd.sql")).size,
    format: "plain",
    database: conn.database,
    serverVersion: "15",
    pgDumpVersion: "15",
    createdAt: new Date("2026-12-01T02:00:00Z").toISOString(),
    migrationHead: null,
    critical: false,
    tables: await tableRowCounts(conn),
  };
  // A table the backups do not have: created after them.
  await runPsqlQuery(conn, "CREATE TABLE ops.after_backup (id bigint PRIMARY KEY)");
}, 120_000);

afterAll(async () => {
  if (conn) await dropDatabase(conn.database);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const custom = (): ArchiveSource => ({ storage, key: "odd.dump", format: "custom", manifest: null });
const check = (table: string, ids: string, idColumn = "id", backup = custom()) =>
  checkDeletionInputs(conn, backup, { table, idColumn, ids: parseIds(ids) });

describe("the table, however it is written", () => {
  test.each([
    ['"MixedCase"', 'public."MixedCase"'],
    ["MixedCase", 'public."MixedCase"'],
    ['public."MixedCase"', 'public."MixedCase"'],
    ["public.MixedCase", 'public."MixedCase"'],
    ['"Sales"."Customer"', '"Sales"."Customer"'],
    ["Sales.Customer", '"Sales"."Customer"'],
    ['Sales."Customer"', '"Sales"."Customer"'],
    ['"Sales"."Order Items"', '"Sales"."Order Items"'],
    ["LOWER_ONLY", "public.lower_only"],
    ["ops.events", "ops.events"],
  ])("%s → %s", async (typed, exact) => {
    const idColumn = typed.includes("Customer") ? "CustomerId" : "id";
    const ids = typed.includes("Customer") ? "9007199254740993" : "1";
    const r = await check(typed, ids, idColumn);
    expect(r.table).toBe(exact);
    expect(r.archive).toMatch(/table of contents has/);
  });

  test.each<[string, RegExp]>([
    ['"SomeTable"', /^The target .* has no table "SomeTable": check the name/],
    ["sales.customer", /has no table sales\.customer \(did you mean "Sales"\."Customer"\?\)/],
    ['"mixedcase"', /has no table "mixedcase" \(did you mean public\."MixedCase"\?\)/],
    ["Sales.Order Items", /double quotes \(write "Order Items"\)/],
    ['"Sales"."Customer"; DROP TABLE x', /not valid: unexpected/],
  ])("%s is refused: %s", async (typed, message) => {
    const err = await check(typed, "1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(message);
  });

  test("a missing id column names the columns there are", async () => {
    const err = await check('"Sales"."Customer"', "1", "id").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingTableError);
    expect((err as Error).message).toMatch(/has no column id: columns are CustomerId, Name, email, createdAt/);
  });
});

describe("the ids", () => {
  test("bigints beyond 2^53 stay exact, ranges and lists alike", async () => {
    const r = await check("Sales.Customer", "9007199254740993-9007199254741007, 9007199254741014", "CustomerId");
    expect(r).toMatchObject({
      idColumn: '"CustomerId"',
      idType: "bigint",
      ids: {
        list: ["9007199254741014"],
        ranges: [{ from: "9007199254740993", to: "9007199254741007" }],
      } satisfies RowSelection,
    });
  });

  test.each<[string, string, RegExp]>([
    ["1); DROP TABLE users; --", "public.lower_only", /^"1\)" is not an id/],
    ["INV-1", "public.lower_only", /"INV-1" is not a whole number, but the id column id is integer/],
    ["1-3000000000", "public.lower_only", /3000000000 is outside what the id column id \(integer\) can hold/],
  ])("%s is refused for %s", async (ids, table, message) => {
    await expect((async () => check(table, ids))()).rejects.toThrow(message);
  });
});

describe("the backup must have the table", () => {
  test.each<[string, () => ArchiveSource, RegExp]>([
    ["custom (pg_restore --list)", custom, /\(checked with pg_restore --list\)/],
    [
      "tar (pg_restore --list)",
      () => ({ storage, key: "odd.tar", format: "tar", manifest: null }),
      /\(checked with pg_restore --list\)/,
    ],
    [
      "plain with a manifest",
      () => ({ storage, key: "odd.sql", format: "plain", manifest }),
      /its manifest lists \d+ tables/,
    ],
  ])("%s", async (_name, backup, message) => {
    await expect(check('"Sales"."Customer"', "9007199254740993", "CustomerId", backup())).resolves.toMatchObject({
      table: '"Sales"."Customer"',
    });
    const err = await check("ops.after_backup", "1", "id", backup()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^The backup has no table ops\.after_backup/);
    expect((err as Error).message).toMatch(message);
  });

  test("a plain backup without a manifest is checked once restored, and the plan says so", async () => {
    const r = await check("ops.after_backup", "1", "id", { storage, key: "odd.sql", format: "plain", manifest: null });
    expect(r.archive).toMatch(/plain SQL backup without a manifest/);
  });

  test("an archive that is not one is refused with pg_restore's reason", async () => {
    fs.writeFileSync(path.join(dir, "broken.dump"), "not an archive\n");
    const err = await check("ops.events", "1", "id", {
      storage,
      key: "broken.dump",
      format: "custom",
      manifest: null,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^The backup's table of contents could not be read \(pg_restore: error: .*\): verify the backup/,
    );
  });
});
