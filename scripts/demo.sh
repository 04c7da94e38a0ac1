#!/usr/bin/env bash
# npm run demo [-- --reset | --stop] — the console on http://127.0.0.1:3000 with demo data:
# a sandbox PostgreSQL 15 on 127.0.0.1:55432 (DEMO_PG_PORT) holding the sample database
# `amani` (and its copy `amani_staging`), a local backup Location with real pg_dump backups
# over the last 120 days, and demo users.
# Everything the demo writes lives under data/demo/ (LIFEBOAT_DEMO_DIR):
#   --reset  stops the sandbox PostgreSQL, deletes data/demo/ and builds it again;
#   --stop   stops the sandbox PostgreSQL (it keeps running after the console stops);
#   --setup-only  prepares everything but does not build or start the console (e2e tests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DEMO_DIR=${LIFEBOAT_DEMO_DIR:-$PWD/data/demo}
PORT=${PORT:-3000}
export DEMO_PG_PORT=${DEMO_PG_PORT:-55432}

SETUP_ONLY=0
case "${1:-}" in
  "") ;;
  --setup-only) SETUP_ONLY=1 ;;
  --reset)
    if [ -d "$DEMO_DIR" ]; then
      bash scripts/demo-postgres.sh stop "$DEMO_DIR"
      say "resetting the demo: deleting $DEMO_DIR"
      rm -rf "$DEMO_DIR"
    fi
    ;;
  --stop)
    if [ -d "$DEMO_DIR" ]; then bash scripts/demo-postgres.sh stop "$DEMO_DIR"; else say "no demo in $DEMO_DIR"; fi
    exit 0
    ;;
  *) die "usage: npm run demo [-- --reset | --stop]" ;;
esac
started=$SECONDS
mkdir -p "$DEMO_DIR"
# Others may not list or read it; the sandbox PostgreSQL's user (postgres, when run as root)
# must be able to pass through to DEMO_DIR/pg.
chmod 711 "$DEMO_DIR"

# Secrets are generated once per demo folder and never leave it.
SECRETS="$DEMO_DIR/secrets.env"
if [ ! -f "$SECRETS" ]; then
  (
    umask 077
    {
      echo "NEXTAUTH_SECRET=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
      echo "LIFEBOAT_ENCRYPTION_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
      echo "DEMO_ADMIN_PASSWORD=$(node -e 'const a="abcdefghjkmnpqrstuvwxyz23456789";const b=require("crypto").randomBytes(16);let s="";for(const x of b)s+=a[x%a.length];console.log(s.match(/.{4}/g).join("-"))')"
      echo "DEMO_PG_PASSWORD=$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')"
    } >"$SECRETS"
  )
fi

if [ "$SETUP_ONLY" = 0 ] && node -e 'const s=require("net").connect(process.argv[1],"127.0.0.1");s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1))' "$PORT"; then
  die "port $PORT on 127.0.0.1 is in use: stop what runs there, or start the demo with PORT=3001 npm run demo"
fi

# The sandbox PostgreSQL and its sample databases (adds DEMO_PG_PASSWORD to an older secrets.env).
bash scripts/demo-postgres.sh start "$DEMO_DIR"

set -a
# shellcheck disable=SC1090
source "$SECRETS"
set +a
export LIFEBOAT_DATABASE_URL="file:$DEMO_DIR/lifeboat.db"
export NEXTAUTH_URL="http://127.0.0.1:$PORT"
export LIFEBOAT_DEMO_DIR="$DEMO_DIR"
# The demo's local location is the only folder local locations may use (its backups are built
# in a sibling folder, then moved into place).
export LIFEBOAT_LOCAL_ROOTS="$DEMO_DIR"

migrate
run_ts scripts/demo-backups.ts "$DEMO_DIR"
run_ts scripts/demo-seed.ts
say "demo data ready in $((SECONDS - started)) s"
[ "$SETUP_ONLY" = 1 ] && exit 0
build_if_stale

cat >&2 <<BANNER

  Lifeboat demo is starting on  http://127.0.0.1:$PORT
  Sign in as                    admin@lifeboat.demo
  Password                      $DEMO_ADMIN_PASSWORD
  Demo data                     $DEMO_DIR  (npm run demo -- --reset rebuilds it)
  Sandbox PostgreSQL            127.0.0.1:$DEMO_PG_PORT, databases amani and amani_staging, user lifeboat
  Connect with psql             PGPASSWORD=$DEMO_PG_PASSWORD psql -h 127.0.0.1 -p $DEMO_PG_PORT -U lifeboat amani
  Backups (Location demo-local) $DEMO_DIR/backups
  Stop with Ctrl-C. The sandbox PostgreSQL keeps running afterwards (the next
  npm run demo reuses it); npm run demo -- --stop stops it.

BANNER
exec node node_modules/next/dist/bin/next start -p "$PORT" -H 127.0.0.1
