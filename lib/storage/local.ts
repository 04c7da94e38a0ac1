import { randomBytes } from "node:crypto";
import { constants as fsConstants, createReadStream, type Dirent } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { destroyOnFailure } from "./streams";
import { assertValidKey, assertValidRange, compareKeys, pageSizeOf } from "./keys";
import { StorageError, type BackupStorage, type ListPage, type StorageObject } from "./provider";
import type { LocalConfig } from "./local-config";
import { assertAllowedLocalPath } from "./local-roots";
import { localLocationPolicy } from "@/lib/env";

// A folder on the console's server. The root is the Location's folder; keys are paths
// below it with "/" separators. A key can never reach outside the root: keys.ts rejects
// absolute paths and ".." segments, and every path is checked again after resolving
// symlinks (a symlink inside the root that points outside it is refused, never followed).

// Files being written are named ".lifeboat-tmp-<random>" in the target's folder, renamed
// into place when complete, and never listed.
const TEMP_MARK = ".lifeboat-tmp-";

function isErrno(e: unknown, ...codes: string[]): boolean {
  return typeof e === "object" && e !== null && codes.includes(String((e as { code?: unknown }).code));
}

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export class LocalStorage implements BackupStorage {
  readonly kind = "local" as const;
  readonly description: string;
  private readonly root: string;

  constructor(config: LocalConfig) {
    if (!path.isAbsolute(config.path) || config.path.includes("\0")) {
      throw new StorageError("invalid_config", "Use an absolute folder path such as /var/backups/postgres");
    }
    // Checked here, where every use of a local location (sync, download, verify, restore, test)
    // passes, so a location saved before a root was removed stops working too.
    assertAllowedLocalPath(config.path, localLocationPolicy());
    this.root = path.resolve(config.path);
    this.description = config.prefix ? `folder ${this.root} (prefix ${config.prefix})` : `folder ${this.root}`;
  }

  private missingRoot(cause?: unknown): StorageError {
    return new StorageError(
      "no_such_bucket",
      `The folder ${this.root} does not exist or is not readable by the console's user`,
      { cause },
    );
  }

  private fail(e: unknown, key: string | null): StorageError {
    if (e instanceof StorageError) return e;
    const what = key === null ? `the folder ${this.root}` : `${key} in the folder ${this.root}`;
    if (isErrno(e, "EACCES", "EPERM")) {
      return new StorageError(
        "access_denied",
        `The console's user may not access ${what}: check the folder's owner and permissions`,
        { cause: e },
      );
    }
    if (isErrno(e, "ENOSPC", "EDQUOT")) {
      return new StorageError("unknown", `No space left for ${what}: free some space or move the Location`, {
        cause: e,
      });
    }
    if (isErrno(e, "EROFS")) {
      return new StorageError("access_denied", `The folder ${this.root} is on a read-only file system`, { cause: e });
    }
    const code = typeof e === "object" && e !== null && "code" in e ? String(e.code) : "unexpected error";
    return new StorageError("unknown", `Could not use ${what} (${code})`, { cause: e });
  }

  /** The root's real path; no_such_bucket when it is not a readable folder. */
  private async realRoot(): Promise<string> {
    try {
      const real = await fs.realpath(this.root);
      const st = await fs.stat(real);
      if (!st.isDirectory()) throw this.missingRoot();
      await fs.access(real, fsConstants.R_OK | fsConstants.X_OK);
      return real;
    } catch (e) {
      if (e instanceof StorageError) throw e;
      throw this.missingRoot(e);
    }
  }

  /** Refuses keys a folder cannot hold faithfully: "a//b" and "a/" would name another path. */
  private segments(key: string): string[] {
    assertValidKey(key);
    const parts = key.split("/");
    if (parts.some((s) => s === "")) {
      throw new StorageError(
        "invalid_key",
        `The object key ${JSON.stringify(key)} has an empty path segment ("//" or a trailing "/")`,
      );
    }
    if (parts.some((s) => s.includes(TEMP_MARK))) {
      throw new StorageError(
        "invalid_key",
        `The object key ${JSON.stringify(key)} uses a name reserved for files being written`,
      );
    }
    if (parts.some((s) => Buffer.byteLength(s) > 255)) {
      throw new StorageError(
        "invalid_key",
        `The object key ${JSON.stringify(key)} has a path segment longer than 255 bytes`,
      );
    }
    return parts;
  }

  /** Resolves a key to its real path and proves it is inside the root. */
  private async resolveExisting(key: string): Promise<{ real: string; root: string }> {
    const parts = this.segments(key);
    const root = await this.realRoot();
    const candidate = path.resolve(root, ...parts);
    if (!within(root, candidate))
      throw new StorageError("invalid_key", `The object key ${JSON.stringify(key)} leaves the folder`);
    let real: string;
    try {
      real = await fs.realpath(candidate);
    } catch (e) {
      if (isErrno(e, "ENOENT", "ENOTDIR")) throw this.notFound(key, e);
      if (isErrno(e, "ELOOP"))
        throw new StorageError("invalid_key", `The object key ${JSON.stringify(key)} is a symlink loop`, { cause: e });
      throw this.fail(e, key);
    }
    if (!within(root, real) || real === root) {
      throw new StorageError(
        "invalid_key",
        `The object key ${JSON.stringify(key)} is a symlink that points outside the folder ${this.root}`,
      );
    }
    return { real, root };
  }

  private notFound(key: string, cause?: unknown): StorageError {
    return new StorageError("not_found", `The object ${key} does not exist in the folder ${this.root}`, { cause });
  }

  private toObject(key: string, st: { size: number; mtime: Date; mtimeMs: number }): StorageObject {
    return { key, size: st.size, lastModified: st.mtime, etag: `${st.size}-${Math.trunc(st.mtimeMs)}` };
  }

  async list(opts: { prefix?: string; token?: string | null; pageSize?: number }): Promise<ListPage> {
    const prefix = opts.prefix ?? "";
    const pageSize = pageSizeOf(opts.pageSize);
    let after: string | null = null;
    if (opts.token) {
      after = Buffer.from(opts.token, "base64url").toString("utf8");
      if (after === "") throw new StorageError("unknown", "The listing's continuation token is not valid");
    }
    const root = await this.realRoot();
    // Walk only below the prefix's folder part: "daily/amani_" starts at root/daily.
    const slash = prefix.lastIndexOf("/");
    const startRel = slash >= 0 ? prefix.slice(0, slash) : "";
    const found: { key: string; abs: string }[] = [];
    try {
      if (startRel === "" || this.isSafeRel(startRel)) await this.walk(root, startRel, prefix, found);
    } catch (e) {
      throw this.fail(e, null);
    }
    found.sort((a, b) => compareKeys(a.key, b.key));
    const remaining = after === null ? found : found.filter((f) => compareKeys(f.key, after) > 0);
    const objects: StorageObject[] = [];
    let last = "";
    let i = 0;
    for (; i < remaining.length && objects.length < pageSize; i++) {
      const f = remaining[i];
      if (!f) break;
      try {
        objects.push(this.toObject(f.key, await fs.stat(f.abs)));
      } catch (e) {
        if (!isErrno(e, "ENOENT", "ENOTDIR")) throw this.fail(e, f.key); // deleted meanwhile: skip
      }
      last = f.key;
    }
    const more = i < remaining.length;
    return { objects, nextToken: more ? Buffer.from(last, "utf8").toString("base64url") : null };
  }

  private isSafeRel(rel: string): boolean {
    try {
      this.segments(rel);
      return true;
    } catch {
      return false;
    }
  }

  private async walk(root: string, rel: string, prefix: string, out: { key: string; abs: string }[]): Promise<void> {
    const dir = rel === "" ? root : path.join(root, ...rel.split("/"));
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isErrno(e, "ENOENT", "ENOTDIR") && rel !== "") return;
      throw e;
    }
    for (const entry of entries) {
      const key = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.name.includes(TEMP_MARK) || entry.name.includes("\\")) continue;
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        // Descend only where a key below could still match the prefix.
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await this.walk(root, key, prefix, out);
      } else if (entry.isFile()) {
        if (key.startsWith(prefix)) out.push({ key, abs });
      } else if (entry.isSymbolicLink() && key.startsWith(prefix)) {
        // A symlinked file is listed only when it stays inside the root; symlinked
        // folders are never descended (loops, and a way out of the root).
        try {
          const real = await fs.realpath(abs);
          if (within(root, real) && (await fs.stat(real)).isFile()) out.push({ key, abs: real });
        } catch {
          // dangling: not an object
        }
      }
    }
  }

  async stat(key: string): Promise<StorageObject> {
    const { real } = await this.resolveExisting(key);
    try {
      const st = await fs.stat(real);
      if (!st.isFile()) throw this.notFound(key);
      return this.toObject(key, st);
    } catch (e) {
      if (isErrno(e, "ENOENT", "ENOTDIR")) throw this.notFound(key, e);
      throw this.fail(e, key);
    }
  }

  async read(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    assertValidRange(range);
    const { real, root } = await this.resolveExisting(key);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (e) {
      if (isErrno(e, "ENOENT", "ENOTDIR")) throw this.notFound(key, e);
      if (isErrno(e, "ELOOP"))
        throw new StorageError(
          "invalid_key",
          `The object key ${JSON.stringify(key)} changed into a symlink while opening it`,
          { cause: e },
        );
      throw this.fail(e, key);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw this.notFound(key);
      // The path we checked may have been swapped for a symlink meanwhile: make sure the
      // file we opened is still the one inside the root.
      const again = await fs.realpath(path.resolve(root, ...key.split("/")));
      const st2 = await fs.stat(again);
      if (!within(root, again) || st2.ino !== st.ino || st2.dev !== st.dev) {
        throw new StorageError("invalid_key", `The object key ${JSON.stringify(key)} changed while opening it`);
      }
    } catch (e) {
      await handle.close();
      if (isErrno(e, "ENOENT", "ENOTDIR")) throw this.notFound(key, e);
      throw this.fail(e, key);
    }
    return createReadStream("", { fd: handle, start: range?.start ?? 0, end: range?.end, autoClose: true });
  }

  async write(key: string, body: Readable, opts?: { contentType?: string }): Promise<StorageObject> {
    void opts; // a folder has no content types
    return destroyOnFailure(body, key, async () => {
      const parts = this.segments(key);
      const root = await this.realRoot();
      const name = parts[parts.length - 1] ?? "";
      const dir = await this.ensureDir(root, parts.slice(0, -1), key);
      const temp = path.join(dir, `${TEMP_MARK}${randomBytes(8).toString("hex")}`);
      const target = path.join(dir, name);
      let handle: fs.FileHandle | undefined;
      try {
        // O_EXCL: never write through a file or symlink that someone placed at this name.
        handle = await fs.open(
          temp,
          fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW,
          0o640,
        );
        for await (const chunk of body) {
          const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Uint8Array);
          for (let off = 0; off < buf.length;) {
            off += (await handle.write(buf, off, buf.length - off)).bytesWritten;
          }
        }
        await handle.sync();
        await handle.close();
        handle = undefined;
        const existing = await fs.lstat(target).catch(() => null);
        if (existing?.isDirectory()) {
          throw new StorageError("invalid_key", `The object key ${JSON.stringify(key)} names a folder in ${this.root}`);
        }
        // rename replaces the name itself (even a symlink), never what a symlink points to.
        await fs.rename(temp, target);
        const st = await fs.stat(target);
        return this.toObject(key, st);
      } catch (e) {
        await handle?.close().catch(() => {});
        await fs.rm(temp, { force: true }).catch(() => {});
        throw this.fail(e, key);
      }
    });
  }

  /**
   * Creates the key's parent folders one by one, refusing to pass through anything that
   * is not a real folder inside the root (a symlink to /etc would otherwise let
   * "link/x" create /etc/x).
   */
  private async ensureDir(root: string, dirs: string[], key: string): Promise<string> {
    let cur = root;
    for (const d of dirs) {
      const next = path.join(cur, d);
      try {
        await fs.mkdir(next, { mode: 0o750 });
      } catch (e) {
        if (!isErrno(e, "EEXIST")) throw this.fail(e, key);
      }
      const st = await fs.lstat(next).catch((e: unknown) => {
        throw this.fail(e, key);
      });
      if (st.isSymbolicLink()) {
        const real = await fs.realpath(next).catch(() => "");
        if (!within(root, real) || real === root || !(await fs.stat(real)).isDirectory()) {
          throw new StorageError(
            "invalid_key",
            `The object key ${JSON.stringify(key)} goes through a symlink that points outside the folder ${this.root}`,
          );
        }
        cur = real;
      } else if (!st.isDirectory()) {
        throw new StorageError(
          "invalid_key",
          `The object key ${JSON.stringify(key)} goes through ${d}, which is a file, not a folder`,
        );
      } else {
        cur = next;
      }
    }
    return cur;
  }

  async delete(key: string): Promise<void> {
    const parts = this.segments(key);
    const root = await this.realRoot();
    const name = parts[parts.length - 1] ?? "";
    let parent: string;
    try {
      parent = await fs.realpath(path.resolve(root, ...parts.slice(0, -1)));
    } catch (e) {
      if (isErrno(e, "ENOENT", "ENOTDIR")) return;
      throw this.fail(e, key);
    }
    if (!within(root, parent)) {
      throw new StorageError(
        "invalid_key",
        `The object key ${JSON.stringify(key)} goes through a symlink that points outside the folder ${this.root}`,
      );
    }
    try {
      const st = await fs.lstat(path.join(parent, name));
      if (st.isDirectory())
        throw new StorageError("invalid_key", `The object key ${JSON.stringify(key)} names a folder in ${this.root}`);
      // A symlink is removed itself; what it points to is never touched.
      await fs.unlink(path.join(parent, name));
    } catch (e) {
      if (isErrno(e, "ENOENT", "ENOTDIR")) return;
      throw this.fail(e, key);
    }
  }

  async signedDownloadUrl(key: string, expiresInSeconds: number): Promise<string | null> {
    void expiresInSeconds; // the console streams local files itself
    this.segments(key);
    return null;
  }

  async probe(): Promise<{ latencyMs: number }> {
    const started = performance.now();
    const root = await this.realRoot();
    try {
      const dir = await fs.opendir(root);
      await dir.read();
      await dir.close();
    } catch (e) {
      throw this.missingRoot(e);
    }
    return { latencyMs: Math.round(performance.now() - started) };
  }
}
