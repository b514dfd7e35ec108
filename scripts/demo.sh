#!/usr/bin/env bash
# The main job in one command: sets up what is missing, brings up Temporal, Redis, the
# worker, the API and the demo platform, and runs a demo bulk upload.
#   npm run demo          start everything (reusing what runs) and run a demo bulk
#   npm run demo -- stop  stop the worker, the API and the stack this started
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=var/run; LOGS=var/log
mkdir -p "$RUN" "$LOGS"

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
stop_one() {
  if alive "$1"; then
    local pid; pid="$(cat "$RUN/$1.pid")"
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    echo "[demo] stopped $1"
  fi
  rm -f "$RUN/$1.pid"
}

if [ "${1:-}" = "stop" ]; then
  stop_one api; stop_one worker; ./temporal-dev.sh stop; exit 0
fi

bash scripts/setup-os.sh
[ -d node_modules ] || npm_config_build_from_source=true npm ci --no-audit --no-fund
./temporal-dev.sh start

start_bg() {
  local name="$1"; shift
  if alive "$name"; then echo "[demo] $name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  nohup "$@" >"$LOGS/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
  echo "[demo] started $name (log: $LOGS/$name.log)"
}
start_bg worker node --import tsx workers/main.ts
start_bg api node --import tsx api/main.ts

API_URL="${PUBLIC_API_URL:-http://${API_HOST:-127.0.0.1}:${API_PORT:-3000}}"
for _ in $(seq 1 120); do
  curl -fs "$API_URL/health" >/dev/null 2>&1 && grep -q "^worker:" "$LOGS/worker.log" 2>/dev/null && break
  alive api || { echo "[demo] the API exited; see $LOGS/api.log" >&2; tail -20 "$LOGS/api.log" >&2; exit 1; }
  alive worker || { echo "[demo] the worker exited; see $LOGS/worker.log" >&2; tail -20 "$LOGS/worker.log" >&2; exit 1; }
  sleep 0.5
done
npx tsx scripts/demo.ts
echo "[demo] the worker and the API keep running; stop everything with: npm run demo -- stop"
