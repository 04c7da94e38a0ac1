import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LocalStorage } from "./local";
import { StorageError, type StorageErrorCode } from "./provider";

// Hostile keys against a local folder: whatever the key, nothing outside the root is
// created, read, changed or deleted. Each test works in a sandbox holding the root and,
// next to it, an "outside" folder with a secret file that must stay untouched.

let sandbox: string;
let root: string;
let outside: string;
let storage: LocalStorage;

/** Every path under the sandbox, relative to it, so that any stray file shows up. */
function snapshot(dir = sandbox): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((p) => p.split(path.sep).join("/"))
    .sort();
}

async function codeOf(p: Promise<unknown>): Promise<StorageErrorCode> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    return (e as StorageError).code;
  }
  throw new Error("expected a StorageError, but the call succeeded");
}

const body = () => Readable.from([Buffer.from("pwned")]);

beforeEach(() => {
  sandbox = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-local-")));
  root = path.join(sandbox, "root");
  outside = path.join(sandbox, "outside");
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
  storage = new LocalStorage({ path: root, prefix: "" });
});

afterEach(() => {
  fs.rmSync(sandbox, { recursive: true, force: true });
});

describe("keys that try to leave the root", () => {
  const escapeName = `lifeboat-escape-${process.pid}`;
  test.each([
    [`../../${escapeName}`],
    [`../outside/${escapeName}`],
    ["../../etc/passwd"],
    ["/etc/passwd"],
    [`/tmp/${escapeName}`],
    [`a/../../${escapeName}`],
    ["a/../../../etc/passwd"],
    [`..\\..\\${escapeName}`],
    [`a\\..\\..\\${escapeName}`],
    ["nul\0byte"],
    ["etc/passwd\0.sql.gz"],
    ["a".repeat(5000)],
    ["./x"],
    ["a//b"],
    ["trailing/"],
    [".."],
    ["."],
  ])("%j is invalid_key on write, stat, read, delete and list leaves it out", async (key) => {
    const before = snapshot();
    expect(await codeOf(storage.write(key, body()))).toBe("invalid_key");
    expect(await codeOf(storage.stat(key))).toBe("invalid_key");
    expect(await codeOf(storage.read(key))).toBe("invalid_key");
    expect(await codeOf(storage.delete(key))).toBe("invalid_key");
    expect(snapshot()).toEqual(before);
    expect(fs.existsSync(path.join(sandbox, "..", escapeName))).toBe(false);
    expect(fs.existsSync(path.join(os.tmpdir(), escapeName))).toBe(false);
    expect(fs.readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
  });

  test("a 5,000-character key is refused before touching the disk, naming the limit", async () => {
    const e = await storage.stat("k".repeat(5000)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).message).toMatch(/at most 1024 bytes/);
  });
});

describe("symlinks", () => {
  test("a symlinked folder pointing outside: nothing is written, read or deleted through it", async () => {
    fs.symlinkSync(outside, path.join(root, "link"));
    const before = snapshot();
    expect(await codeOf(storage.write("link/evil.sql.gz", body()))).toBe("invalid_key");
    expect(await codeOf(storage.write("link/newdir/evil.sql.gz", body()))).toBe("invalid_key");
    expect(await codeOf(storage.read("link/secret.txt"))).toBe("invalid_key");
    expect(await codeOf(storage.stat("link/secret.txt"))).toBe("invalid_key");
    expect(await codeOf(storage.delete("link/secret.txt"))).toBe("invalid_key");
    expect(snapshot()).toEqual(before);
    expect(fs.existsSync(path.join(outside, "evil.sql.gz"))).toBe(false);
    expect(fs.existsSync(path.join(outside, "newdir"))).toBe(false);
    expect(fs.readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
    // Listing does not descend into it.
    expect((await storage.list({})).objects).toEqual([]);
  });

  test("a symlinked file pointing outside: not listed, not readable; deleting removes only the link", async () => {
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(root, "passwd.sql.gz"));
    expect((await storage.list({})).objects).toEqual([]);
    expect(await codeOf(storage.read("passwd.sql.gz"))).toBe("invalid_key");
    expect(await codeOf(storage.stat("passwd.sql.gz"))).toBe("invalid_key");
    await storage.delete("passwd.sql.gz");
    expect(fs.existsSync(path.join(root, "passwd.sql.gz"))).toBe(false);
    expect(fs.readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
  });

  test("writing over a symlink replaces the link, never the file it points to", async () => {
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(root, "backup.sql.gz"));
    await storage.write("backup.sql.gz", body());
    expect(fs.lstatSync(path.join(root, "backup.sql.gz")).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(root, "backup.sql.gz"), "utf8")).toBe("pwned");
    expect(fs.readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
  });

  test("symlinks that stay inside the root work", async () => {
    fs.mkdirSync(path.join(root, "daily"));
    fs.writeFileSync(path.join(root, "daily", "a.sql.gz"), "inside");
    fs.symlinkSync(path.join(root, "daily", "a.sql.gz"), path.join(root, "latest.sql.gz"));
    expect((await storage.stat("latest.sql.gz")).size).toBe(6);
    const chunks: Buffer[] = [];
    for await (const c of await storage.read("latest.sql.gz")) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("inside");
    expect((await storage.list({})).objects.map((o) => o.key)).toEqual(["daily/a.sql.gz", "latest.sql.gz"]);
  });

  test("a root that is itself a symlink to a folder is used as that folder", async () => {
    const real = path.join(sandbox, "real-root");
    fs.mkdirSync(real);
    fs.symlinkSync(real, path.join(sandbox, "root-link"));
    const viaLink = new LocalStorage({ path: path.join(sandbox, "root-link"), prefix: "" });
    await viaLink.write("x/y.sql.gz", body());
    expect(fs.readFileSync(path.join(real, "x", "y.sql.gz"), "utf8")).toBe("pwned");
    expect((await viaLink.stat("x/y.sql.gz")).size).toBe(5);
  });
});

describe("ordinary keys", () => {
  test("unicode and spaces land exactly where the key says", async () => {
    const key = "ünïcødé/日本 語/backup 😀 01.sql.gz";
    const st = await storage.write(key, body());
    expect(fs.readFileSync(path.join(root, "ünïcødé", "日本 語", "backup 😀 01.sql.gz"), "utf8")).toBe("pwned");
    expect(st).toMatchObject({ key, size: 5 });
    const mtimeMs = fs.statSync(path.join(root, ...key.split("/"))).mtimeMs;
    expect(st.etag).toBe(`5-${Math.trunc(mtimeMs)}`);
    expect((await storage.list({ prefix: "ünïcødé/" })).objects.map((o) => o.key)).toEqual([key]);
  });

  test("a write that fails midway leaves neither the object nor a temp file, and keeps the old version", async () => {
    await storage.write("daily/a.sql.gz", Readable.from([Buffer.from("old")]));
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
        this.destroy(new Error("pg_dump died"));
      },
    });
    await expect(storage.write("daily/a.sql.gz", failing)).rejects.toBeInstanceOf(StorageError);
    await expect(storage.write("daily/b.sql.gz", failing)).rejects.toBeInstanceOf(StorageError);
    expect(fs.readdirSync(path.join(root, "daily"))).toEqual(["a.sql.gz"]);
    expect(fs.readFileSync(path.join(root, "daily", "a.sql.gz"), "utf8")).toBe("old");
  });

  test("files being written are not listed", async () => {
    fs.writeFileSync(path.join(root, ".lifeboat-tmp-0123456789abcdef"), "partial");
    await storage.write("done.sql.gz", body());
    expect((await storage.list({})).objects.map((o) => o.key)).toEqual(["done.sql.gz"]);
  });

  test("a key naming a folder is not an object", async () => {
    fs.mkdirSync(path.join(root, "daily"));
    expect(await codeOf(storage.stat("daily"))).toBe("not_found");
    expect(await codeOf(storage.read("daily"))).toBe("not_found");
    expect(await codeOf(storage.write("daily", body()))).toBe("invalid_key");
  });

  test("list pages with an opaque token, in key order", async () => {
    for (const k of ["b", "a/2", "a/1", "c/d/e", "a/10"]) await storage.write(k, body());
    const p1 = await storage.list({ pageSize: 2 });
    expect(p1.objects.map((o) => o.key)).toEqual(["a/1", "a/10"]);
    expect(p1.nextToken).not.toContain("a/10");
    const p2 = await storage.list({ pageSize: 2, token: p1.nextToken });
    expect(p2.objects.map((o) => o.key)).toEqual(["a/2", "b"]);
    const p3 = await storage.list({ pageSize: 2, token: p2.nextToken });
    expect(p3).toMatchObject({ objects: [{ key: "c/d/e" }], nextToken: null });
    expect((await storage.list({ prefix: "a/1" })).objects.map((o) => o.key)).toEqual(["a/1", "a/10"]);
  });
});

describe("the folder itself", () => {
  test("probe and list of a missing folder: no_such_bucket, with the folder named", async () => {
    const missing = new LocalStorage({ path: path.join(sandbox, "nope"), prefix: "" });
    // Each call starts only when awaited: a second promise rejecting unobserved would be an unhandled rejection.
    for (const call of [() => missing.probe(), () => missing.list({})]) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StorageError);
      expect((e as StorageError).code).toBe("no_such_bucket");
      expect((e as StorageError).message).toBe(
        `The folder ${path.join(sandbox, "nope")} does not exist or is not readable by the console's user`,
      );
    }
  });

  test("write never creates a missing root folder", async () => {
    const missing = new LocalStorage({ path: path.join(sandbox, "nope"), prefix: "" });
    expect(await codeOf(missing.write("a.sql.gz", body()))).toBe("no_such_bucket");
    expect(fs.existsSync(path.join(sandbox, "nope"))).toBe(false);
  });

  test("a relative path is an invalid configuration", () => {
    expect(() => new LocalStorage({ path: "backups", prefix: "" })).toThrow(StorageError);
  });

  test("probe resolves on a readable folder; signed URLs are not a thing here", async () => {
    expect((await storage.probe()).latencyMs).toBeGreaterThanOrEqual(0);
    expect(await storage.signedDownloadUrl("a.sql.gz", 60)).toBeNull();
  });
});
