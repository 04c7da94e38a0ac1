#!/usr/bin/env bash
# npm start — production start: migrate Lifeboat's own database, build if needed, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
PORT=${PORT:-3000}
HOST=${HOST:-127.0.0.1}
export NEXTAUTH_URL=${NEXTAUTH_URL:-http://$HOST:$PORT}
migrate
build_if_stale
exec node node_modules/next/dist/bin/next start -p "$PORT" -H "$HOST"
