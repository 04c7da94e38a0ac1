#!/usr/bin/env bash
# npm run bench — starts the test servers, runs every benchmark in bench/ (each prints its
# ratio against the bare tool), stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_debian_packages "postgresql:$PG_BIN/initdb"
RUN_DIR=$(mktemp -d /tmp/lifeboat-bench.XXXXXX)
chmod 755 "$RUN_DIR"
trap 'bash scripts/services.sh stop "$RUN_DIR" || true; rm -rf "$RUN_DIR"' EXIT INT TERM
bash scripts/services.sh start "$RUN_DIR"
set -a
source "$RUN_DIR/services.env"
set +a
export LIFEBOAT_TEST_RUN_DIR="$RUN_DIR"
shopt -s nullglob
only=${1:-}
for b in bench/*.bench.ts; do
  [ -n "$only" ] && [[ "$b" != *"$only"* ]] && continue
  say "── $b"
  run_ts "$b"
done
