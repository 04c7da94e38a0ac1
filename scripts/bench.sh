#!/usr/bin/env bash
# npm run bench — runs every benchmark in bench/ (each prints its ratio against the bare tool).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
shopt -s nullglob
benches=(bench/*.bench.ts)
[ ${#benches[@]} -gt 0 ] || die "no benchmarks in bench/ yet"
for b in "${benches[@]}"; do
  say "── $b"
  node node_modules/tsx/dist/cli.mjs "$b"
done
