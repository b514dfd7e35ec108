#!/usr/bin/env bash
# Runs every *.test.ts (unit tests beside their modules, integration and end-to-end tests
# under test/) with Node's test runner, against the real services: it starts the local
# stack (Temporal dev server, Redis) first when they are not already up.
#
# It leaves nothing of its own behind, whether the tests pass, fail or are interrupted
# (Ctrl-C): it stops the stack if it started it (one that was up before, or that another
# run still uses, stays up), stops any process a test left running, and removes its temp
# files (the tests' folders, Chromium's profiles), which all go under a TMPDIR of its own.
# Usage: npm test [-- file.test.ts ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-os.sh >/dev/null
[ -d node_modules ] || npm_config_build_from_source=true npm ci --no-audit --no-fund

run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/clipfleet-test.XXXXXX")"
group=""

# The live (not zombie) processes of the test run's group: the runner, its file processes,
# and whatever they spawned.
group_members() { ps -e -o pid=,pgid=,stat=,args= | awk -v g="$group" '$2 == g && $3 !~ /^Z/'; }

# Stops the test run's group. After a run that ended by itself, what is still there a moment
# later was left running by a test: say so, then stop it.
stop_group() {
  if [ "$1" = leftovers ]; then
    for _ in $(seq 1 10); do [ -z "$(group_members)" ] && return 0; sleep 0.2; done
    printf '[test] stopping processes the tests left running:\n%s\n' "$(group_members)" >&2
  fi
  kill -TERM -- "-$group" 2>/dev/null || true
  for _ in $(seq 1 40); do [ -z "$(group_members)" ] && return 0; sleep 0.25; done
  kill -KILL -- "-$group" 2>/dev/null || true
}

finish() {
  local status=$?
  # Ignore a second Ctrl-C (npm forwards one too), so the clean-up itself is not cut short.
  trap '' INT TERM
  trap - EXIT
  if [ -n "$group" ]; then stop_group "$([ "$status" -ge 128 ] && echo interrupted || echo leftovers)"; fi
  ./temporal-dev.sh stop --for $$ || true
  rm -rf "$run_tmp"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

./temporal-dev.sh start --for $$ >/dev/null
CLIPFLEET_TEMPORAL_CLI="$(./temporal-dev.sh path)"
export CLIPFLEET_TEMPORAL_CLI
if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find . -name '*.test.ts' -not -path './node_modules/*' -not -path './.temporal/*' -not -path './.cache/*' | sort)
fi
export TMPDIR="$run_tmp"
# A session of its own (setsid) makes the run one process group that finish() can stop
# whole; running it in the background lets a signal reach the traps at once.
setsid node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" &
group=$!
wait "$group"
