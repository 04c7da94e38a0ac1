#!/usr/bin/env bash
# Started by Playwright (playwright.config.ts webServer): a fresh Lifeboat database with
# the e2e users, then `next start` as one process so stopping it stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
PORT=${PORT:-3100}
E2E_DIR=${E2E_DATA_DIR:-$PWD/test-results/e2e-data}
rm -rf "$E2E_DIR" && mkdir -p "$E2E_DIR"
export LIFEBOAT_DATABASE_URL="file:$E2E_DIR/lifeboat.db"
export NEXTAUTH_URL="http://127.0.0.1:$PORT"
export NEXTAUTH_SECRET=${NEXTAUTH_SECRET:-e2e-secret-e2e-secret-e2e-secret-e2e}
export LIFEBOAT_ENCRYPTION_KEY=${LIFEBOAT_ENCRYPTION_KEY:-$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')}
migrate
node node_modules/tsx/dist/cli.mjs e2e/seed-users.ts
build_if_stale
exec node node_modules/next/dist/bin/next start -p "$PORT" -H 127.0.0.1
