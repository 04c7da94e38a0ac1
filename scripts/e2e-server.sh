#!/usr/bin/env bash
# Started by Playwright (playwright.config.ts webServer): a fresh Lifeboat database with
# the e2e users, then `next start` as one process so stopping it stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
PORT=${PORT:-3100}
# Outside the clone: the sandbox PostgreSQL's user must be able to reach it (a clone may sit in /root).
E2E_DIR=${E2E_DATA_DIR:-/tmp/lifeboat-e2e-$PORT}
[ -d "$E2E_DIR" ] && bash scripts/demo-postgres.sh stop "$E2E_DIR" >/dev/null 2>&1 || true
rm -rf "$E2E_DIR" && mkdir -p "$E2E_DIR" test-results
# Everything the server prints is kept, so a test can prove no secret was logged.
: >test-results/e2e-server.log
exec > >(tee -a test-results/e2e-server.log) 2>&1
# The demo's data (sandbox PostgreSQL, local location with its backups, databases) is the
# e2e tests' starting point too; e2e/global-teardown.ts stops its PostgreSQL.
LIFEBOAT_DEMO_DIR="$E2E_DIR" DEMO_PG_PORT=$(free_port) LIFEBOAT_DEMO_WAL_ARCHIVE=0 bash scripts/demo.sh --setup-only
set -a
source "$E2E_DIR/secrets.env"
set +a
export LIFEBOAT_DATABASE_URL="file:$E2E_DIR/lifeboat.db"
export NEXTAUTH_URL="http://127.0.0.1:$PORT"
export LIFEBOAT_SYNC_INTERVAL_MINUTES=0
export LIFEBOAT_LOCAL_ROOTS="$E2E_DIR/backups"
# The shared archiving cluster's pgBackRest config (services.env) is outside /etc/pgbackrest.
export LIFEBOAT_PGBACKREST_CONFIG_DIRS="${TEST_PITR_CONFIG:+$(dirname "$TEST_PITR_CONFIG")}"
run_ts e2e/seed-users.ts
build_if_stale
exec node node_modules/next/dist/bin/next start -p "$PORT" -H 127.0.0.1
