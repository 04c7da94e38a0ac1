import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

// Where a recovery instance lives on the recovery host and what runs there, as pure rules (plus
// the few file reads they need). Every instance has its own folder under the recovery root:
//
//   <root>/<id>/lifeboat-recovery.json   marker: Lifeboat created this folder for instance <id>
//   <root>/<id>/data                     the restored data directory
//   <root>/<id>/s                        its unix socket directory (only the postgres user enters)
//   <root>/<id>/postgresql.log           PostgreSQL's log (pg_ctl -l)
//   <root>/<id>/pg_hba.conf, pg_ident.conf   its own access rules, never production's
//   <root>/<id>/tablespaces              where production's tablespaces are restored to
//
// Anything deleted or stopped is derived from the instance's id and checked against the marker,
// never taken from the stored data directory alone: a row whose path was changed points nowhere
// Lifeboat will touch.

export const MARKER_FILE = "lifeboat-recovery.json";

/** Instance ids are made here: lowercase letters and digits, so they are safe in paths and settings. */
export const INSTANCE_ID_PATTERN = /^ri[a-z0-9]{20}$/;
export function newInstanceId(): string {
  return `ri${randomBytes(10).toString("hex")}`;
}

/** Paths that go into pg_ctl's -o (which pg_ctl hands to a shell): plain characters only. */
export const SAFE_PATH_PATTERN = /^\/[A-Za-z0-9/._-]*$/;

export type InstancePaths = {
  root: string;
  dir: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  hbaFile: string;
  identFile: string;
  tablespaceDir: string;
  marker: string;
  externalPidFile: string;
};

export function instancePaths(root: string, id: string): InstancePaths {
  if (!INSTANCE_ID_PATTERN.test(id)) throw new Error(`not a recovery instance id: ${id.slice(0, 40)}`);
  const dir = path.join(root, id);
  return {
    root,
    dir,
    dataDir: path.join(dir, "data"),
    socketDir: path.join(dir, "s"),
    logFile: path.join(dir, "postgresql.log"),
    hbaFile: path.join(dir, "pg_hba.conf"),
    identFile: path.join(dir, "pg_ident.conf"),
    tablespaceDir: path.join(dir, "tablespaces"),
    marker: path.join(dir, MARKER_FILE),
    externalPidFile: path.join(dir, "postmaster.external.pid"),
  };
}

/**
 * The settings a recovery instance starts with, on the command line (which beats postgresql.conf
 * and the postgresql.auto.conf that came with the backup): only 127.0.0.1 on its own port and
 * socket, its own data directory and access rules, never archiving into production's repository,
 * never following production's replication or writing production's external pid file, taking
 * no connections before it promoted (so "ready" in postmaster.pid means recovered), its log
 * on stderr (into pg_ctl's log file, where Lifeboat reads PostgreSQL's reasons).
 */
export function recoverySettings(p: InstancePaths, port: number): [string, string][] {
  if (!Number.isInteger(port) || port < 1024 || port > 65535) throw new Error(`not a port: ${port}`);
  return [
    ["port", String(port)],
    ["listen_addresses", "127.0.0.1"],
    ["unix_socket_directories", p.socketDir],
    ["unix_socket_permissions", "0700"],
    ["data_directory", p.dataDir],
    ["hba_file", p.hbaFile],
    ["ident_file", p.identFile],
    // Production may name one (Debian does, under /var/run/postgresql): never overwrite it.
    ["external_pid_file", p.externalPidFile],
    // No connections until recovery ended and promoted: postmaster.pid says "ready" only then.
    ["hot_standby", "off"],
    ["archive_mode", "off"],
    ["archive_cleanup_command", ""],
    ["recovery_end_command", ""],
    ["primary_conninfo", ""],
    ["primary_slot_name", ""],
    ["synchronous_standby_names", ""],
    ["ssl", "off"],
    ["logging_collector", "off"],
    ["log_destination", "stderr"],
    ["cluster_name", "lifeboat-recovery"],
  ];
}

const SAFE_SETTING_VALUE = /^[A-Za-z0-9/._-]*$/;

/** pg_ctl's -o: `-c name=value …`. pg_ctl passes it through /bin/sh, so every value is checked to be plain. */
export function postgresOptions(settings: [string, string][]): string {
  return settings
    .map(([k, v]) => {
      if (!/^[a-z_]+$/.test(k) || !SAFE_SETTING_VALUE.test(v))
        throw new Error(`refusing a setting that would need quoting: ${k}`);
      return `-c ${k}=${v}`;
    })
    .join(" ");
}

/**
 * The instance's own pg_hba.conf: TCP from 127.0.0.1 with a password (md5 accepts SCRAM secrets
 * too, so production's roles log in as on production), and the postgres user on the socket,
 * which only the postgres user can reach. Production's rules are not used: they may trust hosts.
 */
export const RECOVERY_HBA = [
  "# Written by Lifeboat for a recovery instance: only this host, only with a password.",
  "local all postgres peer",
  "host all all 127.0.0.1/32 md5",
  "",
].join("\n");

/** The postmaster's pid and state from postmaster.pid (line 1 and line 8), or null when there is none. */
export function parsePostmasterPid(text: string): { pid: number; status: string | null } | null {
  const lines = text.split("\n");
  const pid = Number(lines[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, status: lines[7]?.trim() || null };
}

export async function readPostmasterPid(dataDir: string): Promise<{ pid: number; status: string | null } | null> {
  const text = await fs.readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => null);
  return text === null ? null : parsePostmasterPid(text);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/** The arguments a process was started with (Linux /proc), or null when it is gone. */
export async function processArgs(pid: number): Promise<string[] | null> {
  if (!processExists(pid)) return null;
  const raw = await fs.readFile(`/proc/${pid}/cmdline`).catch(() => null);
  if (raw === null) return null;
  return raw.toString("utf8").split("\0").filter(Boolean);
}

/** True when `pid` is alive and is a postgres started on exactly this data directory (pids get reused). */
export async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  const args = await processArgs(pid);
  if (!args || args.length === 0) return false;
  const i = args.indexOf("-D");
  const named = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith("-D"))?.slice(2);
  return path.basename(args[0] ?? "") === "postgres" && named !== undefined && path.resolve(named) === dataDir;
}

/** Processes (pgBackRest restores a killed console left running) whose argv names this data directory. */
export async function processesRestoringInto(dataDir: string): Promise<number[]> {
  const names = await fs.readdir("/proc").catch(() => [] as string[]);
  const found: number[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const args = await processArgs(Number(n));
    if (args?.includes(`--pg1-path=${dataDir}`) && args.some((a) => path.basename(a) === "pgbackrest")) {
      found.push(Number(n));
    }
  }
  return found;
}

/** PostgreSQL's FATAL/PANIC lines in a log, without the timestamp prefix. */
export function fatalLines(log: string): string[] {
  return log
    .split("\n")
    .map((l) => /\b(FATAL|PANIC):\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}: ${m[2]!.trim()}`);
}

/** True when the log says the port was taken (another program got it between the pick and the start). */
export function portTaken(log: string): boolean {
  return /could not bind IPv4 address|Address already in use|could not create any TCP\/IP sockets/.test(log);
}

export type RecoveryFailure = { reason: string; advice: string };

/**
 * PostgreSQL's own reason for stopping, from its log, and what to do about it. `targetWords`
 * names the target ("the time … (UTC)").
 */
export function explainRecoveryLog(log: string, targetWords: string, logFile: string): RecoveryFailure {
  const fatals = fatalLines(log);
  const reason = fatals.at(-1) ?? log.trim().split("\n").slice(-3).join(" / ").slice(0, 400);
  if (/recovery ended before configured recovery target was reached/.test(log)) {
    return {
      reason,
      advice: `The archive does not reach ${targetWords}: choose a target at or before the newest recoverable moment shown on the timeline, or use Switch WAL now on the database so its last minutes are archived, then plan again.`,
    };
  }
  if (
    /could not locate required checkpoint record|could not find required checkpoint|requested timeline .* is not a child/.test(
      log,
    )
  ) {
    return {
      reason,
      advice: `The base backup and the archived WAL do not fit together: choose another base backup (or a target inside a newer one), and run pgbackrest check on the database server.`,
    };
  }
  if (/could not (create|map anonymous) shared memory|out of memory|could not resize shared memory/.test(log)) {
    return {
      reason,
      advice: `The recovery host does not have the memory production's settings ask for (shared_buffers and friends): free memory on it or run the recovery on a larger host.`,
    };
  }
  if (/could not access file ".*": No such file or directory|could not load library/.test(log)) {
    return {
      reason,
      advice: `Production loads a library (shared_preload_libraries) the recovery host lacks: install the same extensions there, then try again.`,
    };
  }
  if (portTaken(log)) {
    return { reason, advice: "Another program took the instance's port: try again (a new port is chosen)." };
  }
  return {
    reason,
    advice: `Read PostgreSQL's log (${logFile}) for the cause, fix it, remove this instance and try again.`,
  };
}
