import { createHash, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { UserError } from "@/lib/errors";
import { pgRestoreArgs } from "@/lib/postgres/commands";
import { pgEnv, withPgEnv, type PgConnection } from "@/lib/postgres/connection";
import { quoteIdent, runPsqlQuery, tableRowCounts } from "@/lib/postgres/run";
import {
  AMANI_SCALE1_COUNTS,
  createDatabase,
  createFixtureDatabase,
  dropDatabase,
  testConnection,
  uniqueDatabaseName,
} from "@/lib/postgres/test-support";
import { LocalStorage } from "@/lib/storage/local";
import { StorageError } from "@/lib/storage/provider";
import { createBackup } from "./create-backup";
import { manifestKey, manifestSchema } from "./manifest";
import { verifyBackup } from "./verify";

// Integration tests: the real PostgreSQL server from TEST_PG_* and the local folder driver.

let conn: PgConnection;
let dir: string;
let storage: LocalStorage;
const scratch: string[] = [];

beforeAll(async () => {
  conn = await createFixtureDatabase("create");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-create-"));
  storage = new LocalStorage({ path: dir, prefix: "" });
});

afterAll(async () => {
  if (conn) await dropDatabase(conn.database);
  for (const db of scratch) await dropDatabase(db);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Every file under the folder, temp files included: a failure must leave nothing behind. */
function filesIn(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe.each(["custom", "plain_gzip"] as const)("a %s backup", (format) => {
  const key = `amani/amani_backup_${format}_20250101_020000.${format === "custom" ? "dump" : "sql.gz"}`;
  let result: Awaited<ReturnType<typeof createBackup>>;
  const progress: number[] = [];

  beforeAll(async () => {
    result = await createBackup({
      conn,
      storage,
      key,
      format,
      critical: format === "custom",
      onProgress: (b) => progress.push(b),
    });
  });

  test("is stored with the size and sha256 it reports", () => {
    const file = path.join(dir, key);
    expect(result.key).toBe(key);
    expect(fs.statSync(file).size).toBe(result.size);
    expect(sha256(file)).toBe(result.sha256);
    expect(progress.at(-1)).toBe(result.size);
  });

  test("has a manifest sidecar with the facts of the source", async () => {
    const stored = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, manifestKey(key)), "utf8")));
    expect(stored).toEqual(result.manifest);
    const versionRows = await runPsqlQuery(conn, "SHOW server_version");
    expect(stored).toMatchObject({
      lifeboat: 1,
      sha256: result.sha256,
      size: result.size,
      format,
      database: conn.database,
      migrationHead: "a1b2c3d4e5f6",
      critical: format === "custom",
    });
    expect(versionRows[0]?.[0]?.startsWith(stored.serverVersion)).toBe(true);
    expect(stored.pgDumpVersion).toMatch(/^\d+\.\d+/);
    expect(Date.now() - Date.parse(stored.createdAt)).toBeLessThan(120_000);
    expect(Object.fromEntries(stored.tables.map((t) => [t.name, t.rows]))).toEqual(AMANI_SCALE1_COUNTS);
  });

  test("verifies against its manifest", async () => {
    const r = await verifyBackup({
      open: () => storage.read(key),
      size: result.size,
      format,
      manifest: result.manifest,
    });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.sha256).toBe(result.sha256);
  });
});

test("a custom backup restores to exactly the manifest's row counts", async () => {
  const key = "restore-check.dump";
  const { manifest } = await createBackup({ conn, storage, key, format: "custom" });
  const name = uniqueDatabaseName("restored");
  scratch.push(name);
  const target = await createDatabase(name);
  const [bin, ...args] = pgRestoreArgs({
    dbname: name,
    exitOnError: true,
    file: path.join(dir, key),
  });
  await withPgEnv(target, (env) => execa(bin, args, { env, extendEnv: true, stdin: "ignore" }));
  expect(await tableRowCounts(target)).toEqual(manifest.tables);
});

test("the row counts are those of the dump's snapshot, even while the application writes", async () => {
  let inserted = false;
  const psql = execFileSync("sh", ["-c", "command -v psql"]).toString().trim();
  const { env, cleanup } = await pgEnv(conn);
  const childEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  try {
    const { manifest } = await createBackup({
      conn,
      storage,
      key: "during-writes.dump",
      format: "custom",
      onProgress: () => {
        if (inserted) return;
        inserted = true;
        // Synchronous, so it has committed before the dump goes on: a write that lands
        // while pg_dump streams.
        execFileSync(
          psql,
          [
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            "INSERT INTO users VALUES (777777, 'during@example.test', 'During', now())",
          ],
          {
            env: childEnv as NodeJS.ProcessEnv,
          },
        );
      },
    });
    expect(inserted).toBe(true);
    expect(manifest.tables.find((t) => t.name === "users")?.rows).toBe(1000);
    expect((await tableRowCounts(conn)).find((t) => t.name === "users")?.rows).toBe(1001);
  } finally {
    await cleanup();
    await runPsqlQuery(conn, "DELETE FROM users WHERE id = 777777");
  }
});

describe("failures leave nothing behind and say why", () => {
  test("wrong password", async () => {
    const secret = `wrong-${randomBytes(6).toString("hex")}`;
    const before = filesIn(dir);
    const err = await createBackup({
      conn: { ...conn, password: secret },
      storage,
      key: "wrong-password.dump",
      format: "custom",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      `password authentication failed for user ${conn.user}: check the database's password in Settings → Databases`,
    );
    expect(String((err as Error).stack)).not.toContain(secret);
    expect(filesIn(dir)).toEqual(before);
  });

  test("pg_dump refused (no permission on a table): no object, no manifest, the reason", async () => {
    const role = `lb_limited_${randomBytes(3).toString("hex")}`;
    const password = `pw-${randomBytes(8).toString("hex")}`;
    const admin = testConnection(conn.database);
    await runPsqlQuery(
      admin,
      [
        `CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${password}'`,
        `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${quoteIdent(role)}`,
        `CREATE TABLE secret_stuff (id int)`,
      ].join(";\n"),
    );
    try {
      const before = filesIn(dir);
      const key = "no-permission.dump";
      const err = await createBackup({ conn: { ...conn, user: role, password }, storage, key, format: "custom" }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(
        /failed and nothing was kept: user lb_limited_\w+ may not read everything .*permission denied for table secret_stuff/,
      );
      expect((err as Error).message).not.toContain(password);
      await expect(storage.stat(key)).rejects.toSatisfy((e) => e instanceof StorageError && e.code === "not_found");
      await expect(storage.stat(manifestKey(key))).rejects.toSatisfy(
        (e) => e instanceof StorageError && e.code === "not_found",
      );
      expect(filesIn(dir)).toEqual(before);
    } finally {
      await runPsqlQuery(
        admin,
        `DROP TABLE secret_stuff; DROP OWNED BY ${quoteIdent(role)}; DROP ROLE ${quoteIdent(role)}`,
      );
    }
  });

  test("pg_dump dies after streaming part of the dump: the partial object is removed", async () => {
    // A pg_dump that writes 2 MB and then fails the way a dropped connection does; psql is real.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bin-"));
    try {
      fs.symlinkSync(execFileSync("sh", ["-c", "command -v psql"]).toString().trim(), path.join(bin, "psql"));
      fs.writeFileSync(
        path.join(bin, "pg_dump"),
        `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 15.99"; exit 0; fi\n` +
          `head -c 2000000 /dev/urandom\necho "pg_dump: error: Dumping the contents of table \\"users\\" failed: server closed the connection unexpectedly" >&2\nexit 1\n`,
        { mode: 0o755 },
      );
      const before = filesIn(dir);
      const key = "dies-midway.sql.gz";
      let streamed = 0;
      const err = await createBackup({
        conn,
        storage,
        key,
        format: "plain_gzip",
        binDir: bin,
        onProgress: (b) => (streamed = b),
      }).catch((e: unknown) => e);
      expect(streamed).toBeGreaterThan(0);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(
        /^The backup of .* failed and nothing was kept: the server at .* closed the connection while pg_dump was working/,
      );
      await expect(storage.stat(key)).rejects.toSatisfy((e) => e instanceof StorageError && e.code === "not_found");
      expect(filesIn(dir)).toEqual(before);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test("an existing backup is never replaced", async () => {
    const key = "existing.dump";
    fs.writeFileSync(path.join(dir, key), "precious");
    await expect(createBackup({ conn, storage, key, format: "custom" })).rejects.toThrow(
      /A backup named existing\.dump already exists/,
    );
    expect(fs.readFileSync(path.join(dir, key), "utf8")).toBe("precious");
  });

  test("a manifest fact that cannot be read stops a dump still running: nothing kept, that reason", async () => {
    const admin = testConnection(conn.database);
    await runPsqlQuery(admin, "CREATE VIEW broken_head AS SELECT (1 / 0)::text AS c");
    // pg_dump waits for this lock as long as it is held: the backup can only end if it is stopped.
    const { env, cleanup } = await pgEnv(admin);
    const holder = execa("psql", ["-X", "--no-password", "--quiet", "--tuples-only", `--dbname=${conn.database}`], {
      env,
      extendEnv: true,
      stdin: "pipe",
      stdout: "pipe",
      reject: false,
      buffer: { stdout: false },
    });
    const locked = new Promise<void>((resolve) =>
      holder.stdout.on("data", (c: Buffer) => {
        if (c.toString().includes("locked")) resolve();
      }),
    );
    holder.stdin.write("BEGIN; LOCK TABLE wallet_events IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n");
    await locked;
    try {
      const before = filesIn(dir);
      const key = "facts-failed.dump";
      const t0 = performance.now();
      const err = await createBackup({
        conn,
        storage,
        key,
        format: "custom",
        migrationHead: { kind: "custom", schema: null, table: "broken_head", column: "c", orderBy: null },
      }).catch((e: unknown) => e);
      expect(performance.now() - t0).toBeLessThan(10_000);
      expect((err as Error).message).toMatch(/^The backup of .* failed and nothing was kept: .*division by zero/);
      await expect(storage.stat(key)).rejects.toSatisfy((e) => e instanceof StorageError && e.code === "not_found");
      await expect(storage.stat(manifestKey(key))).rejects.toSatisfy(
        (e) => e instanceof StorageError && e.code === "not_found",
      );
      expect(filesIn(dir)).toEqual(before);
    } finally {
      holder.kill();
      await holder;
      await cleanup();
      await runPsqlQuery(admin, "DROP VIEW broken_head");
    }
  }, 20_000);

  test("a key that is a manifest's name is refused", async () => {
    await expect(createBackup({ conn, storage, key: "x.dump.manifest.json", format: "custom" })).rejects.toThrow(
      /cannot end with \.manifest\.json/,
    );
  });
});
