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
