#!/usr/bin/env bash
# npm run test:all — everything CI runs, on a fresh machine:
# system packages → test servers on 127.0.0.1 → typecheck → lint → unit + integration
# (vitest) → next build → Playwright against next start → stop what was started.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_debian_packages "chromium:/usr/bin/chromium" "postgresql:$PG_BIN/initdb"

RUN_DIR=$(mktemp -d /tmp/lifeboat-test.XXXXXX)
chmod 755 "$RUN_DIR"
export LIFEBOAT_TEST_RUN_DIR="$RUN_DIR"
cleanup() {
  bash scripts/services.sh stop "$RUN_DIR" || true
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT INT TERM

steps_passed=0
steps_failed=0
failed_steps=()
step() {
  local name=$1
  shift
  say "── $name"
  local started=$SECONDS
  if "$@"; then
    steps_passed=$((steps_passed + 1))
    say "   $name ok ($((SECONDS - started)) s)"
  else
    steps_failed=$((steps_failed + 1))
    failed_steps+=("$name")
    say "   $name FAILED ($((SECONDS - started)) s)"
  fi
}

start_services() {
  bash scripts/services.sh start "$RUN_DIR" && set -a && source "$RUN_DIR/services.env" && set +a
}

step "services" start_services
step "typecheck" npm run --silent typecheck
step "lint" npm run --silent lint
# Shuffled, so that no test depends on another having run first (the seed is printed to rerun an order).
VITEST_SEED=${VITEST_SEED:-$((RANDOM * 32768 + RANDOM))}
say "vitest order seed: $VITEST_SEED (VITEST_SEED=$VITEST_SEED npm run test:all repeats this order)"
step "unit+integration" node node_modules/vitest/vitest.mjs run --sequence.shuffle --sequence.seed="$VITEST_SEED" --reporter=default --reporter=json --outputFile="$RUN_DIR/vitest.json"
step "build" node node_modules/next/dist/bin/next build
export E2E_PORT=$(free_port)
export E2E_JSON_REPORT="$RUN_DIR/playwright.json"
step "e2e" node node_modules/@playwright/test/cli.js test
# The whole e2e server log, after every spec: no test secret (e2e/test-secrets.ts) in it.
step "e2e server log holds no secrets" run_ts scripts/check-e2e-log.ts test-results/e2e-server.log "/tmp/lifeboat-e2e-$E2E_PORT"

counts=$(node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  try { const v = JSON.parse(fs.readFileSync(process.argv[1]));
        passed += v.numPassedTests; failed += v.numFailedTests; skipped += v.numPendingTests + v.numTodoTests; } catch {}
  try { const p = JSON.parse(fs.readFileSync(process.argv[2])).stats;
        passed += p.expected; failed += p.unexpected + p.flaky; skipped += p.skipped; } catch {}
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$RUN_DIR/vitest.json" "$RUN_DIR/playwright.json")

# The failed tests again, by name with the first lines of their error: the end of a long log is what
# a reader of CI sees first, and vitest's own report of a failure is thousands of lines above it.
node scripts/failed-tests.mjs "$RUN_DIR/vitest.json" "$RUN_DIR/playwright.json"

# A skipped test is a test that cannot fail: count it as a failed step.
skipped_count=$(sed -E 's/.* ([0-9]+) skipped$/\1/' <<<"$counts")
if [ "$skipped_count" != "0" ]; then
  steps_failed=$((steps_failed + 1))
  failed_steps+=("no skipped tests ($skipped_count skipped)")
fi

echo
if [ "$steps_failed" -eq 0 ]; then
  say "test:all: $counts — all $steps_passed steps ok; screenshots in test-results/screenshots/"
  exit 0
fi
[ "${failed_steps[*]}" != "${failed_steps[*]/unit+integration/}" ] && say "vitest order seed was $VITEST_SEED"
say "test:all: $counts — $steps_failed of $((steps_passed + steps_failed)) steps FAILED: ${failed_steps[*]}"
exit 1
