#!/usr/bin/env bash
# scripts/services.sh — the real servers the tests talk to, on free 127.0.0.1 ports.
#
#   scripts/services.sh start RUN_DIR            PostgreSQL 15, s3rver, Azurite (blob), GCS emulator,
#                                                and a second PostgreSQL 15 cluster that archives its
#                                                WAL to a pgBackRest repository (point-in-time recovery);
#                                                writes RUN_DIR/services.env (sourceable, KEY='value')
#   scripts/services.sh stop RUN_DIR             stops only what `start` started (pid files in RUN_DIR)
#   scripts/services.sh stop-one  s3|azure|gcs RUN_DIR   stops one server, keeps its port and data
#   scripts/services.sh start-one s3|azure|gcs RUN_DIR   starts it again on the same port and data
#                                                (s3 and azure keep their objects on disk; the
#                                                GCS emulator keeps them in memory: it restarts empty)
#
# services.env holds only the throwaway test servers' own credentials. Every server keeps
# its data and log under RUN_DIR (pg/, s3/, azure/, gcs/, *.log); each node server's pid is
# in RUN_DIR/<name>.pid, PostgreSQL's in RUN_DIR/pg/data/postmaster.pid.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

usage() { die "usage: scripts/services.sh start|stop RUN_DIR, or start-one|stop-one s3|azure|gcs RUN_DIR"; }
cmd=${1:-}
case "$cmd" in
  start | stop) RUN_DIR=${2:-} ;;
  start-one | stop-one) ONE=${2:-} RUN_DIR=${3:-} ;;
  *) usage ;;
esac
[ -n "$RUN_DIR" ] || usage
[ -d "$RUN_DIR" ] || die "the run directory $RUN_DIR does not exist"
RUN_DIR=$(cd "$RUN_DIR" && pwd)

READY_TIMEOUT=${LIFEBOAT_SERVICES_TIMEOUT:-60} # seconds each server may take to answer

# Azurite's well-known development account (public, documented by Microsoft).
AZURE_ACCOUNT=devstoreaccount1
AZURE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
GCS_PROJECT=lifeboat-test
PITR_STANZA=lifeboat

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pid of a node server we started, only if it is still that process (pids get reused).
live_pid() {
  local name=$1 pidfile="$RUN_DIR/$1.pid" pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$RUN_DIR/$name" || return 1
  echo "$pid"
}

# Starts one node server in the background on the port saved in RUN_DIR/<name>.port.
launch() {
  local name=$1 port
  port=$(cat "$RUN_DIR/$name.port")
  mkdir -p "$RUN_DIR/$name"
  local argv
  case "$name" in
    s3) argv=(node --openssl-legacy-provider scripts/test-servers/s3rver.mjs --port "$port" --dir "$RUN_DIR/s3") ;;
    azure) argv=(node node_modules/azurite/dist/src/blob/main.js --blobHost 127.0.0.1 --blobPort "$port"
      --location "$RUN_DIR/azure" --skipApiVersionCheck --loose --silent --disableTelemetry) ;;
    gcs) argv=(node scripts/test-servers/gcs-emulator.mjs --port "$port" --dir "$RUN_DIR/gcs" --project "$GCS_PROJECT") ;;
    *) usage ;;
  esac
  "${argv[@]}" </dev/null >>"$RUN_DIR/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
}

# Waits until the server answers any HTTP response; fails early when its process died.
wait_http() {
  local name=$1 url=$2 pid
  pid=$(cat "$RUN_DIR/$name.pid")
  node -e '
    const [url, pid, timeout] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
    const deadline = Date.now() + timeout * 1000;
    const alive = () => {
      try { return !/^\d+ \(.*\) Z/.test(require("fs").readFileSync(`/proc/${pid}/stat`, "utf8")); } catch { return false; }
    };
    (async () => {
      for (;;) {
        try { await fetch(url, { signal: AbortSignal.timeout(2000) }); process.exit(0); } catch {}
        if (!alive()) { console.error("the process exited"); process.exit(1); }
        if (Date.now() > deadline) { console.error(`no answer within ${timeout} s`); process.exit(1); }
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
  ' "$url" "$pid" "$READY_TIMEOUT" || {
    tail -n 20 "$RUN_DIR/$name.log" >&2 || true
    die "$name did not start at $url (log: $RUN_DIR/$name.log)"
  }
}

url_of() {
  local port
  port=$(cat "$RUN_DIR/$1.port")
  case "$1" in
    s3) echo "http://127.0.0.1:$port" ;;
    azure) echo "http://127.0.0.1:$port/$AZURE_ACCOUNT" ;;
    gcs) echo "http://127.0.0.1:$port" ;;
  esac
}

# Running, and not a zombie (an exited server whose parent shell is gone waits for init
# to reap it, which can take a while).
running() {
  [ -r "/proc/$1/stat" ] && [ "$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

stop_node() {
  local name=$1 pid
  if pid=$(live_pid "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      running "$pid" || break
      sleep 0.1
    done
    if running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$RUN_DIR/$name.pid"
}

start_pg() {
  local dir="$RUN_DIR/pg" port=$1 password=$2
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 is not installed ($PG_BIN/initdb missing): apt-get install -y postgresql"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    runuser -u postgres -- test -x "$dir" ||
      die "the postgres user cannot reach $dir: make $RUN_DIR and its parents traversable (chmod 755)"
  fi
  # Unix socket for the bootstrap (trust, only reachable inside RUN_DIR/pg); TCP
  # connections need the password (scram-sha-256), so credential bugs show up in tests.
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "$READY_TIMEOUT" \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
    start >/dev/null || { tail -n 20 "$dir/server.log" >&2; die "PostgreSQL did not start (log: $dir/server.log)"; }
  # The password goes through stdin, not argv.
  printf "CREATE ROLE lifeboat_test LOGIN SUPERUSER PASSWORD '%s';\n" "$password" |
    as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres -f - >/dev/null ||
    die "could not create the lifeboat_test role"
}

# The point-in-time-recovery cluster: WAL archived by pgBackRest (Debian's package) into a path
# repository under RUN_DIR/pitr, with one full backup taken, so tests start from a recoverable
# window. Everything pgBackRest writes (repository, logs, spool, locks) stays under RUN_DIR/pitr.
start_pitr() {
  local dir="$RUN_DIR/pitr" port=$1 password=$2 conf
  conf="$dir/pgbackrest.conf"
  mkdir -p "$dir/repo" "$dir/log" "$dir/spool" "$dir/lock"
  printf '%s\n' "[global]" "repo1-path=$dir/repo" "repo1-retention-full=4" "log-path=$dir/log" \
    "spool-path=$dir/spool" "lock-path=$dir/lock" "log-level-console=warn" "log-level-file=info" \
    "start-fast=y" "compress-type=gz" "compress-level=1" "" \
    "[$PITR_STANZA]" "pg1-path=$dir/data" "pg1-port=$port" "pg1-socket-path=$dir" "pg1-user=postgres" >"$conf"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb (pitr) failed"; }
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "$READY_TIMEOUT" \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c wal_level=replica -c archive_mode=on" \
    -o "-c archive_command='pgbackrest --config=$conf --stanza=$PITR_STANZA archive-push %p'" \
    start >/dev/null || { tail -n 20 "$dir/server.log" >&2; die "PostgreSQL (pitr) did not start (log: $dir/server.log)"; }
  printf "CREATE ROLE lifeboat_test LOGIN SUPERUSER PASSWORD '%s';\n" "$password" |
    as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres -f - >/dev/null ||
    die "could not create the lifeboat_test role (pitr)"
  as_postgres pgbackrest --config="$conf" --stanza="$PITR_STANZA" stanza-create >"$dir/stanza.log" 2>&1 ||
    { cat "$dir/stanza.log" >&2; die "pgbackrest stanza-create failed (log: $dir/stanza.log)"; }
  as_postgres pgbackrest --config="$conf" --stanza="$PITR_STANZA" --type=full backup >"$dir/backup.log" 2>&1 ||
    { cat "$dir/backup.log" >&2; die "pgbackrest backup failed (log: $dir/backup.log)"; }
}

stop_pitr() {
  local data="$RUN_DIR/pitr/data"
  [ -f "$data/postmaster.pid" ] || return 0
  as_postgres "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
    as_postgres "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
}

stop_pg() {
  local data="$RUN_DIR/pg/data"
  [ -f "$data/postmaster.pid" ] || return 0
  as_postgres "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 20 stop >/dev/null 2>&1 && return 0
  # pg_ctl failed (e.g. a half-dead server): stop the postmaster by its pid, if it is one.
  local pid
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$data"; then
    kill -QUIT "$pid" 2>/dev/null || true
  fi
}

start_all() {
  [ ! -e "$RUN_DIR/services.env" ] || die "$RUN_DIR already has services.env: stop them first or use a new directory"
  chmod 755 "$RUN_DIR"
  local started=$SECONDS ports=() p
  # Pick distinct ports before starting anything (free_port only asks the kernel).
  ensure_debian_packages pgbackrest:/usr/bin/pgbackrest
  while [ ${#ports[@]} -lt 5 ]; do
    p=$(free_port)
    [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
  done
  local pg_port=${ports[0]} pitr_port=${ports[4]} password
  echo "${ports[1]}" >"$RUN_DIR/s3.port"
  echo "${ports[2]}" >"$RUN_DIR/azure.port"
  echo "${ports[3]}" >"$RUN_DIR/gcs.port"
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')

  # Node servers start in the background while PostgreSQL initialises.
  launch s3
  launch azure
  launch gcs
  start_pg "$pg_port" "$password"
  start_pitr "$pitr_port" "$password"
  wait_http s3 "$(url_of s3)"
  wait_http azure "$(url_of azure)"
  wait_http gcs "$(url_of gcs)/storage/v1/b"

  local s3_url azure_url gcs_url
  s3_url=$(url_of s3) azure_url=$(url_of azure) gcs_url=$(url_of gcs)
  cat >"$RUN_DIR/services.env.tmp" <<EOF
LIFEBOAT_TEST_RUN_DIR='$RUN_DIR'
TEST_PG_HOST='127.0.0.1'
TEST_PG_PORT='$pg_port'
TEST_PG_USER='lifeboat_test'
TEST_PG_PASSWORD='$password'
TEST_S3_ENDPOINT='$s3_url'
TEST_S3_ACCESS_KEY='S3RVER'
TEST_S3_SECRET_KEY='S3RVER'
TEST_S3_REGION='us-east-1'
TEST_AZURE_BLOB_ENDPOINT='$azure_url'
TEST_AZURE_ACCOUNT='$AZURE_ACCOUNT'
TEST_AZURE_KEY='$AZURE_KEY'
TEST_AZURE_CONNECTION_STRING='DefaultEndpointsProtocol=http;AccountName=$AZURE_ACCOUNT;AccountKey=$AZURE_KEY;BlobEndpoint=$azure_url;'
TEST_GCS_ENDPOINT='$gcs_url'
TEST_GCS_PROJECT='$GCS_PROJECT'
TEST_PITR_PG_PORT='$pitr_port'
TEST_PITR_DATA_DIR='$RUN_DIR/pitr/data'
TEST_PITR_SOCKET_DIR='$RUN_DIR/pitr'
TEST_PITR_CONFIG='$RUN_DIR/pitr/pgbackrest.conf'
TEST_PITR_STANZA='$PITR_STANZA'
TEST_PITR_REPO_PATH='$RUN_DIR/pitr/repo'
EOF
  chmod 600 "$RUN_DIR/services.env.tmp"
  mv "$RUN_DIR/services.env.tmp" "$RUN_DIR/services.env"
  say "services up in $((SECONDS - started)) s: PostgreSQL :$pg_port, PITR PostgreSQL :$pitr_port, S3 $s3_url, Azure $azure_url, GCS $gcs_url"
}

case "$cmd" in
  start)
    # A failed start leaves nothing running behind it.
    trap 'status=$?; [ $status -eq 0 ] || { set +e; stop_node s3; stop_node azure; stop_node gcs; stop_pg; stop_pitr; }' EXIT
    start_all
    ;;
  stop)
    set +e
    stop_node s3
    stop_node azure
    stop_node gcs
    stop_pg
    stop_pitr
    rm -f "$RUN_DIR/services.env"
    exit 0
    ;;
  stop-one)
    [[ "$ONE" =~ ^(s3|azure|gcs)$ ]] || usage
    stop_node "$ONE"
    ;;
  start-one)
    [[ "$ONE" =~ ^(s3|azure|gcs)$ ]] || usage
    [ -f "$RUN_DIR/$ONE.port" ] || die "$ONE was never started in $RUN_DIR"
    if ! live_pid "$ONE" >/dev/null; then
      launch "$ONE"
      path=""
      [ "$ONE" = gcs ] && path=/storage/v1/b
      wait_http "$ONE" "$(url_of "$ONE")$path"
    fi
    ;;
esac
