#!/usr/bin/env bash
# The main job in one command: sets up what is missing, brings up Temporal, Redis, the
# worker, the API and the demo platform, and runs a demo bulk upload.
#   npm run demo                                  start everything (reusing what runs) and run a demo bulk
#   npm run demo -- --platform youtube            the same against a local YouTube: connect demo-yt
#                                                 in the dashboard, then a bulk publishes to it
#   npm run demo -- --platform youtube --connect auto
#                                                 connects demo-yt itself (for scripted runs)
#   npm run demo -- stop                          stop the worker, the API, the local YouTube and
#                                                 the stack this started
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=var/run; LOGS=var/log
mkdir -p "$RUN" "$LOGS"
USAGE="usage: npm run demo [-- --platform demo|youtube] [--connect dashboard|auto]  |  npm run demo -- stop"

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

if [ "${1:-}" = "stop" ]; then
  stop_one api; stop_one worker; stop_one youtube-stand-in; ./temporal-dev.sh stop; exit 0
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
case "$PLATFORM" in demo|youtube) ;; *) echo "[demo] --platform must be demo or youtube, not \"$PLATFORM\"" >&2; exit 2 ;; esac
case "$CONNECT" in dashboard|auto) ;; *) echo "[demo] --connect must be dashboard or auto, not \"$CONNECT\"" >&2; exit 2 ;; esac

bash scripts/setup-os.sh
[ -d node_modules ] || npm_config_build_from_source=true npm ci --no-audit --no-fund
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
if [ "$PLATFORM" = youtube ]; then
  # The local YouTube (stand-ins/youtube) with an OAuth client of its own, whose one
  # registered redirect URI is this API's callback, as a Google project's client would have.
  YT_PORT="${YOUTUBE_STAND_IN_PORT:-3200}"
  YT_URL="http://127.0.0.1:$YT_PORT"
  export YOUTUBE_CLIENT_ID=clipfleet-demo.apps.googleusercontent.com
  export YOUTUBE_CLIENT_SECRET=GOCSPX-clipfleet-demo-secret
  export YOUTUBE_AUTH_URL="$YT_URL/o/oauth2/v2/auth" YOUTUBE_TOKEN_URL="$YT_URL/token" YOUTUBE_API_ROOT_URL="$YT_URL/"
  # Google's reading of a separate bucket of 100 uploads a day (one unit each): with 1,600 of
  # 10,000 units, a fourth demo run on one day would wait for the quota until midnight Pacific.
  export YOUTUBE_QUOTA_BUDGET="${YOUTUBE_QUOTA_BUDGET:-100}" YOUTUBE_UPLOAD_COST="${YOUTUBE_UPLOAD_COST:-1}"
  SETTINGS="youtube $YT_URL $API_URL $YOUTUBE_QUOTA_BUDGET $YOUTUBE_UPLOAD_COST"
  # A process reads its settings when it starts: one started with other settings restarts.
  for name in youtube-stand-in api worker; do
    if alive "$name" && [ "$(cat "$RUN/$name.settings" 2>/dev/null)" != "$SETTINGS" ]; then
      echo "[demo] restarting $name with the local YouTube's settings"
      stop_one "$name"
    fi
  done
  # The stand-in keeps its tokens in memory: a new one has never heard of demo-yt's.
  alive youtube-stand-in || DEMO_ARGS+=(--reconnect)
  start_bg youtube-stand-in node --import tsx stand-ins/youtube/main.ts --port "$YT_PORT" \
    --client-id "$YOUTUBE_CLIENT_ID" --client-secret "$YOUTUBE_CLIENT_SECRET" \
    --redirect-uri "$API_URL/oauth/callback/youtube" --insert-cost "$YOUTUBE_UPLOAD_COST"
  for _ in $(seq 1 60); do
    grep -q "listening on" "$LOGS/youtube-stand-in.log" 2>/dev/null && break
    alive youtube-stand-in || { echo "[demo] the local YouTube exited; see $LOGS/youtube-stand-in.log" >&2; tail -20 "$LOGS/youtube-stand-in.log" >&2; exit 1; }
    sleep 0.5
  done
fi
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
