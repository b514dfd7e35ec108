#!/usr/bin/env bash
# Runs every *.test.ts (unit tests beside their modules, integration and end-to-end tests
# under test/) with Node's test runner, against the real services: it starts the local
# stack (Temporal dev server, Redis) first when they are not already up.
# Usage: npm test [-- file.test.ts ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-os.sh >/dev/null
[ -d node_modules ] || npm_config_build_from_source=true npm ci --no-audit --no-fund
./temporal-dev.sh start >/dev/null
export CLIPFLEET_TEMPORAL_CLI="$(./temporal-dev.sh path)"
if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find . -name '*.test.ts' -not -path './node_modules/*' -not -path './.temporal/*' | sort)
fi
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
