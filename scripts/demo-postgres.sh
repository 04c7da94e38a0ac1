#!/usr/bin/env bash
# scripts/demo-postgres.sh start|stop|status DEMO_DIR — the demo's sandbox PostgreSQL 15.
#
#   start   initialises DEMO_DIR/pg/data on first use, starts the server on 127.0.0.1 only
#           (port DEMO_PG_PORT, default 55432; its Unix socket lives in DEMO_DIR/pg), makes
#           sure the password-protected superuser `lifeboat` exists, and loads the sample
#           database `amani` (scripts/demo-data/sample-db.sql) and its staging copy
#           `amani_staging` when they do not exist yet. A server left running by an earlier
#           demo is found through its pid file and reused. Idempotent.
#   stop    stops that server (nothing else); fine when it is not running.
#   status  says whether it runs, and where.
#
# The role's password is generated once and kept in DEMO_DIR/secrets.env (DEMO_PG_PASSWORD).
# TCP connections need it (scram-sha-256); the socket (folder mode 700) is trusted.
set -euo pipefail

usage() {
  echo "usage: scripts/demo-postgres.sh start|stop|status DEMO_DIR" >&2
  exit 2
}
cmd=${1:-}
[ -n "${2:-}" ] || usage
case "$cmd" in start | stop | status) ;; *) usage ;; esac
# Resolve DEMO_DIR before changing directory (it may be relative to the caller).
[ "$cmd" = start ] && mkdir -p "$2"
DEMO_DIR=$(cd "$2" 2>/dev/null && pwd) || {
  echo "demo folder $2 does not exist" >&2
  exit 1
}
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib.sh

PORT=${DEMO_PG_PORT:-55432}
[[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1024 ] && [ "$PORT" -le 65535 ] || die "DEMO_PG_PORT must be a port number between 1024 and 65535 (got '$PORT')"
PG_DIR=$DEMO_DIR/pg
DATA=$PG_DIR/data
LOG=$PG_DIR/server.log
SECRETS=$DEMO_DIR/secrets.env
SAMPLE_SQL=$ROOT/scripts/demo-data/sample-db.sql
DB=amani
STAGING_DB=amani_staging
ROLE=lifeboat

is_root() { [ "$(id -u)" = 0 ]; }
# initdb and the server refuse to run as root: as root, they run as the postgres user.
as_postgres() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The postmaster's pid when our server runs (its pid file names a live process that is a
# postgres of this data folder; pids get reused after a reboot).
running_pid() {
  local pid
  [ -f "$DATA/postmaster.pid" ] || return 1
  pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DATA" || return 1
  fi
  echo "$pid"
}
# The port the running server listens on (line 4 of postmaster.pid).
running_port() { sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true; }

port_in_use() {
  node -e 'const s=require("net").connect(Number(process.argv[1]),"127.0.0.1");s.on("connect",()=>{s.end();process.exit(0)});s.on("error",()=>process.exit(1))' "$1"
}

stop_server() {
  local pid
  pid=$(running_pid) || return 0
  as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1 && return 0
  # pg_ctl failed (a half-dead server): stop the postmaster by its pid.
  kill -QUIT "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  die "could not stop the sandbox PostgreSQL (pid $pid); see $LOG"
}

# DEMO_PG_PASSWORD from secrets.env, generated (and appended) on first use.
demo_password() {
  if ! grep -q '^DEMO_PG_PASSWORD=' "$SECRETS" 2>/dev/null; then
    (
      umask 077
      echo "DEMO_PG_PASSWORD=$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')" >>"$SECRETS"
    )
  fi
  sed -n 's/^DEMO_PG_PASSWORD=//p' "$SECRETS" | tail -n 1
}

# Checks that the postgres user can reach PG_DIR, naming the first folder that blocks it.
check_reachable() {
  is_root || return 0
  runuser -u postgres -- test -x "$PG_DIR" && return 0
  local d=/ part
  local IFS=/
  for part in ${PG_DIR#/}; do
    d=${d%/}/$part
    if ! runuser -u postgres -- test -x "$d"; then
      die "the postgres user cannot enter $d, so the sandbox PostgreSQL cannot use $PG_DIR. Allow it (chmod o+x $d) or put the demo elsewhere, e.g. LIFEBOAT_DEMO_DIR=/var/tmp/lifeboat-demo npm run demo"
    fi
  done
  die "the postgres user cannot reach $PG_DIR"
}

init_cluster() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  rm -rf "$DATA" # a half-made folder from an interrupted first run
  say "initialising the sandbox PostgreSQL in $DATA…"
  as_postgres "$PG_BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 --no-instructions >"$PG_DIR/initdb.log" 2>&1 || {
    cat "$PG_DIR/initdb.log" >&2
    die "initdb failed (log: $PG_DIR/initdb.log)"
  }
  # Only the socket (in a folder only the server's user can enter) and 127.0.0.1 with a password.
  as_postgres tee "$DATA/pg_hba.conf" >/dev/null <<'EOF'
# Lifeboat demo sandbox: socket (DEMO_DIR/pg, mode 700) trusted; TCP on 127.0.0.1 with a password.
local   all   all                  trust
host    all   all   127.0.0.1/32   scram-sha-256
EOF
  # Also in the config file, so that a manual `pg_ctl start` is just as private.
  as_postgres tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# Lifeboat demo sandbox
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
password_encryption = 'scram-sha-256'
synchronous_commit = off
EOF
}

# psql through the socket as the postgres superuser; SQL on stdin.
psql_admin() {
  PGOPTIONS="-c client_min_messages=warning" as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PORT" -U postgres "$@"
}
db_exists() {
  [ "$(psql_admin -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]
}
# Loads the sample SQL into a new database over TCP as the lifeboat role (so the
# password path is exercised and lifeboat owns the objects); renamed into place at the end
# so that an interrupted load is never mistaken for a loaded database.
load_sample() {
  local name=$1 tmp="$1_loading"
  psql_admin -d postgres -c "DROP DATABASE IF EXISTS $tmp" -c "CREATE DATABASE $tmp OWNER $ROLE"
  PGPASSWORD=$PASSWORD "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 --single-transaction \
    -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d "$tmp" -f "$SAMPLE_SQL" >/dev/null ||
    die "loading $SAMPLE_SQL into $name failed"
  psql_admin -d postgres -c "ALTER DATABASE $tmp RENAME TO $name"
}

start() {
  ensure_debian_packages "postgresql:$PG_BIN/initdb"
  is_root && ! id postgres >/dev/null 2>&1 && die "the postgres system user is missing: reinstall Debian's postgresql package"
  local sock="$PG_DIR/.s.PGSQL.$PORT"
  [ ${#sock} -lt 100 ] || die "the sandbox's socket path $sock is too long for a Unix socket: use a shorter LIFEBOAT_DEMO_DIR"
  mkdir -p "$PG_DIR"
  chmod 700 "$PG_DIR"
  if is_root; then
    # The postgres user must pass through DEMO_DIR (traverse only: it cannot list it).
    chmod o+x "$DEMO_DIR"
    chown postgres:postgres "$PG_DIR"
    check_reachable
  fi
  PASSWORD=$(demo_password)
  [ -n "$PASSWORD" ] || die "DEMO_PG_PASSWORD in $SECRETS is empty"

  local pid
  if pid=$(running_pid); then
    local port
    port=$(running_port)
    if [ "$port" = "$PORT" ]; then
      say "the sandbox PostgreSQL is already running (pid $pid, 127.0.0.1:$PORT): reusing it"
    else
      say "the sandbox PostgreSQL runs on port $port; restarting it on $PORT"
      stop_server
    fi
  fi
  if ! running_pid >/dev/null; then
    if port_in_use "$PORT"; then
      die "port $PORT on 127.0.0.1 is taken by another program, not the demo's PostgreSQL: stop it, or pick another port, e.g. DEMO_PG_PORT=55433 npm run demo"
    fi
    init_cluster
    # A pid file left by a crash or a reboot whose pid now belongs to another process would
    # make the server refuse to start; running_pid just proved it is not ours.
    if [ -f "$DATA/postmaster.pid" ] && [ -d /proc/self ]; then rm -f "$DATA/postmaster.pid"; fi
    as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -k $PG_DIR" start >/dev/null || {
      tail -n 20 "$LOG" >&2 || true
      die "the sandbox PostgreSQL did not start (log: $LOG)"
    }
    say "sandbox PostgreSQL started on 127.0.0.1:$PORT (data $DATA, log $LOG)"
  fi

  # The role (its password always the one in secrets.env); the password goes through stdin.
  psql_admin -d postgres -f - >/dev/null <<EOF
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN CREATE ROLE $ROLE; END IF;
END \$\$;
ALTER ROLE $ROLE WITH LOGIN SUPERUSER PASSWORD '$PASSWORD';
EOF

  if ! db_exists "$DB"; then
    say "loading the sample database $DB…"
    load_sample "$DB"
  fi
  if ! db_exists "$STAGING_DB"; then
    # A file-level copy of amani is fastest; it needs amani to have no sessions, else load again.
    if ! psql_admin -d postgres -c "CREATE DATABASE $STAGING_DB TEMPLATE $DB OWNER $ROLE" 2>/dev/null; then
      load_sample "$STAGING_DB"
    fi
    say "created $STAGING_DB (a copy of $DB)"
  fi
}

case "$cmd" in
  start) start ;;
  stop)
    if pid=$(running_pid); then
      stop_server
      say "sandbox PostgreSQL stopped (was pid $pid)"
    else
      say "the sandbox PostgreSQL is not running"
    fi
    ;;
  status)
    if pid=$(running_pid); then
      say "sandbox PostgreSQL running: pid $pid, 127.0.0.1:$(running_port), data $DATA"
    else
      say "the sandbox PostgreSQL is not running"
      exit 3
    fi
    ;;
esac
