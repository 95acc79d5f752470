#!/usr/bin/env bash
# Item 9 of issue 17: loopwatch/testing on an overloaded machine. Runs the
# find-my-way suite (set up by benchmarks/field-check.mjs under /tmp/field-fmw,
# or any copy given as DIR with node_modules/loopwatch linked to this repo)
# quiet, and loaded: --test-concurrency=4 on 2 cores next to 2 CPU hogs. Each
# condition plainly, with the default (a block counts for its own time) and
# with LOOPWATCH_WALL_TIME=1 (wall time, what loopwatch counted before).
# Prints, per run, the tests failed and those loopwatch failed, with the
# failure's headline, split line and top frames. Bounded: each run has a
# 600 s timeout, the hogs one of 1800 s (and die with this script).
#   npm run build && bash benchmarks/field-loaded.sh [rounds=2] [DIR=/tmp/field-fmw/pkg]
set -u
rounds=${1:-2}
dir=${2:-/tmp/field-fmw/pkg}
cd "$dir" || exit 1
files=$(ls test/*.test.js | grep -v issue-330)
echo "Node $(node --version), $(nproc) cores, $(echo $files | wc -w) files, $rounds rounds, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
hogs=()
start_hogs() { for i in 1 2; do timeout 1800 node -e 'for (;;);' & hogs+=($!); done; }
stop_hogs() { [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null; wait "${hogs[@]}" 2>/dev/null; hogs=(); }
trap stop_hogs EXIT
one() { # condition mode
  local cond=$1 mode=$2 args=() env=()
  [ "$mode" != plain ] && args=(--import loopwatch/testing/node)
  [ "$mode" = wall ] && env=(LOOPWATCH_WALL_TIME=1)
  [ "$cond" = loaded ] && args+=(--test-concurrency=4)
  local started=$(date +%s%N)
  out=$(env NODE_OPTIONS= "${env[@]}" timeout 600 node "${args[@]}" --test --test-reporter=tap $files 2>&1)
  local ms=$(( ($(date +%s%N) - started) / 1000000 ))
  tests=$(echo "$out" | grep -m1 '^# tests' | cut -d' ' -f3)
  fail=$(echo "$out" | grep -m1 '^# fail' | cut -d' ' -f3)
  by=$(echo "$out" | grep -c "ERR_LOOPWATCH_BLOCKED" || true)
  echo "$cond, $mode: $ms ms, tests $tests, failed $fail, by loopwatch $by, load average $(cut -d' ' -f1 /proc/loadavg)"
  echo "$out" | grep -E "^\s*not ok|blocked for|on CPU|^\s+at " | grep -B1 -A5 "blocked for" | grep -v '^--' | sed 's/^/    /' | head -40
}
for r in $(seq "$rounds"); do
  echo "round $r"
  for mode in plain default; do one quiet "$mode"; done
  start_hogs
  sleep 2
  for mode in plain default wall; do one loaded "$mode"; done
  stop_hogs
done
