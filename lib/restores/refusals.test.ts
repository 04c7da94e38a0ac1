import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBackup } from "@/lib/backups/create-backup";
import type { Manifest } from "@/lib/backups/manifest";
import type { PgConnection } from "@/lib/postgres/connection";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import { createStorage } from "@/lib/storage/create-storage";
import type { BackupStorage } from "@/lib/storage/provider";
import { planFor, type BackupSource } from "./plans";
import { countsOf, databasesStartingWith, executePlan } from "./test-support";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";

// Acceptance 5 and the "a failed restore leaves production as it was" rule: backups that
// must not be restored are refused before anything touches the target (no scratch database
// is even created), each with its reason; a restore that fails half-way leaves the target as
// it was. Real PostgreSQL (TEST_PG_*), local storage.

const TIMEOUT = 120_000;
let dir: string;
let workDir: string;
let storage: BackupStorage;
let conn: PgConnection;
let before: Record<string, number>;
let custom: BackupSource;
let plainGz: BackupSource;
const toDrop: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-refusals-"));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-refusals-work-"));
  storage = createStorage({ kind: "local", path: dir, prefix: "" });
  conn = await createFixtureDatabase("refuse");
  toDrop.push(conn.database);
  before = await countsOf(conn);
  const c = await createBackup({ conn, storage, key: "good.dump", format: "custom" });
  custom = { storage, key: c.key, size: c.size, format: "custom", manifest: c.manifest, locationName: "test folder" };
  const p = await createBackup({ conn, storage, key: "good.sql.gz", format: "plain_gzip" });
  plainGz = {
    storage,
    key: p.key,
    size: p.size,
    format: "plain_gzip",
    manifest: p.manifest,
    locationName: "test folder",
  };
}, TIMEOUT);

afterAll(async () => {
  for (const name of toDrop) await dropDatabase(name);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

async function put(
  key: string,
  bytes: Buffer,
  format: BackupSource["format"],
  manifest: Manifest | null = null,
): Promise<BackupSource> {
  await storage.write(key, Readable.from([bytes]));
  return { storage, key, size: bytes.length, format, manifest, locationName: "test folder" };
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const goodSql = () => zlib.gunzipSync(fs.readFileSync(path.join(dir, "good.sql.gz"))).toString("utf8");

/** Runs the corruption plan and checks that it stopped at `step` with nothing changed on the server. */
async function expectRefused(backup: BackupSource, step: string, reason: RegExp, binDir?: string) {
  const plan = planFor({
    scenarioId: "database-corruption",
    target: {
      name: conn.database,
      environment: "production",
      conn,
      migrationHead: DEFAULT_HEAD_SOURCE,
    },
    backup,
    now: new Date(),
    options: { workDir, binDir },
  });
  const run = await executePlan(plan);
  expect(run.failed, run.logs.join("\n")).not.toBeNull();
  expect(run.failed?.key).toBe(step);
  expect(run.failed?.error.message).toMatch(reason);
  expect(run.failed?.error.message).toMatch(/Production was not touched/);
  expect(await databasesStartingWith(`${conn.database}_`)).toEqual([]);
  expect(await countsOf(conn)).toEqual(before);
  return run;
}

describe("a truncated backup is refused before anything touches the target", () => {
  test(
    "custom format, with its manifest: the download does not match it",
    async () => {
      const bytes = fs.readFileSync(path.join(dir, "good.dump"));
      const cut = await put(
        "cut-with-manifest.dump",
        bytes.subarray(0, Math.floor(bytes.length * 0.6)),
        "custom",
        custom.manifest,
      );
      await expectRefused(
        cut,
        "download",
        /the downloaded backup is not the one that was made: the manifest records .* the file was cut off or replaced/,
      );
    },
    TIMEOUT,
  );

  test(
    "custom format without a manifest: verification finds the archive ends early",
    async () => {
      const bytes = fs.readFileSync(path.join(dir, "good.dump"));
      const cut = await put("cut.dump", bytes.subarray(0, Math.floor(bytes.length * 0.6)), "custom");
      await expectRefused(
        cut,
        "verify-backup",
        /the backup failed verification and cannot be restored: .*(truncated|ends early)/,
      );
    },
    TIMEOUT,
  );

  test(
    "plain SQL, gzip, without a manifest: the gzip stream ends early",
    async () => {
      const bytes = fs.readFileSync(path.join(dir, "good.sql.gz"));
      const cut = await put("cut.sql.gz", bytes.subarray(0, Math.floor(bytes.length * 0.5)), "plain_gzip");
      await expectRefused(cut, "verify-backup", /gzip stream ends early .* the file is truncated/);
    },
    TIMEOUT,
  );
});

describe("a plain dump with a shell escape is refused, and the command never runs", () => {
  const marker = path.join(os.tmpdir(), `lifeboat-pwned-${randomBytes(6).toString("hex")}`);
  afterAll(() => fs.rmSync(marker, { force: true }));

  function withShellEscape(): Buffer {
    const sql = goodSql().replace("SET statement_timeout = 0;\n", `SET statement_timeout = 0;\n\\! touch ${marker}\n`);
    expect(sql).toContain(`\\! touch ${marker}`);
    return zlib.gzipSync(sql);
  }

  test(
    "without a manifest",
    async () => {
      const evil = await put("evil.sql.gz", withShellEscape(), "plain_gzip");
      await expectRefused(
        evil,
        "sql-safety",
        new RegExp(
          `line \\d+: \\\\! touch ${marker.replace(/[/.]/g, "\\$&")} \\(\\\\!: runs a shell command on the console's server\\)`,
        ),
      );
      expect(fs.existsSync(marker)).toBe(false);
    },
    TIMEOUT,
  );

  test(
    "even with a manifest whose sha256 matches it (the scan always runs)",
    async () => {
      const bytes = withShellEscape();
      const forged = { ...(plainGz.manifest as Manifest), sha256: sha256(bytes), size: bytes.length };
      const evil = await put("evil-forged.sql.gz", bytes, "plain_gzip", forged);
      await expectRefused(evil, "sql-safety", /psql command or statement that pg_dump does not write/);
      expect(fs.existsSync(marker)).toBe(false);
    },
    TIMEOUT,
  );
});

test(
  "a restore that fails half-way (bad data in the dump) leaves the target as it was and drops the scratch copy",
  async () => {
    // Verification cannot see this: the SQL is complete, one row is not valid for its column.
    const sql = goodSql().replace(/^(COPY public\.users [^\n]*\n)1\t/m, "$1one\t");
    expect(sql).toContain("\none\tuser1@example.test");
    const bad = await put("bad-data.sql", Buffer.from(sql), "plain");
    const run = await expectRefused(
      bad,
      "restore-scratch",
      /psql stopped at the first error: .*invalid input syntax for type bigint: "one"/,
    );
    expect(run.logs.join("\n")).toMatch(/dropped the incomplete .*_lifeboat_/);
  },
  TIMEOUT,
);

describe("plain SQL with a psql that has no \\restrict", () => {
  // A stand-in psql that reports an older version and no \restrict; everything else is the
  // real one (pg_restore too).
  let binDir: string;
  beforeAll(() => {
    binDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-oldpsql-"));
    const real = (tool: string) =>
      execFileSync("sh", ["-c", `command -v ${tool}`])
        .toString()
        .trim();
    fs.writeFileSync(
      path.join(binDir, "psql"),
      [
        "#!/bin/sh",
        `case "$1" in`,
        `  --version) echo "psql (PostgreSQL) 15.13"; exit 0 ;;`,
        `  --help=commands) "${real("psql")}" --help=commands | grep -v restrict; exit 0 ;;`,
        "esac",
        `exec "${real("psql")}" "$@"`,
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    fs.symlinkSync(real("pg_restore"), path.join(binDir, "pg_restore"));
  });
  afterAll(() => fs.rmSync(binDir, { recursive: true, force: true }));

  test(
    "is refused when no manifest written by Lifeboat vouches for it",
    async () => {
      const bytes = fs.readFileSync(path.join(dir, "good.sql.gz"));
      const anonymous = await put("anonymous.sql.gz", bytes, "plain_gzip");
      await expectRefused(anonymous, "sql-safety", /psql 15\.13 here has no \\restrict/, binDir);
    },
    TIMEOUT,
  );

  test(
    "is refused even when its sha256 matches the manifest beside it (a manifest vouches for nothing)",
    async () => {
      const b = await createBackup({ conn, storage, key: "trusted.sql.gz", format: "plain_gzip" });
      await expectRefused(
        { storage, key: b.key, size: b.size, format: "plain_gzip", manifest: b.manifest, locationName: "test folder" },
        "sql-safety",
        /plain SQL is restored only in psql's restricted mode, and psql 15\.13 here has no \\restrict.*custom-format/,
        binDir,
      );
    },
    TIMEOUT,
  );
});
