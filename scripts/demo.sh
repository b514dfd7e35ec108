#!/usr/bin/env bash
# The main job in one command: sets up what is missing, brings up Temporal, Redis, the
# worker, the API and the demo platform, and runs a demo bulk upload.
#   npm run demo                                  start everything (reusing what runs) and run a demo bulk
#   npm run demo -- --platform youtube            the same against a local YouTube: connect demo-yt
#                                                 in the dashboard, then a bulk publishes to it
#   npm run demo -- --platform tiktok|instagram   the same against a local TikTok (demo-tt) or
#                                                 Instagram (demo-ig)
#   npm run demo -- --platform youtube --connect auto
#                                                 connects the account itself (for scripted runs)
#   npm run demo -- stop                          stop the worker, the API, the local stand-ins
#                                                 and the stack, if this started it
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=var/run; LOGS=var/log
mkdir -p "$RUN" "$LOGS"
API_PLATFORMS=(youtube tiktok instagram)
USAGE="usage: npm run demo [-- --platform demo|youtube|tiktok|instagram] [--connect dashboard|auto]  |  npm run demo -- stop"

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
stop_one() {
  if alive "$1"; then
    local pid; pid="$(cat "$RUN/$1.pid")"
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    echo "[demo] stopped $1"
  fi
  rm -f "$RUN/$1.pid" "$RUN/$1.settings"
}

# Marks a stack this demo brought up: `stop` takes down only that one, never a stack that was
# up before (started by a person, or shared with other runs).
STACK_MARK="$RUN/stack.started"

if [ "${1:-}" = "stop" ]; then
  stop_one api; stop_one worker
  for p in "${API_PLATFORMS[@]}"; do stop_one "$p-stand-in"; done
  if [ -f "$STACK_MARK" ]; then ./temporal-dev.sh stop; rm -f "$STACK_MARK"
  else echo "[demo] leaving Temporal and Redis up: they were up before the demo (./temporal-dev.sh stop stops them)"; fi
  exit 0
fi

PLATFORM=demo; CONNECT=dashboard
while [ $# -gt 0 ]; do
  case "$1" in
    --platform) PLATFORM="${2:-}"; shift 2 || { echo "$USAGE" >&2; exit 2; } ;;
    --platform=*) PLATFORM="${1#*=}"; shift ;;
    --connect) CONNECT="${2:-}"; shift 2 || { echo "$USAGE" >&2; exit 2; } ;;
    --connect=*) CONNECT="${1#*=}"; shift ;;
    *) echo "[demo] unknown argument: $1" >&2; echo "$USAGE" >&2; exit 2 ;;
  esac
done
case "$PLATFORM" in demo|youtube|tiktok|instagram) ;; *) echo "[demo] --platform must be demo, youtube, tiktok or instagram, not \"$PLATFORM\"" >&2; exit 2 ;; esac
case "$CONNECT" in dashboard|auto) ;; *) echo "[demo] --connect must be dashboard or auto, not \"$CONNECT\"" >&2; exit 2 ;; esac

bash scripts/setup-os.sh
[ -d node_modules ] || npm_config_build_from_source=true npm ci --no-audit --no-fund
STACK="$(./temporal-dev.sh status 2>/dev/null || true)"
if ! grep -q '^temporal: up' <<<"$STACK" || ! grep -q '^redis: up' <<<"$STACK"; then : >"$STACK_MARK"; fi
./temporal-dev.sh start

# What a process was started with; a running one is reused only when it matches.
SETTINGS=""
start_bg() {
  local name="$1"; shift
  if alive "$name"; then echo "[demo] $name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  nohup "$@" >"$LOGS/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
  echo "$SETTINGS" >"$RUN/$name.settings"
  echo "[demo] started $name (log: $LOGS/$name.log)"
}

API_URL="${PUBLIC_API_URL:-http://${API_HOST:-127.0.0.1}:${API_PORT:-3000}}"
DEMO_ARGS=(--platform "$PLATFORM" --connect "$CONNECT")
# The local stand-ins of the API platforms, each with a made-up client whose one registered
# redirect URI is this API's callback, as the provider's app would have. The worker and the
# API are pointed at all three, so another --platform does not restart them.
YT_URL="http://127.0.0.1:${YOUTUBE_STAND_IN_PORT:-3200}"
TT_URL="http://127.0.0.1:${TIKTOK_STAND_IN_PORT:-3300}"
IG_URL="http://127.0.0.1:${INSTAGRAM_STAND_IN_PORT:-3400}"
# One row per stand-in: its port and its command line (the client it knows, as registered).
stand_in_command() {
  case "$1" in
    youtube) STAND_IN=(stand-ins/youtube/main.ts --port "${YT_URL##*:}" --client-id "$YOUTUBE_CLIENT_ID"
      --client-secret "$YOUTUBE_CLIENT_SECRET" --insert-cost "$YOUTUBE_UPLOAD_COST") ;;
    tiktok) STAND_IN=(stand-ins/tiktok/main.ts --port "${TT_URL##*:}" --client-key "$TIKTOK_CLIENT_KEY"
      --client-secret "$TIKTOK_CLIENT_SECRET") ;;
    instagram) STAND_IN=(stand-ins/instagram/main.ts --port "${IG_URL##*:}" --app-id "$INSTAGRAM_APP_ID"
      --app-secret "$INSTAGRAM_APP_SECRET") ;;
  esac
  STAND_IN+=(--redirect-uri "$API_URL/oauth/callback/$1")
}

if [ "$PLATFORM" != demo ]; then
  export YOUTUBE_CLIENT_ID=clipfleet-demo.apps.googleusercontent.com YOUTUBE_CLIENT_SECRET=GOCSPX-clipfleet-demo-secret
  export YOUTUBE_AUTH_URL="$YT_URL/o/oauth2/v2/auth" YOUTUBE_TOKEN_URL="$YT_URL/token" YOUTUBE_API_ROOT_URL="$YT_URL/"
  # Google's reading of a separate bucket of 100 uploads a day (one unit each): with 1,600 of
  # 10,000 units, a fourth demo run on one day would wait for the quota until midnight Pacific.
  export YOUTUBE_QUOTA_BUDGET="${YOUTUBE_QUOTA_BUDGET:-100}" YOUTUBE_UPLOAD_COST="${YOUTUBE_UPLOAD_COST:-1}"
  export TIKTOK_CLIENT_KEY=clipfleetdemo TIKTOK_CLIENT_SECRET=clipfleet-demo-tiktok-secret
  export TIKTOK_AUTH_URL="$TT_URL/v2/auth/authorize/" TIKTOK_TOKEN_URL="$TT_URL/v2/oauth/token/" TIKTOK_API_ROOT_URL="$TT_URL/"
  export INSTAGRAM_APP_ID=100000000000777 INSTAGRAM_APP_SECRET=clipfleet-demo-instagram-secret
  export INSTAGRAM_AUTH_URL="$IG_URL/v21.0/dialog/oauth" INSTAGRAM_GRAPH_ROOT_URL="$IG_URL/" INSTAGRAM_UPLOAD_ROOT_URL="$IG_URL/"
  SETTINGS="stand-ins $YT_URL $TT_URL $IG_URL $API_URL $YOUTUBE_QUOTA_BUDGET $YOUTUBE_UPLOAD_COST"
  # A process reads its settings when it starts: one started with other settings restarts.
  for name in "$PLATFORM-stand-in" api worker; do
    if alive "$name" && [ "$(cat "$RUN/$name.settings" 2>/dev/null)" != "$SETTINGS" ]; then
      echo "[demo] restarting $name with the local stand-ins' settings"
      stop_one "$name"
    fi
  done
  # A stand-in keeps its tokens in memory: a new one has never heard of the account's.
  alive "$PLATFORM-stand-in" || DEMO_ARGS+=(--reconnect)
  stand_in_command "$PLATFORM"
  start_bg "$PLATFORM-stand-in" node --import tsx "${STAND_IN[@]}"
  for _ in $(seq 1 60); do
    grep -q "listening on" "$LOGS/$PLATFORM-stand-in.log" 2>/dev/null && break
    alive "$PLATFORM-stand-in" || { echo "[demo] the local $PLATFORM exited; see $LOGS/$PLATFORM-stand-in.log" >&2; tail -20 "$LOGS/$PLATFORM-stand-in.log" >&2; exit 1; }
    sleep 0.5
  done
fi
# Migrated once, first: the worker and the API would otherwise race to migrate a fresh
# SQLite file, and one of them would fail with SQLITE_BUSY.
node --import tsx database/migrate.ts || { echo "[demo] migrating the database failed (above)" >&2; exit 1; }
start_bg worker node --import tsx workers/main.ts
start_bg api node --import tsx api/main.ts

for _ in $(seq 1 120); do
  curl -fs "$API_URL/health" >/dev/null 2>&1 && grep -q "^worker:" "$LOGS/worker.log" 2>/dev/null && break
  alive api || { echo "[demo] the API exited; see $LOGS/api.log" >&2; tail -20 "$LOGS/api.log" >&2; exit 1; }
  alive worker || { echo "[demo] the worker exited; see $LOGS/worker.log" >&2; tail -20 "$LOGS/worker.log" >&2; exit 1; }
  sleep 0.5
done
npx tsx scripts/demo.ts "${DEMO_ARGS[@]}"
echo "[demo] the worker and the API keep running; stop everything with: npm run demo -- stop"
