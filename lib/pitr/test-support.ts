import type { PgConnection } from "@/lib/postgres/connection";
import type { WindowArchive } from "@/lib/pitr/window";

// For integration tests only: the shared PostgreSQL 15 cluster that archives its WAL through
// pgBackRest (scripts/services.sh start_pitr). Tests read and write rows there; they never stop,
// restart or reconfigure it.

function need(name: string): string {
  // Test-only: the suite's servers come from the environment the runner sets up.
  // eslint-disable-next-line no-restricted-properties
  const v = process.env[name];
  if (!v) throw new Error(`${name} not set: source the test services' services.env (scripts/services.sh start)`);
  return v;
}

export function pitrConnection(database = "postgres"): PgConnection {
  return {
    host: "127.0.0.1",
    port: Number(need("TEST_PITR_PG_PORT")),
    user: need("TEST_PG_USER"),
    password: need("TEST_PG_PASSWORD"),
    database,
    sslmode: "disable",
  };
}

/** A WalArchive row's fields for the shared cluster's repository. */
export function pitrArchive(overrides: Partial<WindowArchive> = {}): WindowArchive {
  return {
    id: "test-archive",
    stanza: need("TEST_PITR_STANZA"),
    configPath: need("TEST_PITR_CONFIG"),
    repoType: "posix",
    repoPath: need("TEST_PITR_REPO_PATH"),
    repoOptions: "{}",
    repoSecretEnc: null,
    pgBinDir: null,
    ...overrides,
  };
}

/**
 * A throwaway PostgreSQL 15 cluster archiving through pgBackRest into its own repository under a
 * temporary folder, for tests that must break archiving or restart a server (never the shared
 * one). Runs as postgres when the tests run as root.
 */
export type ThrowawayCluster = {
  dir: string;
  port: number;
  config: string;
  stanza: string;
  repoPath: string;
  password: string;
  user: string;
  connection: (database?: string) => PgConnection;
  archive: (overrides?: Partial<WindowArchive>) => WindowArchive;
  stop: () => Promise<void>;
};

const PG15_BIN = "/usr/lib/postgresql/15/bin";

/**
 * pgBackRest's config for a throwaway archiving cluster (tests and benchmarks), with everything
 * pgBackRest writes (repository, logs, spool, locks) under `dir`; the settings of
 * scripts/services.sh's start_pitr.
 */
export function throwawayPgbackrestConfig(o: {
  dir: string;
  repoPath: string;
  stanza: string;
  port: number;
  dataDir: string;
  socketDir: string;
}): string {
  return [
    "[global]",
    `repo1-path=${o.repoPath}`,
    `log-path=${o.dir}/log`,
    `spool-path=${o.dir}/spool`,
    `lock-path=${o.dir}/lock`,
    "log-level-console=warn",
    "log-level-file=info",
    "start-fast=y",
    "compress-type=gz",
    "compress-level=1",
    "",
    `[${o.stanza}]`,
    `pg1-path=${o.dataDir}`,
    `pg1-port=${o.port}`,
    `pg1-socket-path=${o.socketDir}`,
    "pg1-user=postgres",
    "",
  ].join("\n");
}

async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startThrowawayCluster(opts: { backup?: boolean } = {}): Promise<ThrowawayCluster> {
  const { mkdtemp, writeFile, chmod, rm } = await import("node:fs/promises");
  const os = await import("node:os");
  const path = await import("node:path");
  const { randomBytes } = await import("node:crypto");
  const { execa } = await import("execa");
  const { asPostgres, runningAsRoot } = await import("@/lib/pitr/pgbackrest");
  const dir = await mkdtemp(path.join(os.tmpdir(), "lb-pitr-throwaway-"));
  await chmod(dir, 0o755);
  const stanza = "throwaway";
  const repoPath = path.join(dir, "repo");
  const config = path.join(dir, "pgbackrest.conf");
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const user = "lifeboat_throwaway";
  const run = (argv: string[], input?: string) => {
    const [file = "", ...args] = asPostgres(argv);
    return execa(file, args, { cwd: "/", input, stdin: input === undefined ? "ignore" : "pipe" });
  };
  await writeFile(
    config,
    throwawayPgbackrestConfig({ dir, repoPath, stanza, port, dataDir: `${dir}/data`, socketDir: dir }),
  );
  for (const sub of ["repo", "log", "spool", "lock"])
    await (await import("node:fs/promises")).mkdir(path.join(dir, sub));
  if (runningAsRoot()) await execa("chown", ["-R", "postgres:postgres", dir]);
  await run([
    `${PG15_BIN}/initdb`,
    "-D",
    `${dir}/data`,
    "-U",
    "postgres",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
    "--locale=C.UTF-8",
  ]);
  await run([
    `${PG15_BIN}/pg_ctl`,
    "-D",
    `${dir}/data`,
    "-l",
    `${dir}/server.log`,
    "-w",
    "-o",
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c wal_level=replica -c archive_mode=on`,
    "-o",
    `-c archive_command='pgbackrest --config=${config} --stanza=${stanza} archive-push %p'`,
    "start",
  ]);
  const stop = async () => {
    await run([`${PG15_BIN}/pg_ctl`, "-D", `${dir}/data`, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(
      [
        `${PG15_BIN}/psql`,
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        dir,
        "-p",
        String(port),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-f",
        "-",
      ],
      `CREATE ROLE ${user} LOGIN SUPERUSER PASSWORD '${password}';\n`,
    );
    await run(["pgbackrest", `--config=${config}`, `--stanza=${stanza}`, "stanza-create"]);
    if (opts.backup !== false)
      await run(["pgbackrest", `--config=${config}`, `--stanza=${stanza}`, "--type=full", "backup"]);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    port,
    config,
    stanza,
    repoPath,
    password,
    user,
    connection: (database = "postgres") => ({
      host: "127.0.0.1",
      port,
      user,
      password,
      database,
      sslmode: "disable",
    }),
    archive: (overrides = {}) => ({
      id: `throwaway-${port}`,
      stanza,
      configPath: config,
      repoType: "posix",
      repoPath,
      repoOptions: "{}",
      repoSecretEnc: null,
      pgBinDir: null,
      ...overrides,
    }),
    stop,
  };
}
