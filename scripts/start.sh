#!/usr/bin/env bash
# The production start (`npm start`): the worker and the API (with the demo platform unless
# DEMO_PLATFORM_EMBEDDED=false) as two processes in the foreground, configured from the
# environment (see .env.example). It expects Temporal and Redis to be reachable already
# (`./temporal-dev.sh start` on one machine). The database is migrated first, once, so the
# two processes never race to migrate a fresh one. Ctrl-C or SIGTERM stops both; if either
# exits, the other is stopped too and the script exits non-zero, so a supervisor (systemd,
# a container) sees the failure and restarts the pair.
set -euo pipefail
cd "$(dirname "$0")/.."
pids=()
stop() {
  trap - INT TERM
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
node --import tsx database/migrate.ts
node --import tsx workers/main.ts & pids+=($!)
node --import tsx api/main.ts & pids+=($!)
status=0
wait -n || status=$?
echo "[start] a process exited (status $status); stopping the other" >&2
stop
# Neither process ends on its own when all is well: even a clean exit is a failure here.
exit $((status == 0 ? 1 : status))
