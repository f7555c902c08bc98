#!/bin/bash
# Not run by CI: the like-for-like TLC comparison of docs/BENCHMARKS.md ("stateright against
# TLC on the same state machine"). For one worker / thread, then two: ten runs of the WOR
# mirror on the worm engine, TLC on tla/Wor/bench.cfg (what `worm tlc wor --config bench
# --workers W` runs), ten more runs of the mirror; the mirror's figure is the mean per run.
#
# usage: ci/bench/tlc-vs-worm.sh [WORM_BINARY]   (default target/release/worm; needs
#        `bash ci/install-tlc.sh` first, or WORM_TLA2TOOLS pointing at a tla2tools.jar)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/target/release/worm}")
jar=${WORM_TLA2TOOLS:-$root/target/tlc/tla2tools.jar}
meta=$(mktemp -d)
trap 'rm -rf "$meta"' EXIT
steal() { awk '/^cpu /{print $9}' /proc/stat; }
ours() {
  local s0 t0 t1 s1
  s0=$(steal)
  t0=$(date +%s.%N)
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    "$bin" check wor --mirror --crashes 1 --engine worm --threads "$1" >/dev/null
  done
  t1=$(date +%s.%N)
  s1=$(steal)
  echo "  worm --threads $1: $(awk "BEGIN { printf \"%.3f\", ($t1 - $t0) / 10 }") s per run, stolen $(((s1 - s0) / 100)) s"
}
cd "$root/tla"
for w in 1 2; do
  ours "$w"
  s0=$(steal)
  t0=$(date +%s.%N)
  java -XX:+UseParallelGC -cp "$jar" tlc2.TLC -deadlock -workers "$w" -metadir "$meta/$w" \
    -config Wor/bench.cfg Wor.tla >"$meta/tlc.out" 2>&1
  t1=$(date +%s.%N)
  s1=$(steal)
  echo "TLC -workers $w: $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s, $(grep -o '[0-9]* distinct states found' "$meta/tlc.out" | tail -1), stolen $(((s1 - s0) / 100)) s"
  ours "$w"
done
