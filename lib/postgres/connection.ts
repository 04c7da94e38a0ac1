import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { z } from "zod";
import { minimalChildEnv } from "@/lib/env";
import { makeSecretDir } from "./private-dir";
import { MAX_CA_CERT_LENGTH, SSL_MODES, type SslMode } from "./tls";
import { executable } from "@/lib/postgres/executable";

// How Lifeboat reaches a PostgreSQL server. The password never goes into argv: the child
// gets it through a 0600 passfile (PGPASSFILE) that exists only while the child runs, in the
// console's private folder (private-dir.ts) that start-up sweeps after a crash.

export { SSL_MODES, type SslMode } from "./tls";

export type PgConnection = {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  sslmode?: SslMode;
  /** The CA certificate (PEM) the server's certificate must chain to; for verify-ca/verify-full. */
  sslrootcert?: string | null;
};

// Environment values cannot hold NUL; control characters in a host or a name are a
// mistake (or an attempt to smuggle something into a log line).
const noControlChars = (v: string) => !/[\u0000-\u001f\u007f]/.test(v);

export const pgConnectionSchema = z.object({
  host: z
    .string()
    .trim()
    .min(1, { message: "is required (a host name, an IP address or a socket directory)" })
    .max(255)
    .refine(noControlChars, { message: "must not contain control characters" }),
  port: z.coerce.number().int().min(1).max(65535),
  user: z
    .string()
    .min(1, { message: "is required" })
    .max(63)
    .refine(noControlChars, { message: "must not contain control characters" }),
  password: z
    .string()
    .max(1000)
    .refine((v) => !v.includes("\u0000"), { message: "must not contain NUL" })
    .optional(),
  database: z
    .string()
    .min(1, { message: "is required" })
    .max(63)
    .refine(noControlChars, { message: "must not contain control characters" }),
  sslmode: z.enum(SSL_MODES).optional(),
  sslrootcert: z
    .string()
    .max(MAX_CA_CERT_LENGTH)
    .refine((v) => !v.includes("\u0000"), { message: "must not contain NUL" })
    .nullish(),
}) satisfies z.ZodType<PgConnection>;

/** "user@host:port/db", never the password. */
export function describeConnection(conn: PgConnection): string {
  const host = conn.host.includes(":") && !conn.host.startsWith("[") ? `[${conn.host}]` : conn.host;
  return `${conn.user}@${host}:${conn.port}/${conn.database}`;
}

/** "host:port" as people write it in an error message. */
export function describeServer(conn: Pick<PgConnection, "host" | "port">): string {
  const host = conn.host.includes(":") && !conn.host.startsWith("[") ? `[${conn.host}]` : conn.host;
  return `${host}:${conn.port}`;
}

/** The child's environment: values to set, and `undefined` for inherited ones to remove. */
export type ChildEnv = Record<string, string | undefined>;

export type PgEnv = { env: ChildEnv; cleanup: () => Promise<void> };

// Inherited variables that could send the child to another server or account than the one
// this connection names, or hand it a password of the operator's shell.
const CLEARED_VARS = [
  "PGPASSWORD",
  "PGPASSFILE",
  "PGSERVICE",
  "PGSERVICEFILE",
  "PGHOSTADDR",
  "PGOPTIONS",
  "PGREQUIRESSL",
  "PGTARGETSESSIONATTRS",
  "PGCHANNELBINDING",
  "PGKRBSRVNAME",
  "PGGSSLIB",
  "PGDATESTYLE",
  "PGTZ",
  "PGSSLROOTCERT",
  "PGSSLCERT",
  "PGSSLKEY",
  "PGSSLCRL",
  "LC_ALL",
] as const;

// Passfile directories not yet cleaned up; removed on exit too, so that a process that ends
// while a child runs (a crash still can't be helped) leaves no password on disk.
const liveDirs = new Set<string>();
let exitHook = false;
function track(dir: string) {
  liveDirs.add(dir);
  if (exitHook) return;
  exitHook = true;
  process.once("exit", () => {
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

// libpq reads PGREQUIREAUTH since 16; an older one ignores it, so the variable is set only where it
// holds, and the console can say which. The client tools' version is read once per folder.
const requireAuthSupport = new Map<string, Promise<boolean>>();

/** The major version in `psql --version` output ("psql (PostgreSQL) 16.4" → 16), or null. */
export function clientMajorVersion(versionOutput: string): number | null {
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(versionOutput);
  return m?.[1] ? Number(m[1]) : null;
}

/** True when the client tools (psql in `binDir`, else on PATH) understand require_auth (libpq 16+). */
export function clientSupportsRequireAuth(binDir?: string): Promise<boolean> {
  const k = binDir ?? "";
  let p = requireAuthSupport.get(k);
  if (!p) {
    p = execa(binDir ? path.join(binDir, "psql") : executable("psql"), ["--version"], {
      reject: false,
      stdin: "ignore",
      timeout: 10_000,
      env: minimalChildEnv(),
    }).then((r) => {
      const major = r.exitCode === 0 && typeof r.stdout === "string" ? clientMajorVersion(r.stdout) : null;
      // A missing tool is not remembered: it may be installed while the console runs.
      if (major === null) requireAuthSupport.delete(k);
      return major !== null && major >= 16;
    });
    requireAuthSupport.set(k, p);
  }
  return p;
}

/** Escapes one field of a .pgpass line (":" and "\" are backslash-escaped). */
export function passfileField(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}

/**
 * Builds the child process environment for a connection. When the connection has a password,
 * a temp directory (0700) with a passfile (0600) is created; call `cleanup()` when the child has
 * exited (it is safe to call more than once). Prefer `withPgEnv`, which does that for you.
 */
export async function pgEnv(conn: PgConnection, opts: { binDir?: string } = {}): Promise<PgEnv> {
  // Nothing of the console's environment but PATH, HOME, TMPDIR, LANG, LC_* and TZ; the PG*
  // variables are the ones set below.
  const env: ChildEnv = minimalChildEnv();
  for (const name of CLEARED_VARS) env[name] = undefined;
  Object.assign(env, {
    PGHOST: conn.host,
    PGPORT: String(conn.port),
    PGUSER: conn.user,
    PGDATABASE: conn.database,
    PGSSLMODE: conn.sslmode ?? "prefer",
    PGCONNECT_TIMEOUT: "5",
    PGAPPNAME: "lifeboat",
    PGCLIENTENCODING: "UTF8",
    // Client-side messages in English so that errors can be recognised and explained.
    LC_MESSAGES: "C",
  });

  const password = conn.password ?? "";
  // With a password, only SCRAM may carry it (never clear text or MD5), where libpq knows how to
  // insist (16 and later). Without one the server decides (trust, peer, certificates).
  if (password !== "" && (await clientSupportsRequireAuth(opts.binDir))) env.PGREQUIREAUTH = "scram-sha-256";
  // A passfile is line-based: a password with a line break can only travel in the child's env.
  const inEnv = /[\r\n]/.test(password);
  if (inEnv) env.PGPASSWORD = password;

  // Always a passfile of our own, even an empty one: libpq must not fall back to the
  // ~/.pgpass of whoever runs Lifeboat. One wildcard entry serves exactly this child.
  // In the console's private folder, which start-up sweeps: a killed console leaves none behind.
  const dir = await makeSecretDir("pgpass");
  track(dir);
  const file = path.join(dir, `pgpass-${randomBytes(6).toString("hex")}`);
  const content = password === "" || inEnv ? "" : `*:*:*:*:${passfileField(password)}\n`;
  try {
    await writeFile(file, content, { mode: 0o600, flag: "wx" });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw e;
  }
  env.PGPASSFILE = file;
  // The CA certificate travels as a file next to the passfile (same folder, same clean-up).
  if (conn.sslrootcert) {
    const ca = path.join(dir, "root.crt");
    try {
      await writeFile(ca, conn.sslrootcert, { mode: 0o600, flag: "wx" });
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
      throw e;
    }
    env.PGSSLROOTCERT = ca;
  }
  let cleaned = false;
  return {
    env,
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      await rm(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };
}

/** Runs `fn` with a child environment for `conn` and always removes the passfile afterwards. */
export async function withPgEnv<T>(
  conn: PgConnection,
  fn: (env: ChildEnv) => Promise<T>,
  opts: { binDir?: string } = {},
): Promise<T> {
  const { env, cleanup } = await pgEnv(conn, opts);
  try {
    return await fn(env);
  } finally {
    await cleanup();
  }
}

/** Replaces every occurrence of the connection's password in a text meant for people. */
export function maskSecret(text: string, conn: Pick<PgConnection, "password">): string {
  const pw = conn.password;
  if (!pw) return text;
  return text.split(pw).join("********");
}
