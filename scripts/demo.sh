#!/usr/bin/env bash
# npm run demo [-- --reset] — the console on http://127.0.0.1:3000 with demo data.
# Everything the demo writes lives under data/demo/; --reset deletes and rebuilds it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DEMO_DIR=${LIFEBOAT_DEMO_DIR:-$PWD/data/demo}
PORT=${PORT:-3000}

if [ "${1:-}" = "--reset" ]; then
  say "resetting the demo: deleting $DEMO_DIR"
  rm -rf "$DEMO_DIR"
fi
mkdir -p "$DEMO_DIR"
chmod 700 "$DEMO_DIR"

# Secrets are generated once per demo folder and never leave it.
SECRETS="$DEMO_DIR/secrets.env"
if [ ! -f "$SECRETS" ]; then
  umask 077
  {
    echo "NEXTAUTH_SECRET=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
    echo "LIFEBOAT_ENCRYPTION_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
    echo "DEMO_ADMIN_PASSWORD=$(node -e 'const a="abcdefghjkmnpqrstuvwxyz23456789";const b=require("crypto").randomBytes(16);let s="";for(const x of b)s+=a[x%a.length];console.log(s.match(/.{4}/g).join("-"))')"
  } >"$SECRETS"
fi
set -a
# shellcheck disable=SC1090
source "$SECRETS"
set +a
export LIFEBOAT_DATABASE_URL="file:$DEMO_DIR/lifeboat.db"
export NEXTAUTH_URL="http://127.0.0.1:$PORT"
export LIFEBOAT_DEMO_DIR="$DEMO_DIR"

if node -e 'const s=require("net").connect(process.argv[1],"127.0.0.1");s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1))' "$PORT"; then
  die "port $PORT on 127.0.0.1 is in use: stop what runs there, or start the demo with PORT=3001 npm run demo"
fi

migrate
node node_modules/tsx/dist/cli.mjs scripts/demo-seed.ts
build_if_stale

cat >&2 <<BANNER

  Lifeboat demo is starting on  http://127.0.0.1:$PORT
  Sign in as                    admin@lifeboat.demo
  Password                      $DEMO_ADMIN_PASSWORD
  Demo data                     $DEMO_DIR  (npm run demo -- --reset rebuilds it)
  Stop with Ctrl-C.

BANNER
exec node node_modules/next/dist/bin/next start -p "$PORT" -H 127.0.0.1
