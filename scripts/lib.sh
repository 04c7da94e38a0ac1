# Shared shell helpers for scripts/*.sh (sourced, not run).

export NEXT_TELEMETRY_DISABLED=1
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

say() { printf '\033[1m[lifeboat]\033[0m %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# A free TCP port on 127.0.0.1 (asks the kernel; a tiny race is acceptable for tests).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port)+"\n");s.close()})'
}

# Installs Debian packages when root, else names the exact command and stops.
ensure_debian_packages() {
  local missing=()
  for spec in "$@"; do
    local pkg=${spec%%:*} probe=${spec#*:}
    [ -x "$probe" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} from Debian (one time)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
      DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
    } || die "could not install ${missing[*]}: run 'apt-get update && apt-get install -y ${missing[*]}' and try again"
  else
    die "missing system packages: run 'sudo apt-get install -y ${missing[*]}' and try again"
  fi
}

# Runs the production build unless .next is newer than every source file.
build_if_stale() {
  if [ -f .next/BUILD_ID ] && [ -z "$(find app lib components prisma public next.config.js postcss.config.mjs tsconfig.json package-lock.json instrumentation.ts \
      -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  say "building the console (about half a minute)…"
  node node_modules/next/dist/bin/next build >/tmp/lifeboat-build.log 2>&1 || { cat /tmp/lifeboat-build.log >&2; die "next build failed"; }
}

migrate() {
  node node_modules/prisma/build/index.js migrate deploy >/dev/null || die "database migration failed (LIFEBOAT_DATABASE_URL=$LIFEBOAT_DATABASE_URL)"
}

# Runs a TypeScript script with tsx. The "import" condition lets tsx's CommonJS loading reach
# ESM-only packages (execa's unicorn-magic); allow-server-only.cjs lets lib/'s server-only
# modules load outside Next, as vitest's alias does.
run_ts() {
  NODE_OPTIONS="${NODE_OPTIONS:-} --conditions=import --require $PWD/scripts/allow-server-only.cjs" node node_modules/tsx/dist/cli.mjs "$@"
}
