import { execa } from "execa";
import type { WalArchive } from "@prisma/client";
import { unseal } from "@/lib/crypto/key";
import { env as lifeboatEnv, minimalChildEnv } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { parseStoredJson } from "@/lib/stored-json";
import { pgbackrestConfigProblem } from "@/lib/pitr/config-file";
import { DEMO_ARCHIVE_REFUSAL, isDemoArchive } from "@/lib/pitr/demo-archive";
import {
  REPO_TYPES,
  SECRET_ENV,
  SECRETS_OF,
  repoArgs,
  repoOptionsSchema,
  repoSecretsSchema,
  type RepoSecrets,
  type RepoType,
} from "@/lib/pitr/repo-config";

// Runs pgBackRest for one WAL archive. The options come from the WalArchive row: the config file,
// the stanza and the repository on the command line, the repository's secrets only in the
// child's environment (pgBackRest reads PGBACKREST_REPO1_* itself), so they never show in `ps`,
// argv or a log line. PostgreSQL and pgBackRest refuse to run as root and the repository belongs
// to the postgres user: a console running as root runs pgBackRest as postgres.

/** The fields of a WalArchive that say how to reach its repository. */
export type ArchiveAccess = Pick<
  WalArchive,
  "id" | "stanza" | "configPath" | "repoType" | "repoPath" | "repoOptions" | "repoSecretEnc"
>;

export const PGBACKREST_BIN = "pgbackrest";
export const RUN_AS_USER = "postgres";

/** Where the sealed secrets of an archive open (bound to its row and field). */
export const archiveSecretsContext = (archiveId: string) => ({
  table: "WalArchive",
  id: archiveId,
  field: "repoSecretEnc",
});

export function archiveRepoType(archive: Pick<WalArchive, "repoType">): RepoType {
  const t = archive.repoType;
  if ((REPO_TYPES as readonly string[]).includes(t)) return t as RepoType;
  throw new UserError(
    `The WAL archive's repository type "${t.slice(0, 20)}" is not one Lifeboat knows (posix, s3, azure, gcs): save the archive settings again.`,
  );
}

export function unsealArchiveSecrets(archive: Pick<WalArchive, "id" | "repoSecretEnc">): RepoSecrets {
  if (!archive.repoSecretEnc) return {};
  return parseStoredJson(
    unseal(archive.repoSecretEnc, archiveSecretsContext(archive.id)),
    repoSecretsSchema,
    "WAL archive's repository secrets (WalArchive.repoSecretEnc)",
  );
}

/** True when this process runs as root: children that PostgreSQL tools refuse to run as root go through runuser. */
export function runningAsRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** argv prefix that runs a tool as the postgres user when the console is root (nothing otherwise). */
export function asPostgres(argv: string[]): string[] {
  return runningAsRoot() ? ["runuser", "-u", RUN_AS_USER, "--", ...argv] : argv;
}

// Stanza names pgBackRest accepts; anything else could be read as an option.
const STANZA_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const COMMAND_RE = /^[a-z][a-z-]{1,30}$/;

/**
 * pgBackRest's argv and the secrets for its environment. `extra` are further options or
 * arguments (after the command); the caller merges `env` into a minimal child environment.
 */
export function pgbackrestArgv(
  archive: ArchiveAccess,
  command: string,
  extra: string[],
): { argv: string[]; env: Record<string, string> } {
  if (!STANZA_RE.test(archive.stanza)) {
    throw new UserError(
      "The WAL archive's stanza name is not valid (letters, digits, '.', '_', '-'): correct it in the archive settings.",
    );
  }
  if (!COMMAND_RE.test(command)) throw new Error(`not a pgBackRest command: ${command}`);
  if (isDemoArchive(archive)) throw new PgbackrestError("demo_archive", DEMO_ARCHIVE_REFUSAL);
  // Again before every use: the file may have changed since the archive was saved.
  if (archive.configPath) {
    const problem = pgbackrestConfigProblem(archive.configPath, lifeboatEnv().LIFEBOAT_PGBACKREST_CONFIG_DIRS);
    if (problem) {
      throw new PgbackrestError(
        "config_refused",
        `${problem} Then save the WAL archive settings again. pgBackRest was not run.`,
      );
    }
  }
  const repoType = archiveRepoType(archive);
  const options = parseStoredJson(
    archive.repoOptions,
    repoOptionsSchema,
    "WAL archive's options (WalArchive.repoOptions)",
  );
  const secrets = unsealArchiveSecrets(archive);
  const env: Record<string, string> = {};
  for (const name of SECRETS_OF[repoType]) {
    const v = secrets[name];
    if (v) env[SECRET_ENV[name]] = v;
  }
  if (repoType === "gcs" && options.gcsKeyType === "token" && !env[SECRET_ENV.gcsToken]) {
    throw new UserError("The GCS repository uses a token and none is saved: enter it in the archive settings.");
  }
  const argv = asPostgres([
    PGBACKREST_BIN,
    ...(archive.configPath ? [`--config=${archive.configPath}`] : []),
    `--stanza=${archive.stanza}`,
    ...repoArgs(repoType, archive.repoPath, options),
    command,
    ...extra,
  ]);
  return { argv, env };
}

export type PgbackrestFailureKind =
  | "missing_binary"
  | "missing_user"
  | "stanza_missing"
  | "repo_unreadable"
  | "config_unreadable"
  | "config_refused"
  | "demo_archive"
  | "cancelled"
  | "failed";

/** A pgBackRest failure, said in words that name what to do. */
export class PgbackrestError extends UserError {
  constructor(
    public readonly kind: PgbackrestFailureKind,
    message: string,
    public readonly detail: string = "",
  ) {
    super(message, kind === "missing_binary" || kind === "missing_user" ? 500 : 400);
    this.name = "PgbackrestError";
  }
}

const MAX_DETAIL = 600;

/** pgBackRest's own "ERROR: [nnn]: …" lines, without noise, for a message. */
export function pgbackrestErrorText(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
  const firstError = lines.findIndex((l) => /^(ERROR|WARN):/.test(l.trim()));
  const text = (firstError >= 0 ? lines.slice(firstError) : lines).join("\n").trim();
  return text.length <= MAX_DETAIL ? text : text.slice(0, MAX_DETAIL) + "…";
}

/** Replaces every secret value in a text, so an echoed option never reaches a message. */
export function maskSecrets(text: string, env: Record<string, string>): string {
  let out = text;
  for (const v of Object.values(env)) if (v.length >= 4) out = out.split(v).join("••••");
  return out;
}

/** Turns a failed run's output into an error that says what to do. */
export function explainPgbackrestFailure(
  archive: Pick<ArchiveAccess, "stanza" | "repoPath" | "configPath">,
  command: string,
  stderr: string,
  exitCode: number | null,
): PgbackrestError {
  const text = pgbackrestErrorText(stderr);
  if (/runuser: user \S+ does not exist/.test(stderr)) {
    return new PgbackrestError(
      "missing_user",
      `The ${RUN_AS_USER} user does not exist on the recovery host: install PostgreSQL there (apt-get install -y postgresql) so pgBackRest can run as ${RUN_AS_USER}.`,
      text,
    );
  }
  if (
    /missing stanza path|does this stanza exist|has a stanza-create been performed|stanza '[^']*' does not exist/i.test(
      stderr,
    )
  ) {
    return new PgbackrestError(
      "stanza_missing",
      `The stanza "${archive.stanza}" was not found in the repository ${archive.repoPath}: check the stanza name and repository in the archive settings, or create it on the database server (pgbackrest --stanza=${archive.stanza} stanza-create).`,
      text,
    );
  }
  if (
    archive.configPath &&
    /unable to open (missing )?file '[^']*' for read/.test(stderr) &&
    stderr.includes(archive.configPath)
  ) {
    return new PgbackrestError(
      "config_unreadable",
      `pgBackRest cannot read its config file ${archive.configPath}: check the path in the archive settings and that the ${RUN_AS_USER} user may read it.`,
      text,
    );
  }
  if (
    /Permission denied|PathOpenError|FileOpenError|unable to find a valid repository|unable to list file info/i.test(
      stderr,
    )
  ) {
    return new PgbackrestError(
      "repo_unreadable",
      `The repository ${archive.repoPath} cannot be read by the ${RUN_AS_USER} user: check the repository path (or bucket and keys) in the archive settings and the folder's permissions. pgBackRest said: ${text}`,
      text,
    );
  }
  return new PgbackrestError(
    "failed",
    `pgbackrest ${command} failed${exitCode === null ? "" : ` (exit ${exitCode})`}: ${text || "(no message)"}`,
    text,
  );
}

export type RunPgbackrestOptions = {
  signal?: AbortSignal;
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  timeoutMs?: number;
};

/** Runs one pgBackRest command to completion; throws a PgbackrestError that says what to do. */
export async function runPgbackrest(
  archive: ArchiveAccess,
  command: string,
  extra: string[],
  opts: RunPgbackrestOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const { argv, env } = pgbackrestArgv(archive, command, extra);
  const [file = PGBACKREST_BIN, ...args] = argv;
  const child = execa(file, args, {
    env: { ...minimalChildEnv(), ...env },
    extendEnv: true,
    stdin: "ignore",
    // The postgres user may not enter the console's folder.
    cwd: "/",
    reject: false,
    stripFinalNewline: false,
    cancelSignal: opts.signal,
    timeout: opts.timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (opts.onLine) {
    const onLine = opts.onLine;
    const follow = (stream: "stdout" | "stderr") => {
      let rest = "";
      child[stream]?.on("data", (chunk: Buffer) => {
        const lines = (rest + chunk.toString("utf8")).split("\n");
        rest = lines.pop() ?? "";
        for (const l of lines) onLine(stream, maskSecrets(l, env));
      });
      child[stream]?.on("end", () => {
        if (rest) onLine(stream, maskSecrets(rest, env));
      });
    };
    follow("stdout");
    follow("stderr");
  }
  const r = await child;
  if (r.isCanceled) throw new PgbackrestError("cancelled", `pgbackrest ${command} was cancelled.`);
  if (r.timedOut) {
    throw new PgbackrestError(
      "failed",
      `pgbackrest ${command} did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s: check that the repository answers, then try again.`,
    );
  }
  const stdout = typeof r.stdout === "string" ? r.stdout : "";
  const stderr = maskSecrets(typeof r.stderr === "string" ? r.stderr : "", env);
  if (r.exitCode === undefined) {
    if (r.code === "ENOENT" || r.code === "EACCES") {
      throw new PgbackrestError(
        "missing_binary",
        `${file === "runuser" ? "runuser" : "pgBackRest"} is not installed on the recovery host: apt-get install -y pgbackrest (Debian/Ubuntu), then try again.`,
      );
    }
    throw new PgbackrestError(
      "failed",
      `pgbackrest ${command} could not run: ${maskSecrets(r.shortMessage ?? "", env)}`,
    );
  }
  // runuser reports a missing program itself (exit 127) instead of failing to spawn.
  if (r.exitCode === 127 && /runuser: failed to execute|No such file or directory/.test(stderr)) {
    throw new PgbackrestError(
      "missing_binary",
      "pgBackRest is not installed on the recovery host: apt-get install -y pgbackrest (Debian/Ubuntu), then try again.",
      stderr.trim(),
    );
  }
  if (r.exitCode !== 0) throw explainPgbackrestFailure(archive, command, stderr, r.exitCode);
  return { stdout, stderr };
}
