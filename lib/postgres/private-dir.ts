import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// One private folder (0700, the console's user) for files that hold secrets while a child
// process runs (the PostgreSQL passfiles). Each file sits in its own subfolder named after the
// process that made it, so that start-up can remove what a killed console left behind
// (SIGKILL runs no clean-up code) without touching the files of a console still running.

const PREFIX = "lifeboat-private-";

/** `<tmp>/lifeboat-private-<uid>`: one per user, so two users' consoles never share it. */
export function privateRoot(tmpDir = os.tmpdir()): string {
  return path.join(tmpDir, `${PREFIX}${process.getuid?.() ?? "user"}`);
}

async function ensurePrivateRoot(tmpDir = os.tmpdir()): Promise<string> {
  const root = privateRoot(tmpDir);
  try {
    await fs.mkdir(root, { mode: 0o700 });
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e;
  }
  const st = await fs.lstat(root);
  const uid = process.getuid?.();
  if (!st.isDirectory() || st.isSymbolicLink() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new Error(`${root} exists but is not a private folder of the console's user (0700): remove it and try again`);
  }
  return root;
}

/** A new 0700 folder for one secret file, e.g. `pgpass-<pid>-XXXXXX`. */
export async function makeSecretDir(kind: string): Promise<string> {
  if (!/^[a-z]+$/.test(kind)) throw new Error(`not a secret folder kind: ${kind}`);
  return fs.mkdtemp(path.join(await ensurePrivateRoot(), `${kind}-${process.pid}-`));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as { code?: string }).code === "EPERM";
  }
}

/**
 * Removes the secret folders of processes that are gone (a console killed while a child ran),
 * and passfile folders of earlier versions straight in the temp folder. Returns what it removed.
 */
export async function sweepSecretDirs(tmpDir = os.tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  const root = await ensurePrivateRoot(tmpDir);
  for (const name of await fs.readdir(root)) {
    const pid = Number(/^[a-z]+-(\d+)-/.exec(name)?.[1] ?? NaN);
    if (Number.isInteger(pid) && (pid === process.pid || alive(pid))) continue;
    await fs.rm(path.join(root, name), { recursive: true, force: true });
    removed.push(path.join(root, name));
  }
  // Earlier versions made `<tmp>/lifeboat-pgpass-XXXXXX` folders; only this user's are removed.
  const uid = process.getuid?.();
  for (const name of await fs.readdir(tmpDir)) {
    if (!name.startsWith("lifeboat-pgpass-")) continue;
    const dir = path.join(tmpDir, name);
    const st = await fs.lstat(dir).catch(() => null);
    if (!st?.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
    await fs.rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/** The secret folders process `pid` made that are still there. */
export async function secretDirsOf(pid: number, tmpDir = os.tmpdir()): Promise<string[]> {
  const root = privateRoot(tmpDir);
  const names = await fs.readdir(root).catch(() => [] as string[]);
  return names.filter((n) => n.includes(`-${pid}-`)).map((n) => path.join(root, n));
}
