import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { execa } from "execa";
import { UserError } from "@/lib/errors";
import { pgDumpArgs, type BinOptions } from "@/lib/postgres/commands";
import { describeConnection, pgConnectionSchema, pgEnv, type PgConnection } from "@/lib/postgres/connection";
import type { HeadSource } from "@/lib/postgres/head-query";
import {
  explainPgFailure,
  exportSnapshot,
  migrationHead,
  missingToolError,
  PgCommandError,
  pgDumpVersion,
  runPsqlQuery,
  serverVersion,
  spawnFailure,
  tableRowCounts,
  type ExportedSnapshot,
} from "@/lib/postgres/run";
import { StorageError, type BackupStorage } from "@/lib/storage/provider";
import { MANIFEST_SUFFIX, manifestKey, manifestSchema, type Manifest } from "./manifest";
import { signWithServerKey } from "./manifest-trust";
import { executable } from "@/lib/postgres/executable";

// Makes a backup: pg_dump streams through a sha256 hasher (and gzip for plain SQL) straight
// into storage, then the `<key>.manifest.json` sidecar is written, signed with the console's
// manifest key (an unsigned or wrongly signed manifest is informational only). The dump and the
// manifest's row counts and migration head read one exported snapshot, so the counts are
// exactly what the dump holds even while the application keeps writing.
//
// All or nothing: when any step fails, the backup object (partial or complete) and its
// manifest are deleted and the error is thrown; a key with a manifest means a whole backup.

export type CreateBackupOptions = BinOptions & {
  conn: PgConnection;
  storage: BackupStorage;
  key: string;
  format: "custom" | "plain_gzip";
  critical?: boolean;
  /** Where the migration head is read (the database's setting); default: alembic_version. */
  migrationHead?: HeadSource;
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
};

export type CreateBackupResult = { key: string; size: number; sha256: string; manifest: Manifest };

const PROGRESS_EVERY_MS = 100;

export async function createBackup(opts: CreateBackupOptions): Promise<CreateBackupResult> {
  const conn = pgConnectionSchema.parse(opts.conn);
  const { storage, key, format } = opts;
  const bin = { binDir: opts.binDir };
  if (key.endsWith(MANIFEST_SUFFIX))
    throw new UserError(`A backup's name cannot end with ${MANIFEST_SUFFIX}: that is its manifest's name.`);
  opts.signal?.throwIfAborted();

  // Never replace an existing backup (and never delete one after a failure).
  const existing = await storage.stat(key).then(
    () => true,
    (e: unknown) => {
      if (e instanceof StorageError && e.code === "not_found") return false;
      throw e;
    },
  );
  if (existing)
    throw new UserError(`A backup named ${key} already exists in ${storage.description}: choose another name.`, 409);

  const createdAt = new Date().toISOString();
  // Asked for together (each is a process start and a round trip); a snapshot exported while
  // the version check failed is released before the error is thrown.
  const [version0, snap0] = await Promise.allSettled([pgDumpVersion(bin), exportSnapshot(conn, bin)]);
  if (version0.status === "rejected") {
    if (snap0.status === "fulfilled") await snap0.value.release();
    throw version0.reason;
  }
  const dumpVersion = version0.value;
  let snap: ExportedSnapshot | null = null;
  if (snap0.status === "fulfilled") snap = snap0.value;
  // Connection problems are the operator's to fix; a server that cannot export snapshots
  // (old hot standby) still gets a backup, with counts read just after the dump.
  else if (!(snap0.reason instanceof PgCommandError)) throw snap0.reason;

  let written = false;
  try {
    // What the manifest reads from the database. With an exported snapshot it reads exactly
    // what pg_dump reads, so it is read while pg_dump runs instead of adding its time (the row
    // counts scan every table) after it; if it fails, the dump is stopped and its error reported.
    const stopDump = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stopDump.signal]) : stopDump.signal;
    const q = { ...bin, snapshot: snap?.snapshot, signal };
    const readFacts = () =>
      Promise.all([
        serverVersion(conn, q),
        migrationHead(conn, opts.migrationHead, q),
        tableRowCounts(conn, q),
        databaseRoles(conn, q),
      ]);
    let factsError: { error: unknown } | null = null;
    const early = snap === null ? null : readFacts();
    early?.catch((error: unknown) => {
      factsError = { error };
      stopDump.abort();
    });
    written = true; // from here on a partial object may exist
    let dumped: { size: number; sha256: string };
    try {
      dumped = await dumpToStorage({ ...opts, signal, conn, snapshot: snap?.snapshot ?? null });
    } catch (e) {
      // A cancelled backup says so; otherwise the facts' failure is why the dump was stopped,
      // worded as pg_dump's own failure would be (both meet the same permissions and server).
      if (factsError === null || opts.signal?.aborted) throw e;
      const { error } = factsError as { error: unknown };
      if (error instanceof UserError || error instanceof PgCommandError)
        error.message = `The backup of ${describeConnection(conn)} failed and nothing was kept: ${error.message}`;
      throw error;
    }
    const { size, sha256 } = dumped;
    const [version, head, tables, roles] = await (early ?? readFacts());
    const manifest = signWithServerKey(
      manifestSchema.parse({
        lifeboat: 1,
        sha256,
        size,
        format,
        database: conn.database,
        serverVersion: version,
        pgDumpVersion: dumpVersion,
        createdAt,
        migrationHead: head,
        critical: opts.critical ?? false,
        tables,
        roles,
      }),
    );
    opts.signal?.throwIfAborted();
    await storage.write(manifestKey(key), Readable.from([Buffer.from(JSON.stringify(manifest, null, 2) + "\n")]), {
      contentType: "application/json",
    });
    return { key, size, sha256, manifest };
  } catch (e) {
    if (written) {
      await storage.delete(key).catch(() => {});
      await storage.delete(manifestKey(key)).catch(() => {});
    }
    throw e;
  } finally {
    await snap?.release();
  }
}

// Every role an object of the database belongs to or is granted to (PUBLIC left out): what
// pg_dump writes as OWNER TO, GRANT … TO and CREATE POLICY … TO. Built-in pg_* roles (the public
// schema's pg_database_owner) exist on every server.
const ROLES_SQL = `WITH objs AS (
  SELECT c.relowner AS owner, c.relacl AS acl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  UNION ALL SELECT nspowner, nspacl FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
  UNION ALL SELECT p.proowner, p.proacl FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  UNION ALL SELECT t.typowner, t.typacl FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  UNION ALL SELECT lomowner, lomacl FROM pg_largeobject_metadata
), ids AS (
  SELECT owner AS id FROM objs
  UNION SELECT (aclexplode(acl)).grantee FROM objs WHERE acl IS NOT NULL
  UNION SELECT unnest(polroles) FROM pg_policy
)
SELECT DISTINCT r.rolname FROM ids JOIN pg_roles r ON r.oid = ids.id WHERE r.rolname !~ '^pg_' ORDER BY 1`;

async function databaseRoles(conn: PgConnection, q: Parameters<typeof runPsqlQuery>[2]): Promise<string[]> {
  return (await runPsqlQuery(conn, ROLES_SQL, q)).map((r) => r[0] ?? "").filter((r) => r !== "");
}

/** pg_dump → (gzip) → sha256/size → storage.write. Deletes the object when anything fails. */
async function dumpToStorage(
  opts: CreateBackupOptions & { snapshot: string | null },
): Promise<{ size: number; sha256: string }> {
  const { conn, storage, key, format } = opts;
  const argv = pgDumpArgs({
    format: format === "custom" ? "custom" : "plain",
    database: conn.database,
    snapshot: opts.snapshot ?? undefined,
    binDir: opts.binDir,
  });
  const [file, ...args] = argv;
  const { env, cleanup } = await pgEnv(conn, { binDir: opts.binDir });
  try {
    const dump = execa(executable(file), args, {
      env,
      extendEnv: true,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      buffer: { stdout: false },
      reject: false,
      maxBuffer: { stderr: 4 * 1024 * 1024 },
      cancelSignal: opts.signal,
    });

    const hash = createHash("sha256");
    let size = 0;
    let lastProgress = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        const now = performance.now();
        if (opts.onProgress && now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          opts.onProgress(size);
        }
        cb(null, chunk);
      },
      // The object is complete only if pg_dump says so: otherwise the body ends in an
      // error, so the storage write fails instead of storing a cut-off dump as whole.
      flush(cb) {
        dump.then(
          (r) => cb(r.exitCode === 0 ? null : new Error("pg_dump failed")),
          (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
        );
      },
    });

    const stages = format === "plain_gzip" ? [zlib.createGzip()] : [];
    const piped = pipeline([dump.stdout, ...stages, meter]).then(
      () => null,
      (e: unknown) => e,
    );

    let stored: Awaited<ReturnType<BackupStorage["write"]>> | null = null;
    let storageError: unknown = null;
    let killedForStorage = false;
    try {
      stored = await storage.write(key, meter, {
        contentType: format === "custom" ? "application/octet-stream" : "application/gzip",
      });
    } catch (e) {
      storageError = e;
      // The storage gave up first (pg_dump still running): its error is the one to report.
      // Otherwise the write failed because pg_dump did, and pg_dump's error says why.
      killedForStorage = dump.exitCode === null;
      meter.destroy();
      dump.kill();
    }
    const r = await dump;
    const pipeError = await piped;

    const dumpFailed = r.exitCode !== 0;
    if (dumpFailed || storageError !== null || stored === null) {
      await storage.delete(key).catch(() => {});
    }
    if (r.isCanceled) throw new UserError("The backup was cancelled; nothing was kept.", 499);
    if (storageError !== null && (killedForStorage || !dumpFailed)) throw storageError;
    if (r.exitCode === undefined) {
      if (r.code === "ENOENT" || r.code === "EACCES") throw missingToolError("pg_dump", opts.binDir);
      throw new PgCommandError("pg_dump", null, "", `pg_dump could not run: ${spawnFailure(r.shortMessage)}`);
    }
    if (dumpFailed) {
      const stderr = typeof r.stderr === "string" ? r.stderr : "";
      const err = explainPgFailure("pg_dump", conn, stderr, r.exitCode);
      err.message = `The backup of ${describeConnection(conn)} failed and nothing was kept: ${err.message}`;
      throw err;
    }
    if (stored === null) throw new Error("the storage did not confirm the write");
    if (pipeError !== null && !(pipeError instanceof Error && pipeError.message === "pg_dump failed")) {
      await storage.delete(key).catch(() => {});
      throw pipeError;
    }
    if (stored.size !== size) {
      await storage.delete(key).catch(() => {});
      throw new Error(
        `${storage.description} stored ${stored.size} bytes for ${key} but ${size} were sent: the backup was deleted`,
      );
    }
    opts.onProgress?.(size);
    return { size, sha256: hash.digest("hex") };
  } finally {
    await cleanup();
  }
}
