#!/usr/bin/env bash
# npm run bench — starts the test servers, runs every benchmark in bench/ (each prints its
# medians, spread, ratio against the bare tool and the load average, and writes
# bench/results/<bench>-<time>.json), stops the servers.
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
failed=()
for b in bench/*.bench.ts; do
  [ -n "$only" ] && [[ "$b" != *"$only"* ]] && continue
  say "── $b"
  # A missed goal must not hide the benchmarks after it: run them all, then say which failed.
  run_ts "$b" || failed+=("$b")
done
if [ ${#failed[@]} -gt 0 ]; then
  say "missed a goal or failed: ${failed[*]}"
  exit 1
fi
