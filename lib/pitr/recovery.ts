import "server-only";
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { execa } from "execa";
import type { RecoveryInstance, WalArchive } from "@prisma/client";
import { db } from "@/lib/db";
import { connectionOf } from "@/lib/databases/mutations";
import { minimalChildEnv, recoveryRootDir } from "@/lib/env";
import { NotFoundError, UserError } from "@/lib/errors";
import type { PgConnection } from "@/lib/postgres/connection";
import { runPsqlQuery } from "@/lib/postgres/run";
import { BACKUP_LABEL_RE } from "@/lib/pitr/info";
import { asPostgres, pgbackrestArgv, runningAsRoot, runPgbackrest, RUN_AS_USER } from "@/lib/pitr/pgbackrest";
import { checkRecoveryDisk, type FreeBytesReader } from "@/lib/pitr/recovery-disk";
import { pgBinDirFor } from "@/lib/pitr/window";
import { parseStoredJson } from "@/lib/stored-json";
import { ACTIVE_RUN_STATUSES } from "@/lib/runner/states";
import {
  explainRecoveryLog,
  instancePaths,
  INSTANCE_ID_PATTERN,
  isPostmasterOf,
  MARKER_FILE,
  newInstanceId,
  portTaken,
  postgresOptions,
  processesRestoringInto,
  readPostmasterPid,
  RECOVERY_HBA,
  recoverySettings,
  SAFE_PATH_PATTERN,
  type InstancePaths,
} from "./recovery-files";
import {
  RECOVERY_INSTANCE_STATUSES,
  storedRecoveryTargetSchema,
  type RecoveryInstanceStatus,
  type StoredRecoveryTarget,
} from "./recovery-states";
import {
  describeRecoveryTarget,
  pgbackrestTargetArgs,
  recoveryTargetSchema,
  type RecoveryTarget,
} from "./recovery-target";
import { storedState } from "@/lib/stored-json";

// The recovery engine: a point-in-time restore of a database's cluster into a new data directory
// on this host (pgBackRest), started as a "recovery instance" on a free 127.0.0.1 port that
// replays archived WAL up to the target and promotes, so the existing tools (psql, pg_dump, the
// copy-back) can read what the database held at that moment. Production is never touched: the
// instance reads the repository and writes only inside its own folder.
//
// The row is written before anything exists on disk, so a console killed at any point leaves the
// instance listed (then "interrupted" by the start-up sweep) and removable; nothing is deleted
// silently, and nothing outside a folder Lifeboat made for that instance is ever stopped or deleted.

export { recoveryTargetSchema, type RecoveryTarget } from "./recovery-target";

export class RecoveryError extends UserError {
  constructor(
    message: string,
    /** PostgreSQL's or pgBackRest's own words, when they gave any. */
    public readonly reason: string | null = null,
  ) {
    super(message, 400);
    this.name = "RecoveryError";
  }
}

/** Instances this process is bringing up right now: the sweep never calls them interrupted. */
const startingHere = new Set<string>();

const POLL_MS = 50;
/** How long the postmaster may take to write postmaster.pid after pg_ctl forked it. */
const PID_APPEAR_MS = 15_000;

type Log = (stream: "stdout" | "stderr" | "info", line: string) => void;

export type StartRecoveryOptions = {
  databaseId: string;
  runId: string | null;
  target: RecoveryTarget;
  baseBackupLabel: string;
  signal?: AbortSignal;
  onLog?: Log;
  /** How the recovery folder's free space is read (tests pass a reader; the disk is never filled). */
  freeBytes?: FreeBytesReader;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on right now on 127.0.0.1 (PostgreSQL's own bind is the final check). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** runuser/chown helpers: files PostgreSQL reads must belong to the user it runs as. */
async function giveToPostgres(...paths: string[]): Promise<void> {
  if (!runningAsRoot()) return;
  const r = await execa("chown", [`${RUN_AS_USER}:${RUN_AS_USER}`, ...paths], {
    env: minimalChildEnv(),
    extendEnv: true,
    stdin: "ignore",
    reject: false,
  });
  if (r.exitCode !== 0) {
    throw new UserError(
      `Could not give ${paths[0]} to the ${RUN_AS_USER} user (${String(r.stderr).trim() || "chown failed"}): install PostgreSQL on the recovery host so that the ${RUN_AS_USER} user exists.`,
      500,
    );
  }
}

/** The recovery root, created when missing (0700, the postgres user's when the console is root). */
export async function ensureRecoveryRoot(): Promise<string> {
  const root = path.resolve(recoveryRootDir());
  if (!SAFE_PATH_PATTERN.test(root)) {
    throw new UserError(
      `The recovery folder ${root} has characters pg_ctl cannot be given safely: set LIFEBOAT_RECOVERY_DIR to a path of letters, digits, '/', '.', '_' and '-'.`,
      500,
    );
  }
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const st = await fs.lstat(root);
  if (!st.isDirectory())
    throw new UserError(`The recovery folder ${root} is not a folder: set LIFEBOAT_RECOVERY_DIR.`, 500);
  if (runningAsRoot()) {
    await giveToPostgres(root);
    const r = await execa("runuser", ["-u", RUN_AS_USER, "--", "test", "-w", root, "-a", "-x", root], {
      env: minimalChildEnv(),
      extendEnv: true,
      stdin: "ignore",
      reject: false,
      cwd: "/",
    });
    if (r.exitCode !== 0) {
      throw new UserError(
        `The ${RUN_AS_USER} user cannot reach the recovery folder ${root}: make its parent folders traversable (chmod o+x) or set LIFEBOAT_RECOVERY_DIR to a folder it can reach.`,
        500,
      );
    }
  }
  return root;
}

function parseTarget(row: Pick<RecoveryInstance, "target">): StoredRecoveryTarget {
  return parseStoredJson(
    row.target,
    storedRecoveryTargetSchema,
    "recovery instance's target (RecoveryInstance.target)",
  );
}

/** The bin directory it was started with; null when unknown (a row whose target cannot be read is still removable). */
function pgBinDirOf(row: Pick<RecoveryInstance, "target">): string | null {
  try {
    return parseTarget(row).pgBinDir;
  } catch {
    return null;
  }
}

async function setStatus(
  id: string,
  from: readonly RecoveryInstanceStatus[],
  data: {
    status: RecoveryInstanceStatus;
    note?: string | null;
    pid?: number | null;
    port?: number;
    stoppedAt?: Date;
    target?: string;
  },
): Promise<boolean> {
  const { count } = await db.recoveryInstance.updateMany({ where: { id, status: { in: [...from] } }, data });
  return count === 1;
}

async function archiveOf(databaseId: string): Promise<WalArchive> {
  const archive = await db.walArchive.findUnique({ where: { databaseId } });
  if (!archive) {
    throw new UserError(
      "This database has no WAL archive set up: add its pgBackRest stanza and repository on the database's page before a point-in-time restore.",
    );
  }
  return archive;
}

/** The pg_ctl of the instance's PostgreSQL version (the restored PG_VERSION, or the archive's bin directory). */
async function pgCtlFor(
  archive: Pick<WalArchive, "pgBinDir">,
  dataDir: string,
): Promise<{ binDir: string; pgCtl: string }> {
  const version = (await fs.readFile(path.join(dataDir, "PG_VERSION"), "utf8").catch(() => "")).trim() || null;
  const binDir = pgBinDirFor(archive, version);
  if (!binDir) {
    throw new RecoveryError(
      "The restored data directory has no PG_VERSION, so its PostgreSQL version is unknown: the restore did not complete; remove this instance and try again.",
    );
  }
  const pgCtl = path.join(binDir, "pg_ctl");
  try {
    await fs.access(pgCtl, fsConstants.X_OK);
  } catch {
    throw new RecoveryError(
      `PostgreSQL ${version ?? ""} is not installed on the recovery host (${pgCtl} is missing): install it (Debian: apt-get install -y postgresql-${version ?? "<major>"}) or set the archive's PostgreSQL bin directory, then try again.`,
    );
  }
  return { binDir, pgCtl };
}

async function runPgCtl(pgCtl: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  const [file = pgCtl, ...rest] = asPostgres([pgCtl, ...args]);
  return execa(file, rest, {
    env: { ...minimalChildEnv(), ...env, LC_MESSAGES: "C" },
    extendEnv: true,
    stdin: "ignore",
    reject: false,
    cwd: "/",
    timeout: timeoutMs,
  });
}

/** Reads new lines of a growing log file from `offset`. */
async function readNewLines(file: string, offset: number): Promise<{ lines: string[]; offset: number }> {
  const fh = await fs.open(file, "r").catch(() => null);
  if (!fh) return { lines: [], offset };
  try {
    const { size } = await fh.stat();
    if (size <= offset) return { lines: [], offset };
    const buf = Buffer.alloc(Math.min(size - offset, 1024 * 1024));
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    const text = buf.subarray(0, bytesRead).toString("utf8");
    const end = text.lastIndexOf("\n");
    if (end < 0) return { lines: [], offset };
    return { lines: text.slice(0, end).split("\n"), offset: offset + Buffer.byteLength(text.slice(0, end + 1)) };
  } finally {
    await fh.close();
  }
}

/** The files the instance needs besides the restored data: its access rules, and a config file when production keeps its own elsewhere. */
async function writeInstanceFiles(p: InstancePaths): Promise<void> {
  await fs.writeFile(p.hbaFile, RECOVERY_HBA, { mode: 0o600 });
  await fs.writeFile(p.identFile, "", { mode: 0o600 });
  const conf = path.join(p.dataDir, "postgresql.conf");
  const owned = [p.hbaFile, p.identFile];
  try {
    await fs.access(conf);
  } catch {
    // Debian and others keep postgresql.conf in /etc: the restored data directory has none.
    await fs.writeFile(
      conf,
      "# Written by Lifeboat: production keeps its configuration outside its data directory.\n",
      { mode: 0o600 },
    );
    owned.push(conf);
  }
  await giveToPostgres(...owned);
}

type Started = { instanceId: string; port: number; dataDir: string };

/**
 * Restores `baseBackupLabel` of the database's WAL archive into a new folder on this host and
 * starts it as a recovery instance that stops at `target` and promotes. Resolves once
 * PostgreSQL left recovery (pg_is_in_recovery() is false); rejects with PostgreSQL's or
 * pgBackRest's reason and what to do, leaving the instance listed as failed (removable).
 */
export async function startRecoveryInstance(opts: StartRecoveryOptions): Promise<Started> {
  // Hostile input: it goes into pgBackRest's argv and, unescaped, into postgresql.auto.conf.
  const target = recoveryTargetSchema.parse(opts.target);
  if (!BACKUP_LABEL_RE.test(opts.baseBackupLabel)) {
    throw new UserError(
      `"${opts.baseBackupLabel.slice(0, 40)}" is not a pgBackRest backup label (e.g. 20261201-224133F).`,
    );
  }
  const log: Log = opts.onLog ?? (() => {});
  const archive = await archiveOf(opts.databaseId);

  if (opts.runId) {
    const reused = await reuseForRun(opts.runId, target, opts.baseBackupLabel, log);
    if (reused) return reused;
  }

  // Before the row and the folder: a restore the disk cannot hold leaves nothing behind.
  const disk = await checkRecoveryDisk(archive, opts.baseBackupLabel, {
    freeBytes: opts.freeBytes,
    signal: opts.signal,
  });
  if (!disk.ok) throw new RecoveryError(disk.message);
  log("info", disk.message);

  const root = await ensureRecoveryRoot();
  const id = newInstanceId();
  const p = instancePaths(root, id);
  let port = await freePort();
  const stored: StoredRecoveryTarget = { target, baseBackupLabel: opts.baseBackupLabel, pgBinDir: null };
  // The row first: whatever happens next, the instance is listed.
  await db.recoveryInstance.create({
    data: {
      id,
      databaseId: opts.databaseId,
      runId: opts.runId,
      dataDir: p.dataDir,
      port,
      status: "restoring",
      target: JSON.stringify(stored),
    },
  });
  startingHere.add(id);
  const targetWords = describeRecoveryTarget(target);
  try {
    await fs.mkdir(p.dir, { mode: 0o700 });
    await fs.writeFile(p.marker, JSON.stringify({ instanceId: id, databaseId: opts.databaseId }) + "\n", {
      mode: 0o600,
      flag: "wx",
    });
    await fs.mkdir(p.socketDir, { mode: 0o700 });
    await giveToPostgres(p.dir, p.socketDir);

    // 1. pgBackRest restores the base backup and writes the recovery settings.
    log("info", `restoring base backup ${opts.baseBackupLabel} into ${p.dataDir} (recovery to ${targetWords})`);
    opts.signal?.throwIfAborted();
    await runPgbackrest(
      archive,
      "restore",
      [
        `--pg1-path=${p.dataDir}`,
        `--set=${opts.baseBackupLabel}`,
        ...pgbackrestTargetArgs(target),
        "--target-action=promote",
        // Never push WAL into production's repository, whatever production's settings say.
        "--archive-mode=off",
        // Production's tablespaces go inside the instance's folder, never back to their own paths.
        `--tablespace-map-all=${p.tablespaceDir}`,
        "--log-level-console=info",
      ],
      { signal: opts.signal, onLine: (stream, line) => log(stream, line) },
    );
    opts.signal?.throwIfAborted();

    // 2. Its own settings, then PostgreSQL replays WAL up to the target and promotes.
    const { binDir, pgCtl } = await pgCtlFor(archive, p.dataDir);
    stored.pgBinDir = binDir;
    await writeInstanceFiles(p);
    // archive-get in restore_command reads the repository with the same secrets as the restore.
    const { env: repoEnv } = pgbackrestArgv(archive, "archive-get", []);
    let logOffset = 0;
    // PostgreSQL logs every WAL segment it fetches: a day of WAL is thousands of lines, so the
    // run's log gets one of them every few seconds with the count, and every other line.
    let segments = 0;
    let lastSegmentLine = 0;
    const serverLine = (line: string) => {
      if (/LOG:\s+restored log file "/.test(line)) {
        segments++;
        if (Date.now() - lastSegmentLine < 5_000) return;
        lastSegmentLine = Date.now();
        log("stderr", `${line} (${segments} WAL segment${segments === 1 ? "" : "s"} restored so far)`);
        return;
      }
      log("stderr", line);
    };
    for (let attempt = 1; ; attempt++) {
      if (
        !(await setStatus(id, ["restoring", "recovering"], {
          status: "recovering",
          port,
          target: JSON.stringify(stored),
        }))
      )
        throw new RecoveryError("The recovery instance was removed while it was being started.");
      log("info", `starting PostgreSQL on 127.0.0.1:${port}; it replays archived WAL up to ${targetWords}`);
      const started = await runPgCtl(
        pgCtl,
        ["start", "-W", "-D", p.dataDir, "-l", p.logFile, "-o", postgresOptions(recoverySettings(p, port))],
        repoEnv,
      );
      if (started.exitCode !== 0) {
        throw new RecoveryError(
          `pg_ctl could not start the recovery instance: ${String(started.stderr).trim() || String(started.stdout).trim() || `exit ${started.exitCode}`}. Its log is ${p.logFile}.`,
        );
      }
      const outcome = await waitForPromotion(id, p, opts.signal, serverLine, logOffset);
      logOffset = outcome.offset;
      if (outcome.kind === "ready") break;
      const failure = explainRecoveryLog(outcome.log, targetWords, p.logFile);
      if (attempt < 3 && portTaken(outcome.log)) {
        port = await freePort();
        log("info", `port taken by another program; trying 127.0.0.1:${port}`);
        continue;
      }
      throw new RecoveryError(
        `Recovery to ${targetWords} failed: ${failure.reason}. ${failure.advice}`,
        failure.reason,
      );
    }

    // 3. Promoted: the database's own user logs in and sees a primary.
    const conn = await connectionFor(id, null);
    const rows = await runPsqlQuery(conn, "SELECT pg_is_in_recovery()");
    if (rows[0]?.[0] !== "f")
      throw new RecoveryError("The recovery instance is still in recovery after promoting: read its log " + p.logFile);
    if (!(await setStatus(id, ["recovering"], { status: "ready", note: null })))
      throw new RecoveryError("The recovery instance was removed while it was being started.");
    log("info", `recovered to ${targetWords}: 127.0.0.1:${port}, database ${conn.database}, user ${conn.user}`);
    return { instanceId: id, port, dataDir: p.dataDir };
  } catch (e) {
    const cancelled = opts.signal?.aborted === true;
    const message = cancelled
      ? "The recovery was cancelled. Remove this instance (its folder is kept until then)."
      : e instanceof UserError
        ? e.message
        : `The recovery failed unexpectedly (${e instanceof Error ? e.message.slice(0, 300) : "unknown error"}); remove this instance and try again.`;
    // A cancelled or failed start must not leave a PostgreSQL running: stop it, keep the folder to read.
    await stopPostgres(p, stored.pgBinDir, "immediate").catch(() => {});
    await setStatus(id, ["restoring", "recovering", "ready"], {
      status: "failed",
      note: message,
      stoppedAt: new Date(),
    });
    log("info", message);
    if (cancelled) throw e;
    throw e instanceof UserError ? e : new RecoveryError(message);
  } finally {
    startingHere.delete(id);
  }
}

type WaitOutcome = { kind: "ready"; offset: number } | { kind: "stopped"; log: string; offset: number };

/** Follows postmaster.pid until PostgreSQL reports "ready" (recovered and promoted) or dies. */
async function waitForPromotion(
  id: string,
  p: InstancePaths,
  signal: AbortSignal | undefined,
  onLine: (line: string) => void,
  fromOffset: number,
): Promise<WaitOutcome> {
  let offset = fromOffset;
  let seenPid: number | null = null;
  const began = Date.now();
  const follow = async () => {
    const r = await readNewLines(p.logFile, offset);
    offset = r.offset;
    for (const l of r.lines) onLine(l);
  };
  const stopped = async (): Promise<WaitOutcome> => {
    await sleep(POLL_MS);
    await follow();
    const text = await fs.readFile(p.logFile, "utf8").catch(() => "");
    return { kind: "stopped", log: Buffer.from(text).subarray(fromOffset).toString("utf8"), offset };
  };
  for (;;) {
    signal?.throwIfAborted();
    const pm = await readPostmasterPid(p.dataDir);
    if (pm && pm.pid !== seenPid) {
      seenPid = pm.pid;
      await db.recoveryInstance.updateMany({ where: { id, status: "recovering" }, data: { pid: pm.pid } });
    }
    await follow();
    if (pm?.status === "ready") return { kind: "ready", offset };
    if (seenPid !== null && !(await isPostmasterOf(seenPid, p.dataDir))) return stopped();
    if (seenPid === null && Date.now() - began > PID_APPEAR_MS) return stopped();
    if (seenPid === null && /\b(FATAL|PANIC):/.test(await fs.readFile(p.logFile, "utf8").catch(() => ""))) {
      // It stopped before writing postmaster.pid (a port taken, a bad setting).
      return stopped();
    }
    await sleep(POLL_MS);
  }
}

/** Stops the instance's PostgreSQL, if one runs on its (verified) data directory. */
async function stopPostgres(p: InstancePaths, pgBinDir: string | null, mode: "fast" | "immediate"): Promise<boolean> {
  const pm = await readPostmasterPid(p.dataDir);
  if (!pm || !(await isPostmasterOf(pm.pid, p.dataDir))) return false;
  const binDir =
    pgBinDir ??
    pgBinDirFor(
      { pgBinDir: null },
      (await fs.readFile(path.join(p.dataDir, "PG_VERSION"), "utf8").catch(() => "")).trim() || null,
    );
  const pgCtl = binDir ? path.join(binDir, "pg_ctl") : "pg_ctl";
  const r = await runPgCtl(pgCtl, ["stop", "-D", p.dataDir, "-m", mode, "-w", "-t", "30"]);
  if (r.exitCode === 0) return true;
  if (mode === "fast") {
    const again = await runPgCtl(pgCtl, ["stop", "-D", p.dataDir, "-m", "immediate", "-w", "-t", "30"]);
    if (again.exitCode === 0) return true;
  }
  if (await isPostmasterOf(pm.pid, p.dataDir)) {
    throw new UserError(
      `Could not stop the recovery instance's PostgreSQL (pid ${pm.pid}): ${String(r.stderr).trim().slice(0, 300)}. Stop it by hand (pg_ctl stop -D ${p.dataDir}) and try again.`,
      500,
    );
  }
  return true;
}

/**
 * The instance's folder, if (and only if) it is one Lifeboat made for this very instance: the
 * stored data directory must be `<recovery root>/<id>/data`, the folder a real folder (no
 * symbolic link) and its marker name this instance. Anything else is refused, whatever the row says.
 */
async function verifiedPaths(row: Pick<RecoveryInstance, "id" | "dataDir">): Promise<InstancePaths | null> {
  const refuse = (why: string) =>
    new UserError(
      `Lifeboat refuses to stop or delete ${row.dataDir}: ${why}. It only deletes folders it made for a recovery instance; if you are sure, stop and delete it by hand, then remove the instance again.`,
      409,
    );
  if (!INSTANCE_ID_PATTERN.test(row.id)) throw refuse("the instance's id is not one Lifeboat makes");
  const root = path.resolve(recoveryRootDir());
  const realRoot = await fs.realpath(root).catch(() => null);
  const p = instancePaths(root, row.id);
  if (
    path.resolve(row.dataDir) !== p.dataDir &&
    (!realRoot || path.resolve(row.dataDir) !== path.join(realRoot, row.id, "data"))
  ) {
    throw refuse(`it is not the folder Lifeboat made for this instance (${p.dataDir})`);
  }
  const st = await fs.lstat(p.dir).catch(() => null);
  if (!st) return null; // already gone
  if (st.isSymbolicLink() || !st.isDirectory()) throw refuse(`${p.dir} is not a plain folder`);
  const marker = await fs.readFile(p.marker, "utf8").catch(() => null);
  let markerId: unknown = null;
  try {
    markerId = marker === null ? null : (JSON.parse(marker) as { instanceId?: unknown }).instanceId;
  } catch {
    markerId = null;
  }
  if (markerId !== row.id) throw refuse(`${p.dir} has no ${MARKER_FILE} naming this instance`);
  return p;
}

/** Is the instance's PostgreSQL running (its pid alive, and a postgres on its own data directory)? */
async function liveness(
  row: Pick<RecoveryInstance, "id" | "dataDir" | "pid">,
): Promise<{ alive: boolean; pid: number | null }> {
  let p: InstancePaths | null;
  try {
    p = await verifiedPaths(row);
  } catch {
    return { alive: false, pid: null };
  }
  if (!p) return { alive: false, pid: null };
  const pm = await readPostmasterPid(p.dataDir);
  const pid = pm?.pid ?? row.pid ?? null;
  return { alive: pid !== null && (await isPostmasterOf(pid, p.dataDir)), pid };
}

async function instanceRow(id: string): Promise<RecoveryInstance> {
  const row = await db.recoveryInstance.findUnique({ where: { id } });
  if (!row) throw new NotFoundError("The recovery instance");
  return row;
}

async function connectionFor(instanceId: string, dbName: string | null): Promise<PgConnection> {
  const row = await instanceRow(instanceId);
  const production = await connectionOf(row.databaseId);
  return {
    host: "127.0.0.1",
    port: row.port,
    user: production.user,
    password: production.password,
    database: dbName ?? production.database,
    // Its own server on this host, started with ssl=off.
    sslmode: "disable",
    sslrootcert: null,
  };
}

/**
 * How the existing tools reach the recovered database: 127.0.0.1:<port> with the production
 * database's user and password (the roles came back with the restore). Only for a ready instance.
 */
export async function recoveryConnection(instanceId: string, dbName?: string): Promise<PgConnection> {
  const row = await instanceRow(instanceId);
  const status = storedState(RECOVERY_INSTANCE_STATUSES, row.status, "recovery instance status");
  if (status !== "ready") {
    throw new UserError(
      `The recovery instance is ${status}, not ready: only a recovered, running instance can be read. Start a new point-in-time restore.`,
      409,
    );
  }
  return connectionFor(instanceId, dbName ?? null);
}

/** Keeps a ready instance for `hours` from now (then the sweep removes it). */
export async function keepRecoveryInstance(instanceId: string, hours: number): Promise<{ keepUntil: Date }> {
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 14) {
    throw new UserError("Keep it between 1 hour and 14 days (336 hours).");
  }
  const row = await instanceRow(instanceId);
  if (row.status === "removed") throw new UserError("The recovery instance was already removed.", 409);
  const keepUntil = new Date(Date.now() + hours * 3600_000);
  await db.recoveryInstance.update({ where: { id: instanceId }, data: { keepUntil } });
  return { keepUntil };
}

/** Stops its PostgreSQL (the folder stays, listed as stopped until removed). Idempotent. */
export async function stopRecoveryInstance(instanceId: string): Promise<{ stopped: boolean }> {
  const row = await instanceRow(instanceId);
  if (row.status === "removed") return { stopped: false };
  const p = await verifiedPaths(row);
  const stopped = p ? await stopPostgres(p, pgBinDirOf(row), "fast") : false;
  if (row.status !== "stopped" && row.status !== "failed") {
    await db.recoveryInstance.updateMany({
      where: { id: instanceId, status: { notIn: ["removed", "failed"] } },
      data: { status: "stopped", stoppedAt: new Date(), pid: null },
    });
  }
  return { stopped };
}

/**
 * Stops the instance, deletes its folder and marks it removed. Idempotent. Refuses (and deletes
 * nothing) when the stored data directory is not the folder Lifeboat made for this instance.
 */
export async function removeRecoveryInstance(
  instanceId: string,
): Promise<{ removed: boolean; folderDeleted: boolean }> {
  const row = await instanceRow(instanceId);
  if (row.status === "removed") return { removed: false, folderDeleted: false };
  if (startingHere.has(instanceId)) {
    throw new UserError(
      "This console is still starting that recovery instance: cancel its run first, then remove it.",
      409,
    );
  }
  const p = await verifiedPaths(row);
  let folderDeleted = false;
  if (p) {
    // A restore a killed console left running would keep writing into the folder.
    for (const pid of await processesRestoringInto(p.dataDir)) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // gone meanwhile
      }
    }
    await stopPostgres(p, pgBinDirOf(row), "fast");
    await fs.rm(p.dir, { recursive: true, force: true, maxRetries: 3 });
    folderDeleted = true;
  }
  await db.recoveryInstance.update({
    where: { id: instanceId },
    data: { status: "removed", removedAt: new Date(), stoppedAt: row.stoppedAt ?? new Date(), pid: null },
  });
  return { removed: true, folderDeleted };
}

/**
 * A resumed run's step asks again: an instance of this run already recovered to the same target
 * (ready, or finished by its PostgreSQL after the console died) is used as it is; any other
 * instance the run left (failed, interrupted, half-restored) is removed before a new one starts.
 */
async function reuseForRun(runId: string, target: RecoveryTarget, label: string, log: Log): Promise<Started | null> {
  const rows = await db.recoveryInstance.findMany({
    where: { runId, status: { not: "removed" } },
    orderBy: { createdAt: "asc" },
  });
  for (const row of rows) {
    let stored: StoredRecoveryTarget | null = null;
    try {
      stored = parseTarget(row);
    } catch {
      stored = null;
    }
    const same =
      stored !== null && stored.baseBackupLabel === label && JSON.stringify(stored.target) === JSON.stringify(target);
    if (same && ["ready", "recovering", "interrupted"].includes(row.status) && !startingHere.has(row.id)) {
      const p = await verifiedPaths(row).catch(() => null);
      const pm = p ? await readPostmasterPid(p.dataDir) : null;
      if (p && pm?.status === "ready" && (await isPostmasterOf(pm.pid, p.dataDir))) {
        const conn = await connectionFor(row.id, null);
        const rows2 = await runPsqlQuery(conn, "SELECT pg_is_in_recovery()").catch(() => null);
        if (rows2?.[0]?.[0] === "f") {
          await db.recoveryInstance.update({
            where: { id: row.id },
            data: { status: "ready", pid: pm.pid, note: null },
          });
          log(
            "info",
            `using the recovery instance this run already started (127.0.0.1:${row.port}): it reached ${describeRecoveryTarget(target)}`,
          );
          return { instanceId: row.id, port: row.port, dataDir: row.dataDir };
        }
      }
    }
    log("info", `removing the recovery instance this run left (${row.status}) before starting a new one`);
    await removeRecoveryInstance(row.id);
  }
  return null;
}

export type RecoveryInstanceView = {
  id: string;
  databaseId: string;
  databaseName: string;
  runId: string | null;
  status: RecoveryInstanceStatus;
  alive: boolean;
  pid: number | null;
  host: string;
  port: number;
  dbName: string;
  user: string;
  dataDir: string;
  target: RecoveryTarget | null;
  targetWords: string;
  baseBackupLabel: string | null;
  keepUntil: Date | null;
  note: string | null;
  createdAt: Date;
  stoppedAt: Date | null;
};

/** Every instance not yet removed, newest first, with whether its PostgreSQL runs. Never a password. */
export async function listRecoveryInstances(opts: { databaseId?: string } = {}): Promise<RecoveryInstanceView[]> {
  const rows = await db.recoveryInstance.findMany({
    where: { status: { not: "removed" }, ...(opts.databaseId ? { databaseId: opts.databaseId } : {}) },
    orderBy: { createdAt: "desc" },
    include: { database: { select: { name: true, dbName: true, user: true } } },
  });
  return Promise.all(
    rows.map(async (row) => {
      let stored: StoredRecoveryTarget | null = null;
      try {
        stored = parseTarget(row);
      } catch {
        stored = null;
      }
      const live = await liveness(row);
      return {
        id: row.id,
        databaseId: row.databaseId,
        databaseName: row.database.name,
        runId: row.runId,
        status: storedState(RECOVERY_INSTANCE_STATUSES, row.status, "recovery instance status"),
        alive: live.alive,
        pid: live.alive ? live.pid : null,
        host: "127.0.0.1",
        port: row.port,
        dbName: row.database.dbName,
        user: row.database.user,
        dataDir: row.dataDir,
        target: stored?.target ?? null,
        targetWords: stored ? describeRecoveryTarget(stored.target) : "unknown (the stored target could not be read)",
        baseBackupLabel: stored?.baseBackupLabel ?? null,
        keepUntil: row.keepUntil,
        note: row.note,
        createdAt: row.createdAt,
        stoppedAt: row.stoppedAt,
      };
    }),
  );
}

/**
 * Start-up (and periodic) sweep. An instance being restored or recovered whose driver is gone
 * (no run, or its run is no longer executing) and that this process is not starting becomes
 * "interrupted": listed, removable, never deleted silently. A ready instance whose PostgreSQL is
 * gone becomes "stopped". An instance whose keep time passed is removed.
 */
export async function sweepRecoveryInstances(
  now = new Date(),
): Promise<{ interrupted: string[]; removed: string[]; stopped: string[] }> {
  const interrupted: string[] = [];
  const removed: string[] = [];
  const stopped: string[] = [];
  const rows = await db.recoveryInstance.findMany({ where: { status: { not: "removed" } } });
  for (const row of rows) {
    if (startingHere.has(row.id)) continue;
    if (row.keepUntil && row.keepUntil < now) {
      try {
        await removeRecoveryInstance(row.id);
        removed.push(row.id);
      } catch (e) {
        console.error(`[lifeboat] could not remove expired recovery instance ${row.id}:`, e);
        await db.recoveryInstance.update({
          where: { id: row.id },
          data: {
            note: `Its keep time passed, but it could not be removed: ${e instanceof Error ? e.message : String(e)}`,
          },
        });
      }
      continue;
    }
    const live = await liveness(row);
    if (row.status === "restoring" || row.status === "recovering") {
      const run = row.runId
        ? await db.run.findUnique({ where: { id: row.runId }, select: { status: true, leaseExpiresAt: true } })
        : null;
      const runExecuting =
        run !== null &&
        (ACTIVE_RUN_STATUSES as readonly string[]).includes(run.status) &&
        run.leaseExpiresAt !== null &&
        run.leaseExpiresAt > now;
      if (runExecuting) continue;
      const note = live.alive
        ? `The console stopped while this instance was ${row.status}; its PostgreSQL (pid ${live.pid}) still runs. Remove it, or resume its run.`
        : `The console stopped while this instance was ${row.status}. Remove it, or resume its run (which starts a new one).`;
      if (await setStatus(row.id, [row.status], { status: "interrupted", note, pid: live.alive ? live.pid : null }))
        interrupted.push(row.id);
    } else if (row.status === "ready" && !live.alive) {
      if (
        await setStatus(row.id, ["ready"], {
          status: "stopped",
          note: "Its PostgreSQL is no longer running (the host restarted, or it was stopped by hand).",
          stoppedAt: now,
          pid: null,
        })
      )
        stopped.push(row.id);
    }
  }
  return { interrupted, removed, stopped };
}

let sweepTimer: NodeJS.Timeout | undefined;

/** Sweeps now and then every 5 minutes (keep times end while the console runs). */
export async function startRecoverySweep(): Promise<void> {
  const run = () =>
    sweepRecoveryInstances().catch((e: unknown) => console.error("[lifeboat] recovery instance sweep:", e));
  await run();
  if (sweepTimer) return;
  sweepTimer = setInterval(() => void run(), 5 * 60_000);
  sweepTimer.unref();
}
