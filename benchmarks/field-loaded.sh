#!/usr/bin/env bash
# Item 9 of issue 17: loopwatch/testing on an overloaded machine. Runs the
# find-my-way suite (set up by benchmarks/field-check.mjs under /tmp/field-fmw)
# with --test-concurrency=4 on 2 cores next to 2 CPU hogs, with the default
# (a block counts for its own time) and with LOOPWATCH_WALL_TIME=1 (wall time,
# what loopwatch counted before), and counts the tests loopwatch failed.
#   npm run build && node benchmarks/field-check.mjs 1 find-my-way && bash benchmarks/field-loaded.sh [rounds=2]
set -u
cd /tmp/field-fmw/pkg || exit 1
rounds=${1:-2}
files=$(ls test/*.test.js | grep -v issue-330)
hogs=()
for i in 1 2; do node -e 'for (;;);' & hogs+=($!); done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
count() { grep -c "ERR_LOOPWATCH_BLOCKED" || true; }
for r in $(seq "$rounds"); do
  for mode in default wall; do
    env=(); [ "$mode" = wall ] && env=(LOOPWATCH_WALL_TIME=1)
    out=$(env NODE_OPTIONS= "${env[@]}" timeout 600 node --import loopwatch/testing/node --test --test-concurrency=4 --test-reporter=tap $files 2>&1)
    tests=$(echo "$out" | grep -m1 '^# tests' | cut -d' ' -f3)
    fail=$(echo "$out" | grep -m1 '^# fail' | cut -d' ' -f3)
    echo "round $r, $mode: tests $tests, failed $fail, by loopwatch $(echo "$out" | count)"
    echo "$out" | grep -B2 -A6 "ERR_LOOPWATCH_BLOCKED\|event loop was blocked" | grep -E "not ok|blocked for|on CPU|    at " | head -20
  done
done
