import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import v8 from "node:v8";
import vm from "node:vm";
import zlib from "node:zlib";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pgDumpArgs } from "@/lib/postgres/commands";
import { withPgEnv, type PgConnection } from "@/lib/postgres/connection";
import { runPsqlQuery } from "@/lib/postgres/run";
import { createDatabase, createFixtureDatabase, dropDatabase, uniqueDatabaseName } from "@/lib/postgres/test-support";
import type { BackupFormat, Manifest } from "./manifest";
import { signWithServerKey } from "./manifest-trust";
import {
  BackupReadError,
  completionCheck,
  sniffFormat,
  TarWalk,
  verifyBackup,
  type VerificationResult,
} from "./verify";

// Integration tests: real dumps of the amani fixture made by pg_dump, then damaged on purpose.

let conn: PgConnection;
let dir: string;
const f = (name: string) => path.join(dir, name);

async function dump(c: PgConnection, format: "custom" | "plain" | "tar", file: string, compress?: number) {
  const [bin, ...args] =
    format === "tar"
      ? ["pg_dump", "--format=tar", "--no-password", `--file=${file}`, `--dbname=${c.database}`]
      : pgDumpArgs({ format, database: c.database, file, compress });
  await withPgEnv(c, (env) => execa(bin, args, { env, extendEnv: true, stdin: "ignore" }));
}

function cut(from: string, to: string, fraction: number) {
  const data = fs.readFileSync(from);
  fs.writeFileSync(to, data.subarray(0, Math.floor(data.length * fraction)));
}

async function gzipFile(from: string, to: string) {
  await pipeline(fs.createReadStream(from), zlib.createGzip(), fs.createWriteStream(to));
}

async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of fs.createReadStream(file)) h.update(c as Buffer);
  return h.digest("hex");
}

function verifyFile(name: string, format: BackupFormat, extra: { manifest?: Manifest | null } = {}) {
  const file = f(name);
  return verifyBackup({ open: async () => fs.createReadStream(file), size: fs.statSync(file).size, format, ...extra });
}

function check(r: VerificationResult, name: string) {
  const c = r.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check named ${name} in ${JSON.stringify(r.checks)}`);
  return c;
}

/** A manifest as Lifeboat writes it: signed with the console's manifest key. */
async function manifestFor(name: string, format: BackupFormat): Promise<Manifest> {
  return signWithServerKey({
    lifeboat: 1,
    sha256: await sha256File(f(name)),
    size: fs.statSync(f(name)).size,
    format,
    database: conn.database,
    serverVersion: "15",
    pgDumpVersion: "15",
    createdAt: new Date().toISOString(),
    migrationHead: "a1b2c3d4e5f6",
    critical: false,
    tables: [],
  });
}

beforeAll(async () => {
  conn = await createFixtureDatabase("verify");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-verify-"));
  await Promise.all([
    dump(conn, "custom", f("good.dump")),
    dump(conn, "plain", f("good.sql")),
    dump(conn, "tar", f("good.tar")),
  ]);
  await gzipFile(f("good.sql"), f("good.sql.gz"));
  cut(f("good.dump"), f("truncated.dump"), 0.6);
  cut(f("good.sql.gz"), f("truncated.sql.gz"), 0.6);
  cut(f("good.tar"), f("truncated.tar"), 0.6);
  cut(f("good.sql"), f("incomplete.sql"), 0.6);
  await gzipFile(f("incomplete.sql"), f("incomplete.sql.gz"));
  fs.writeFileSync(f("empty.dump"), "");
  fs.writeFileSync(f("garbage.dump"), randomBytes(200_000));
  // Flip one byte in the middle of the compressed data: the CRC must catch it.
  const gz = fs.readFileSync(f("good.sql.gz"));
  const i = Math.floor(gz.length / 2);
  gz[i] = (gz[i] ?? 0) ^ 0xff;
  fs.writeFileSync(f("corrupt.sql.gz"), gz);
});

afterAll(async () => {
  if (conn) await dropDatabase(conn.database);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("good backups pass", () => {
  test.each<[string, BackupFormat, string[]]>([
    [
      "good.dump",
      "custom",
      ["size", "size matches manifest", "sha256 matches manifest", "table of contents", "table data"],
    ],
    [
      "good.sql.gz",
      "plain_gzip",
      ["size", "size matches manifest", "sha256 matches manifest", "gzip", "pg_dump completion line"],
    ],
    ["good.sql", "plain", ["size", "size matches manifest", "sha256 matches manifest", "pg_dump completion line"]],
    [
      "good.tar",
      "tar",
      ["size", "size matches manifest", "sha256 matches manifest", "table of contents", "tar structure"],
    ],
  ])("%s as %s", async (name, format, checkNames) => {
    const manifest = await manifestFor(name, format);
    const progress: [number, number][] = [];
    const file = f(name);
    const r = await verifyBackup({
      open: async () => fs.createReadStream(file),
      size: fs.statSync(file).size,
      format,
      manifest,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual(checkNames);
    expect(r.sha256).toBe(manifest.sha256);
    expect(r.bytes).toBe(manifest.size);
    expect(r.summary).toMatch(/^Verified: .* checks passed \(matches its signed manifest\)\.$/);
    expect(progress.at(-1)).toEqual([manifest.size, manifest.size]);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  test("the archive's table of contents is described", async () => {
    const r = await verifyFile("good.dump", "custom");
    expect(check(r, "table of contents").detail).toMatch(
      /^\d+ entries, 8 with table data; database lb_verify_\w+; dumped from PostgreSQL \d+\.\d+ by pg_dump \d+\.\d+$/,
    );
    expect(check(r, "table data").detail).toMatch(/every data block reads to the end/);
    expect(r.summary).toMatch(/no manifest to compare with/);
  });
});

describe("damaged backups fail and say what is wrong", () => {
  test("custom archive cut at 60%", async () => {
    const r = await verifyFile("truncated.dump", "custom");
    expect(r.ok).toBe(false);
    expect(check(r, "table data")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^the archive ends early, after .*: the file is truncated/),
    });
    expect(r.summary).toMatch(/^Failed: table data: the archive ends early/);
  });

  test("gzip cut at 60%", async () => {
    const size = fs.statSync(f("truncated.sql.gz")).size;
    const r = await verifyFile("truncated.sql.gz", "plain_gzip");
    expect(r.ok).toBe(false);
    expect(check(r, "gzip")).toEqual({
      name: "gzip",
      ok: false,
      detail: `gzip stream ends early at byte ${size.toLocaleString("en-US")}: the file is truncated`,
    });
  });

  test("gzip that decompresses fine but holds a cut-off SQL dump", async () => {
    const r = await verifyFile("incomplete.sql.gz", "plain_gzip");
    expect(r.ok).toBe(false);
    expect(check(r, "gzip").ok).toBe(true);
    expect(check(r, "pg_dump completion line")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^the SQL ends without pg_dump's completion line .*: the dump is incomplete/),
    });
  });

  test("plain SQL cut off", async () => {
    const r = await verifyFile("incomplete.sql", "plain");
    expect(r.ok).toBe(false);
    expect(check(r, "pg_dump completion line").ok).toBe(false);
  });

  test("gzip with a flipped byte", async () => {
    const r = await verifyFile("corrupt.sql.gz", "plain_gzip");
    expect(r.ok).toBe(false);
    expect(check(r, "gzip").detail).toMatch(/corrupt|CRC/);
  });

  test("tar cut at 60%", async () => {
    const r = await verifyFile("truncated.tar", "tar");
    expect(r.ok).toBe(false);
    expect(check(r, "tar structure")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^tar archive ends early at byte .*: the file is truncated$/),
    });
  });

  test.each<BackupFormat>(["custom", "plain", "plain_gzip", "tar", "unknown"])("0-byte file as %s", async (format) => {
    const r = await verifyFile("empty.dump", format);
    expect(r.ok).toBe(false);
    expect(r.bytes).toBe(0);
    expect(r.sha256).toBe(createHash("sha256").digest("hex"));
    expect(r.checks[0]).toMatchObject({
      name: "size",
      ok: false,
      detail: expect.stringMatching(/^The backup is 0 bytes/),
    });
    expect(r.summary).toMatch(/^Failed: size: The backup is 0 bytes/);
  });

  test("sha256 and size differ from the manifest", async () => {
    const manifest = { ...(await manifestFor("good.dump", "custom")), sha256: "0".repeat(64), size: 1234 };
    const r = await verifyFile("good.dump", "custom", { manifest });
    expect(r.ok).toBe(false);
    expect(check(r, "sha256 matches manifest")).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`but the manifest records ${"0".repeat(64)}`),
    });
    expect(check(r, "size matches manifest").ok).toBe(false);
    // The archive itself is fine: the report says so, so nobody hunts for the wrong problem.
    expect(check(r, "table data").ok).toBe(true);
  });

  test("garbage bytes named .dump", async () => {
    const r = await verifyFile("garbage.dump", "custom");
    expect(r.ok).toBe(false);
    expect(check(r, "table of contents")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^not a pg_dump custom archive: its first bytes match no backup format/),
    });
    expect(r.checks.map((c) => c.name)).toEqual(["size", "table of contents"]);
    // pg_restore gave up at once; the checksum still covers every byte.
    expect(r.bytes).toBe(200_000);
    expect(r.sha256).toBe(await sha256File(f("garbage.dump")));
  });

  test("no pg_restore: an error about the tool, not a verdict on the backup", async () => {
    const file = f("good.dump");
    await expect(
      verifyBackup({
        open: async () => fs.createReadStream(file),
        size: fs.statSync(file).size,
        format: "custom",
        binDir: "/nonexistent-lifeboat",
      }),
    ).rejects.toThrow(/pg_restore was not found in \/nonexistent-lifeboat/);
  });

  test("a gzip file checked as custom says what it looks like", async () => {
    const r = await verifyFile("good.sql.gz", "custom");
    expect(r.ok).toBe(false);
    expect(check(r, "table of contents").detail).toMatch(/look like a gzip file \(format plain_gzip\), not custom/);
  });

  test("plain SQL checked as custom", async () => {
    const r = await verifyFile("good.sql", "custom");
    expect(check(r, "table of contents").detail).toMatch(/plain SQL dump, not a pg_dump archive/);
  });

  test("unknown format: size and sha256 only, and it says so", async () => {
    const manifest = await manifestFor("good.dump", "unknown");
    const r = await verifyFile("good.dump", "unknown", { manifest });
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([
      ["size", true],
      ["size matches manifest", true],
      ["sha256 matches manifest", true],
      ["format", false],
    ]);
    expect(check(r, "format").detail).toMatch(
      /^The format is unknown.*look like a pg_dump custom-format archive: set the backup's format to custom/,
    );
  });

  test("a size different from the storage listing", async () => {
    const file = f("good.sql");
    const r = await verifyBackup({
      open: async () => fs.createReadStream(file),
      size: fs.statSync(file).size + 10,
      format: "plain",
    });
    expect(check(r, "size matches storage").ok).toBe(false);
  });
});

describe("the pass itself", () => {
  test("a read that fails midway rejects (it says nothing about the backup)", async () => {
    const broken = () =>
      Readable.from(
        (async function* () {
          yield Buffer.alloc(100_000, 1);
          throw new Error("connection reset by peer");
        })(),
      );
    await expect(verifyBackup({ open: async () => broken(), size: 200_000, format: "custom" })).rejects.toThrow(
      BackupReadError,
    );
    await expect(verifyBackup({ open: async () => broken(), size: 200_000, format: "plain_gzip" })).rejects.toThrow(
      /could not read the backup after 98 KiB \(100,000 bytes\): connection reset by peer/,
    );
  });

  test("abort stops the verification", async () => {
    const ac = new AbortController();
    const file = f("good.dump");
    const p = verifyBackup({
      open: async () => fs.createReadStream(file, { highWaterMark: 1024 }),
      size: fs.statSync(file).size,
      format: "custom",
      signal: ac.signal,
      onProgress: () => ac.abort(new Error("stopped by the operator")),
    });
    await expect(p).rejects.toThrow("stopped by the operator");
  });

  test.each([
    ["PGDMP\u0001\u000e", "custom"],
    ["\u001f\u008b\u0008", "gzip"],
    ["--\n-- PostgreSQL database dump\n", "sql"],
    ["\\restrict abc\n", "sql"],
    ["\u0000\u0001garbage", null],
  ])("sniffFormat(%j) = %s", (head, expected) => {
    expect(sniffFormat(Buffer.from(head, "latin1"))).toBe(expected);
  });

  test.each([
    ["--\n-- PostgreSQL database dump complete\n--\n\n", true],
    ["--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict Abc123\n\n", true],
    ["--\n-- PostgreSQL database cluster dump complete\n--\n\n", true],
    ["COPY x FROM stdin;\n1\t2\n", false],
    ["-- PostgreSQL database dump complete\n--\nDROP TABLE users;\n", false],
  ])("completionCheck(%j) ok=%s", (tail, ok) => {
    expect(completionCheck(Buffer.from(tail), tail.length, Buffer.from("--\n")).ok).toBe(ok);
  });

  test("TarWalk reads a real pg_dump tar in odd-sized pieces", () => {
    const data = fs.readFileSync(f("good.tar"));
    const walk = new TarWalk();
    for (let i = 0; i < data.length; i += 777) walk.push(data.subarray(i, i + 777));
    expect(walk.check(data.length)).toMatchObject({ ok: true });
    expect(walk.members).toBeGreaterThan(8);
  });
});

describe("a 60 MB archive", () => {
  let big: PgConnection;
  let file: string;

  beforeAll(async () => {
    big = await createDatabase(uniqueDatabaseName("big"));
    // ~62 MB of hex text; with --compress=0 the archive is about that size.
    await runPsqlQuery(
      big,
      "CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 8) AS v FROM generate_series(1, 240000) g",
    );
    file = f("big.dump");
    await dump(big, "custom", file, 0);
  }, 120_000);

  afterAll(async () => {
    if (big) await dropDatabase(big.database);
  });

  test("streams through without holding the backup in memory", { timeout: 120_000 }, async () => {
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(50_000_000);
    // Every chunk the source hands out is watched through a WeakRef on its memory; after a
    // full GC only what verifyBackup (or a pipe) still holds is alive. Sampling RSS or
    // `external` instead measures V8's collection lag, which can exceed the whole file.
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const chunks: WeakRef<ArrayBufferLike>[] = [];
    const held = () => {
      gc();
      return chunks.reduce((sum, r) => sum + (r.deref()?.byteLength ?? 0), 0);
    };
    async function* watched() {
      for await (const c of fs.createReadStream(file)) {
        chunks.push(new WeakRef((c as Buffer).buffer));
        yield c as Buffer;
      }
    }
    const rssBefore = process.memoryUsage().rss;
    let peakHeld = 0;
    let peakRss = rssBefore;
    let samples = 0;
    const r = await verifyBackup({
      open: async () => Readable.from(watched()),
      size,
      format: "custom",
      onProgress: () => {
        samples++;
        peakHeld = Math.max(peakHeld, held());
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      },
    });
    expect(r.ok).toBe(true);
    expect(r.sha256).toBe(await sha256File(file));
    console.info(
      `[verify] ${(size / 1e6).toFixed(1)} MB custom archive in ${r.durationMs} ms ` +
        `(${(size / 1e6 / (r.durationMs / 1000)).toFixed(0)} MB/s with a full GC per sample); ` +
        `${chunks.length} chunks, at most ${(peakHeld / 1e6).toFixed(2)} MB of them alive; RSS +${((peakRss - rssBefore) / 1e6).toFixed(1)} MB`,
    );
    expect(samples).toBeGreaterThan(1);
    expect(chunks.length).toBeGreaterThan(500);
    expect(peakHeld).toBeLessThan(4_000_000);
    expect(held()).toBeLessThan(200_000);
  });

  test("400 MB of SQL through the plain check: the process does not grow with it", { timeout: 120_000 }, async () => {
    // Distinct buffers each time, as a download would hand out.
    const total = 400 * 1024 * 1024;
    const line = Buffer.from("INSERT INTO t VALUES (1, 'lifeboat');\n");
    const block = Buffer.alloc(64 * 1024, line.toString());
    const trailer = Buffer.from("\n--\n-- PostgreSQL database dump complete\n--\n\n");
    async function* sql() {
      for (let sent = 0; sent < total; sent += block.length) yield Buffer.from(block);
      yield trailer;
    }
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const r = await verifyBackup({
      open: async () => Readable.from(sql()),
      size: total + trailer.length,
      format: "plain",
      onProgress: () => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      },
    });
    expect(check(r, "pg_dump completion line").ok).toBe(true);
    expect(r.bytes).toBe(total + trailer.length);
    console.info(
      `[verify] 400 MB plain stream in ${r.durationMs} ms; RSS +${((peakRss - rssBefore) / 1e6).toFixed(1)} MB`,
    );
    expect(peakRss - rssBefore).toBeLessThan(150_000_000);
  });

  test("cut at 60% it fails", { timeout: 120_000 }, async () => {
    const size = fs.statSync(file).size;
    const cutAt = Math.floor(size * 0.6);
    const r = await verifyBackup({
      open: async () => fs.createReadStream(file, { end: cutAt - 1 }),
      size: cutAt,
      format: "custom",
    });
    expect(r.ok).toBe(false);
    expect(check(r, "table data").detail).toMatch(/the file is truncated/);
  });
});
