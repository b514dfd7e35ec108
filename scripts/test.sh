#!/usr/bin/env bash
# Runs every *.test.ts (unit tests beside their modules, integration and end-to-end tests
# under test/) with Node's test runner, against the real services: it starts the local
# stack (Temporal dev server, Redis) first when they are not already up.
#
# The tests spend most of their time waiting (Temporal timers, quota periods, restarts), so
# the files run in CLIPFLEET_TEST_SHARDS shards at once (2 by default): each shard is a
# runner of its own, one file at a time, with a Redis database of its own (15, 14, ..., or
# counting down from the one CLIPFLEET_TEST_REDIS_URL names), since a test stack flushes
# its database when it closes. The files are dealt out longest first, each to the shard
# with the fewest expected seconds so far (scripts/test-durations.txt), so the shards end at
# about the same time. A shard's report is printed whole when it ends (as it comes when
# there is only one shard), and the summary at the end names every file that failed. The
# few files in `exclusive` below run alone, after the shards.
#
# It leaves nothing of its own behind, whether the tests pass, fail or are interrupted
# (Ctrl-C): it stops the stack if it started it (one that was up before, or that another
# run still uses, stays up), stops any process a test left running (each runner is a
# process group of its own, stopped when it ends and on any interruption), and removes its
# temp files (the tests' folders, Chromium's profiles, the shards' reports), which all go
# under a TMPDIR of its own.
#
# Usage: npm test [-- file.test.ts ...]
# With CLIPFLEET_TEST_DURATIONS=scripts/test-durations.txt it also writes this run's
# seconds per file into that table (files it did not run keep theirs).
set -euo pipefail
cd "$(dirname "$0")/.."

# Files that run alone, after the shards, each for a reason of its own.
exclusive=(
  # Starts Temporal dev servers of its own and a nested `npm test`, each within a time
  # limit; their start-up is CPU-bound.
  test/temporal-dev.test.ts
  # A rehearsal clock at 2,880x: each upload must start within a second of its slot, and
  # uploads spaced 2 h of plan time may drift by 250 ms of real time at most.
  test/scheduling/scheduled-bulk.test.ts
  # Restarts a Temporal server under a bulk on a rehearsal clock: its variants must be
  # rendered within 30 s, and each post be late by at most the restart and 15 s.
  test/faults/scheduled-restart.test.ts
)
DURATIONS=scripts/test-durations.txt
# What a file missing from the table counts: about an integration test's.
DEFAULT_SECONDS=10
REPORTER="$PWD/scripts/test-file-report.mjs"

die() { printf '[test] %s\n' "$*" >&2; exit 2; }
# A test file's path as the table, the exclusive list and the reporter spell it: relative
# to the project, or absolute outside it.
rel() {
  local path
  path="$(realpath -ms --relative-to=. "$1")"
  if [[ "$path" == ../* ]]; then realpath -ms "$1"; else printf '%s\n' "$path"; fi
}

if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find . -name '*.test.ts' -not -path './node_modules/*' -not -path './.temporal/*' -not -path './.cache/*' | sort)
fi
declare -A seconds=() is_alone=()
while read -r secs file; do
  if [[ -n "$secs" && "$secs" != \#* ]]; then seconds[$file]=$secs; fi
done <"$DURATIONS"
for file in "${exclusive[@]}"; do is_alone[$file]=1; done
alone=() shared=()
for file in "${files[@]}"; do
  file="$(rel "$file")"
  if [ -n "${is_alone[$file]:-}" ]; then alone+=("$file"); else shared+=("$file"); fi
done

wanted="${CLIPFLEET_TEST_SHARDS:-2}"
[[ "$wanted" =~ ^[1-9][0-9]*$ ]] || die "CLIPFLEET_TEST_SHARDS=$wanted: expected a number of shards, 1 or more"
shards=$((${#shared[@]} < wanted ? ${#shared[@]} : wanted))
redis_url="${CLIPFLEET_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
[[ "$redis_url" =~ ^(rediss?://[^/]*)(/([0-9]+))?$ ]] || die "CLIPFLEET_TEST_REDIS_URL=$redis_url: expected redis://host:port/<database>"
redis_prefix="${BASH_REMATCH[1]}"
redis_db="${BASH_REMATCH[3]:-0}"
[ $((redis_db - shards + 1)) -ge 0 ] || die "$shards shards need Redis databases $redis_db down to $((redis_db - shards + 1)): name a higher one in CLIPFLEET_TEST_REDIS_URL, or set CLIPFLEET_TEST_SHARDS lower"

# The files of each runner (one a line), dealt out longest first, each to the shard with
# the fewest expected seconds so far.
declare -A assigned=() load=()
for ((i = 1; i <= shards; i++)); do load[$i]=0; done
while IFS=$'\t' read -r secs file; do
  best=1
  for ((i = 2; i <= shards; i++)); do
    if [ "${load[$i]}" -lt "${load[$best]}" ]; then best=$i; fi
  done
  load[$best]=$((load[$best] + secs))
  assigned[shard-$best]+="$file"$'\n'
done < <(for file in ${shared[@]+"${shared[@]}"}; do printf '%s\t%s\n' "${seconds[$file]:-$DEFAULT_SECONDS}" "$file"; done | sort -t $'\t' -k1,1nr -k2,2)
for file in ${alone[@]+"${alone[@]}"}; do assigned[alone]+="$file"$'\n'; done

bash scripts/setup-os.sh >/dev/null
[ -d node_modules ] || npm_config_build_from_source=true npm ci --no-audit --no-fund

run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/clipfleet-test.XXXXXX")"
reports="$run_tmp/reports"
mkdir "$reports"
# The runners' process groups not stopped yet; each one's name, description, where its
# report goes, and when it started.
groups=()
declare -A name=() label=() output=() started=()

# The live (not zombie) processes of these groups: the runners, their file processes, and
# whatever those spawned.
group_members() { ps -e -o pid=,pgid=,stat=,args= | awk -v gs=" $* " '$3 !~ /^Z/ && index(gs, " " $2 " ")'; }

# Stops these groups. After a runner that ended by itself, what is still there a moment
# later was left running by a test: say so, then stop it.
stop_groups() {
  local why="$1" group
  shift
  if [ "$why" = leftovers ]; then
    for _ in $(seq 1 10); do [ -z "$(group_members "$@")" ] && return 0; sleep 0.2; done
    printf '[test] stopping processes the tests left running:\n%s\n' "$(group_members "$@")" >&2
  fi
  for group in "$@"; do kill -TERM -- "-$group" 2>/dev/null || true; done
  for _ in $(seq 1 40); do [ -z "$(group_members "$@")" ] && return 0; sleep 0.25; done
  for group in "$@"; do kill -KILL -- "-$group" 2>/dev/null || true; done
}

# shellcheck disable=SC2317 # (run by the EXIT trap)
finish() {
  local status=$? group
  # Ignore a second Ctrl-C (npm forwards one too), so the clean-up itself is not cut short.
  trap '' INT TERM
  trap - EXIT
  if [ ${#groups[@]} -gt 0 ]; then
    stop_groups "$([ "$status" -ge 128 ] && echo interrupted || echo leftovers)" "${groups[@]}"
    # What an interrupted shard had reported so far: where it was, in a CI log too.
    for group in "${groups[@]}"; do
      if [ "${output[$group]}" != - ]; then
        printf '\n[test] ==== %s, interrupted; its report so far:\n' "${label[$group]}"
        cat "${output[$group]}" || true
      fi
    done
  fi
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
export TMPDIR="$run_tmp"

# Starts runner $1 (described as $4) over its files in Redis database $2, its report to $3
# (`-`: straight to this script's output), and sets `runner` to its process group. A
# session of its own (setsid) makes the runner one process group that can be stopped whole;
# running it in the background lets a signal reach the traps at once.
start_runner() {
  local files
  mapfile -t files < <(printf '%s' "${assigned[$1]}")
  local cmd=(setsid node --import tsx --test --test-concurrency=1
    --test-reporter=spec --test-reporter-destination=stdout
    --test-reporter="$REPORTER" --test-reporter-destination="$reports/$1.files" "${files[@]}")
  if [ "$3" = - ]; then
    CLIPFLEET_TEST_REDIS_URL="$redis_prefix/$2" "${cmd[@]}" &
  else
    CLIPFLEET_TEST_REDIS_URL="$redis_prefix/$2" "${cmd[@]}" >"$3" 2>&1 &
  fi
  runner=$!
  groups+=("$runner")
  name[$runner]="$1"
  label[$runner]="$4 (${#files[@]} file$([ ${#files[@]} -eq 1 ] || echo s), Redis database $2)"
  output[$runner]="$3"
  started[$runner]=$SECONDS
}

status=0
summary=()
# After runner $1 ended with status $2: prints its report (if kept), stops what its tests
# left running, and adds its line to the summary, naming the files that failed or never ended.
runner_ended() {
  local group="$1" code="$2" g result file kept=() failed=() unfinished=()
  local -A reported=()
  if [ "${output[$group]}" != - ]; then
    printf '\n[test] ==== %s: its report\n' "${label[$group]}"
    cat "${output[$group]}"
  fi
  stop_groups leftovers "$group"
  # Stopped: forgotten, so that finish() never signals the group id once it is reused.
  for g in "${groups[@]}"; do
    if [ "$g" != "$group" ]; then kept+=("$g"); fi
  done
  groups=(${kept[@]+"${kept[@]}"})
  while IFS=$'\t' read -r _ result file; do
    reported[$file]=1
    if [ "$result" != pass ]; then failed+=("$file"); fi
  done < <(cat "$reports/${name[$group]}.files" 2>/dev/null || true)
  while read -r file; do
    if [ -z "${reported[$file]:-}" ]; then unfinished+=("$file"); fi
  done < <(printf '%s' "${assigned[${name[$group]}]}")
  local line="${label[$group]}: $((SECONDS - started[$group])) s, "
  if [ "$code" -eq 0 ]; then line+="passed"; else
    status=1
    line+="FAILED (exit $code)"
    for file in ${failed[@]+"${failed[@]}"}; do line+=$'\n'"[test]   failed: $file"; done
    for file in ${unfinished[@]+"${unfinished[@]}"}; do line+=$'\n'"[test]   did not finish: $file"; done
  fi
  summary+=("$line")
}

if [ "$shards" -gt 0 ]; then
  for ((i = 1; i <= shards; i++)); do
    start_runner "shard-$i" "$((redis_db - i + 1))" "$([ "$shards" -eq 1 ] && echo - || echo "$reports/shard-$i.out")" "shard $i of $shards"
    printf '[test] %s: about %s s\n' "${label[$runner]}" "${load[$i]}"
  done
  while [ ${#groups[@]} -gt 0 ]; do
    code=0
    wait -n -p ended "${groups[@]}" || code=$?
    runner_ended "$ended" "$code"
  done
fi
if [ ${#alone[@]} -gt 0 ]; then
  printf '\n[test] ==== run alone, after the shards: %s\n' "${alone[*]}"
  start_runner alone "$redis_db" - "run alone"
  code=0
  wait "$runner" || code=$?
  runner_ended "$runner" "$code"
fi

printf '\n[test] ==== summary\n'
printf '[test] %s\n' ${summary[@]+"${summary[@]}"}
printf '[test] %s in %s s\n' "$([ "$status" -eq 0 ] && echo 'all passed' || echo FAILED)" "$SECONDS"

if [ -n "${CLIPFLEET_TEST_DURATIONS:-}" ]; then
  while read -r secs file; do
    seconds[$file]=$secs
  done < <(cat "$reports"/*.files 2>/dev/null | awk -F'\t' '$3 !~ /^\// { printf "%d %s\n", ($1 < 1 ? 1 : $1 + 0.5), $3 }')
  {
    sed -n '/^#/p' "$DURATIONS"
    for file in "${!seconds[@]}"; do
      if [ -f "$file" ]; then printf '%s %s\n' "${seconds[$file]}" "$file"; fi
    done | sort -k1,1nr -k2,2
  } >"$CLIPFLEET_TEST_DURATIONS.new"
  mv "$CLIPFLEET_TEST_DURATIONS.new" "$CLIPFLEET_TEST_DURATIONS"
  echo "[test] wrote this run's seconds per file to $CLIPFLEET_TEST_DURATIONS"
fi
exit "$status"
