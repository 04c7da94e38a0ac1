import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBackup } from "@/lib/backups/create-backup";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";
import { quoteIdent, quoteLiteral, runPsqlQuery } from "@/lib/postgres/run";
import {
  createDatabase,
  createFixtureDatabase,
  dropDatabase,
  testConnection,
  uniqueDatabaseName,
} from "@/lib/postgres/test-support";
import { planFor } from "@/lib/restores/plans";
import { executePlan } from "@/lib/restores/test-support";
import { createStorage } from "@/lib/storage/create-storage";
import { serverConnection, switchOver } from "@/lib/restores/database-admin";
import { databasePropertyStatements, settingClause, splitSettingList } from "@/lib/restores/database-properties";
import { oldCopyName, restoreTimestamp, scratchDatabaseName } from "@/lib/restores/names";

// A custom dump made without --create holds nothing of the database itself. The switch-over
// copies the replaced database's owner, settings (its own and per role), grants and comment
// onto the restored one in the same transaction. Those values come from catalogs that anyone
// allowed to alter the database or a role writes, and they travel to psql's stdin: a quote,
// a semicolon, a newline or a `\!` in them must stay data. Real PostgreSQL.

const tag = randomBytes(4).toString("hex");
const owner = `lb_dbown_${tag}`;
const app = `lb_dbapp_${tag}`;
// A role name built to break out of a quoted identifier and run a shell command.
const evil = `lb_evil_${tag}"; \\! touch /tmp/x; --\n\\! id`;
const restorer = `lb_dbrest_${tag}`;
const password = randomBytes(12).toString("hex");
const roles = [owner, app, evil, restorer];
const toDrop: string[] = [];
const pwned = path.join(os.tmpdir(), `lifeboat-pwned-${tag}`);

const admin = () => testConnection();
const sql = (q: string, database = "postgres") => runPsqlQuery(testConnection(database), q);

let dir = "";
let workDir = "";

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-dbprops-"));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-dbprops-work-"));
});

afterAll(async () => {
  for (const name of toDrop) await dropDatabase(name);
  for (const d of [dir, workDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  for (const r of roles) await sql(`DROP ROLE IF EXISTS ${quoteIdent(r)}`);
  fs.rmSync(pwned, { force: true });
});

async function pair(prefix: string, ownedBy?: string) {
  const database = uniqueDatabaseName(prefix);
  const ts = restoreTimestamp(new Date(Date.now() - Math.floor(Math.random() * 1e9)));
  const names = { target: database, scratch: scratchDatabaseName(database, ts), oldCopy: oldCopyName(database, ts) };
  toDrop.push(...Object.values(names));
  if (ownedBy) {
    for (const n of [names.target, names.scratch])
      await sql(`CREATE DATABASE ${quoteIdent(n)} OWNER ${quoteIdent(ownedBy)}`);
  } else {
    await createDatabase(names.target);
    await createDatabase(names.scratch);
  }
  return names;
}

/** Owner, the database's settings, each role's settings, grants (without grantor) and comment. */
async function properties(database: string) {
  const d = `(SELECT oid FROM pg_database WHERE datname = ${quoteLiteral(database)})`;
  const [[dbOwner = ""] = []] = await sql(
    `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ${quoteLiteral(database)}`,
  );
  const settings = await sql(
    `SELECT coalesce(pg_get_userbyid(NULLIF(setrole, 0)), '(database)'), array_to_string(setconfig, ' | ')
     FROM pg_db_role_setting WHERE setdatabase = ${d} ORDER BY 1`,
  );
  const grants = await sql(
    `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable
     FROM pg_database, aclexplode(datacl) a WHERE datname = ${quoteLiteral(database)} ORDER BY 1, 2`,
  );
  const [[comment = ""] = []] = await sql(`SELECT coalesce(shobj_description(${d}, 'pg_database'), '')`);
  return { owner: dbOwner, settings, grants, comment };
}

// A story in steps, each building on the one before: run in the written order.
describe("the switch-over keeps the database's own properties", { shuffle: false }, () => {
  test("owner, ALTER DATABASE … SET, ALTER ROLE … IN DATABASE … SET, CONNECT grants and comment survive", async () => {
    for (const r of [owner, app]) await sql(`CREATE ROLE ${quoteIdent(r)}`);
    const names = await pair("dbprops");
    const t = quoteIdent(names.target);
    await sql(
      [
        `ALTER DATABASE ${t} OWNER TO ${quoteIdent(owner)}`,
        `ALTER DATABASE ${t} SET search_path = "$user", app, "odd, schema"`,
        `ALTER DATABASE ${t} SET statement_timeout = '5s'`,
        `ALTER ROLE ${quoteIdent(app)} IN DATABASE ${t} SET work_mem = '8MB'`,
        `REVOKE ALL ON DATABASE ${t} FROM PUBLIC`,
        `GRANT CONNECT ON DATABASE ${t} TO ${quoteIdent(app)}`,
        `GRANT TEMPORARY ON DATABASE ${t} TO ${quoteIdent(app)} WITH GRANT OPTION`,
        `COMMENT ON DATABASE ${t} IS 'orders, it''s production'`,
      ].join(";\n"),
    );
    const original = await properties(names.target);
    expect(original.owner).toBe(owner);
    expect(original.grants).toContainEqual([app, "CONNECT", "f"]);
    expect((await properties(names.scratch)).owner).not.toBe(owner);

    const logs: string[] = [];
    const r = await switchOver(serverConnection(admin()), names, (l) => logs.push(l));
    expect(r.found).toBe("fresh");
    expect(r.databaseProperties?.notApplied).toEqual([]);

    const restored = await properties(names.target);
    expect(restored).toEqual(original);
    // PUBLIC lost CONNECT on the original; it must not get it back on the restored one.
    expect(restored.grants.some(([grantee]) => grantee === "PUBLIC")).toBe(false);
    expect(restored.settings).toContainEqual([
      "(database)",
      'search_path="$user", app, "odd, schema" | statement_timeout=5s',
    ]);
    expect(logs.join("\n")).toMatch(
      /took over the original's owner, settings, grants and comment in the same transaction/,
    );
  });

  test("hostile setting values and role names are data: nothing runs, and a newline is reported, not sent", async () => {
    await sql(`CREATE ROLE ${quoteIdent(evil)}`);
    const names = await pair("dbhostile");
    const t = quoteIdent(names.target);
    const breakout = `x'; \\! touch ${pwned}\n; SELECT '`;
    const sameLine = `x'; \\! touch ${pwned}; SELECT '\\'`;
    await sql(
      [
        `ALTER DATABASE ${t} SET lifeboat.breakout = ${quoteLiteral(breakout)}`,
        `ALTER DATABASE ${t} SET lifeboat.sameline = ${quoteLiteral(sameLine)}`,
        `ALTER DATABASE ${t} SET application_name = ${quoteLiteral(`a"b;c\\!d`)}`,
        `ALTER ROLE ${quoteIdent(evil)} IN DATABASE ${t} SET lifeboat.note = ${quoteLiteral("it's; \\! id")}`,
        `GRANT CONNECT ON DATABASE ${t} TO ${quoteIdent(evil)}`,
        `COMMENT ON DATABASE ${t} IS ${quoteLiteral(`line one\n\\! touch ${pwned}\n'; DROP DATABASE postgres; --`)}`,
      ].join(";\n"),
    );
    const original = await properties(names.target);

    const logs: string[] = [];
    const r = await switchOver(serverConnection(admin()), names, (l) => logs.push(l));
    expect(fs.existsSync(pwned)).toBe(false);

    const restored = await properties(names.target);
    expect(restored.grants).toEqual(original.grants);
    expect(restored.comment).toBe(original.comment);
    expect(restored.settings).toContainEqual([evil, "lifeboat.note=it's; \\! id"]);
    const dbSettings = restored.settings.find(([who]) => who === "(database)")?.[1] ?? "";
    expect(dbSettings).toContain(`lifeboat.sameline=${sameLine}`);
    expect(dbSettings).toContain(`application_name=a"b;c\\!d`);
    // The value with a newline is not sent: it is named in the result and the log.
    expect(dbSettings).not.toContain("lifeboat.breakout");
    expect(r.databaseProperties?.notApplied).toEqual([
      { what: expect.stringContaining("lifeboat.breakout"), reason: expect.stringMatching(/control character/) },
    ]);
    expect(logs.join("\n")).toMatch(/warning: not applied to .*lifeboat\.breakout.*control character/);
  });

  test("a restore role without CREATEROLE applies what it may and names the rest, with the statement to run", async () => {
    await sql(`CREATE ROLE ${quoteIdent(restorer)} LOGIN CREATEDB PASSWORD ${quoteLiteral(password)}`);
    await sql(`CREATE ROLE ${quoteIdent(app)}`).catch(() => undefined);
    const names = await pair("dbweak", restorer);
    const t = quoteIdent(names.target);
    await sql(
      [
        `ALTER DATABASE ${t} SET statement_timeout = '7s'`,
        `ALTER DATABASE ${t} SET log_statement = 'all'`,
        `ALTER ROLE ${quoteIdent(app)} IN DATABASE ${t} SET work_mem = '8MB'`,
        `REVOKE CONNECT ON DATABASE ${t} FROM PUBLIC`,
        `GRANT CONNECT ON DATABASE ${t} TO ${quoteIdent(app)}`,
      ].join(";\n"),
    );
    const logs: string[] = [];
    const weak = { ...testConnection(), user: restorer, password };
    const r = await switchOver(serverConnection(weak), names, (l) => logs.push(l));
    const restored = await properties(names.target);
    expect(restored.owner).toBe(restorer);
    expect(restored.settings).toEqual([["(database)", "statement_timeout=7s"]]);
    expect(restored.grants).toContainEqual([app, "CONNECT", "f"]);
    expect(restored.grants.some(([grantee, p]) => grantee === "PUBLIC" && p === "CONNECT")).toBe(false);
    const statement = `ALTER ROLE ${quoteIdent(app)} IN DATABASE ${t} SET work_mem TO '8MB'`;
    expect(r.databaseProperties?.notApplied).toEqual([
      { what: `ALTER DATABASE ${t} SET log_statement TO 'all'`, reason: expect.stringMatching(/only a superuser/) },
      { what: statement, reason: expect.stringMatching(/CREATEROLE/) },
    ]);
    expect(logs).toContainEqual(expect.stringContaining(`warning: not applied to ${names.target}: ${statement}`));
  });
});

describe("a database-corruption run", () => {
  test("the restored production database has the original's owner, settings, role settings and grants", async () => {
    const runOwner = `lb_runown_${tag}`;
    const runApp = `lb_runapp_${tag}`;
    roles.push(runOwner, runApp);
    for (const r of [runOwner, runApp]) await sql(`CREATE ROLE ${quoteIdent(r)}`);
    const conn = await createFixtureDatabase("dbpropsrun");
    toDrop.push(conn.database);
    const storage = createStorage({ kind: "local", path: dir, prefix: "" });
    const key = `${conn.database}/backup.dump`;
    const b = await createBackup({ conn, storage, key, format: "custom" });
    const t = quoteIdent(conn.database);
    await sql(
      [
        `ALTER DATABASE ${t} OWNER TO ${quoteIdent(runOwner)}`,
        `ALTER DATABASE ${t} SET search_path = app, public`,
        `ALTER DATABASE ${t} SET statement_timeout = '30s'`,
        `ALTER ROLE ${quoteIdent(runApp)} IN DATABASE ${t} SET statement_timeout = '2s'`,
        `REVOKE CONNECT ON DATABASE ${t} FROM PUBLIC`,
        `GRANT CONNECT ON DATABASE ${t} TO ${quoteIdent(runApp)}`,
      ].join(";\n"),
    );
    const original = await properties(conn.database);
    const plan = planFor({
      scenarioId: "database-corruption",
      target: { name: conn.database, environment: "production", conn, migrationHead: DEFAULT_HEAD_SOURCE },
      backup: { storage, key, size: b.size, format: "custom", manifest: b.manifest, locationName: "test folder" },
      now: new Date(),
      options: { workDir },
    });
    const { oldCopy, scratchDatabase } = plan.summary as { oldCopy: string; scratchDatabase: string };
    toDrop.push(oldCopy, scratchDatabase);
    const run = await executePlan(plan);
    if (run.failed)
      throw new Error(`step ${run.failed.key} failed: ${run.failed.error.message}\n${run.logs.join("\n")}`);

    const restored = await properties(conn.database);
    expect(restored).toEqual(original);
    expect(restored.owner).toBe(runOwner);
    expect(restored.settings).toEqual([
      ["(database)", "search_path=app, public | statement_timeout=30s"],
      [runApp, "statement_timeout=2s"],
    ]);
    expect(restored.grants).toContainEqual([runApp, "CONNECT", "f"]);
    expect(run.results["switch-over"]).toMatchObject({ databaseProperties: { notApplied: [] } });
    expect(run.results["preflight"]).toMatchObject({ databasePropertiesNotApplied: [] });
    expect(run.logs.join("\n")).toMatch(
      new RegExp(
        `is owned by ${runOwner} with 3 database or per-role settings and \\d+ grants: the switch-over gives them`,
      ),
    );
  }, 180_000);
});

describe("statements built from catalog values", () => {
  const base = { restoreRole: "lifeboat", owner: "app_owner", canSetOwner: false, grants: null, comment: null };

  test("an owner the restore role cannot set is reported with the statement a superuser must run", () => {
    const out = databasePropertyStatements({ ...base, settings: [] }, "orders");
    expect(out.statements).not.toContainEqual(expect.stringContaining("OWNER TO"));
    expect(out.notApplied).toEqual([
      { what: `ALTER DATABASE "orders" OWNER TO "app_owner"`, reason: expect.stringMatching(/superuser/) },
    ]);
  });

  test("a setting name that is not a plain GUC name is never written", () => {
    for (const text of [`a;b=1`, `search_path; \\! id=1`, `"x"=1`, `=1`, `noequals`]) {
      expect(settingClause(text)).toHaveProperty("reason");
    }
    expect(settingClause("statement_timeout=5s")).toEqual({ clause: "statement_timeout TO '5s'" });
    expect(settingClause(`search_path="$user", public`)).toEqual({ clause: `search_path TO '$user', 'public'` });
    expect(settingClause(`search_path=""`)).toEqual({ clause: `search_path TO ''` });
  });

  test("stored lists split as the server joined them", () => {
    expect(splitSettingList(`"$user", app, "a ""b"", c"`)).toEqual(["$user", "app", `a "b", c`]);
    expect(splitSettingList(`"unterminated`)).toBeNull();
    expect(splitSettingList(``)).toEqual([]);
  });
});
