#!/bin/bash
# Not run by CI: a helper for docs/BENCHMARKS.md. Runs one command under /usr/bin/time and
# reports how many seconds the hypervisor stole meanwhile (the `steal` field of /proc/stat),
# since this machine is shared and a run that lost time is not comparable.
#
# usage: ci/bench/pair.sh LABEL COMMAND [ARGS...]
set -u
label=$1
shift
steal() { awk '/^cpu /{print $9}' /proc/stat; }
s0=$(steal)
out=$(/usr/bin/time -f "%e s wall %U user %M KB" "$@" 2>&1 | tail -2 | tr '\n' ' ')
s1=$(steal)
echo "$label: $out stolen $(((s1 - s0) / 100)) s"
