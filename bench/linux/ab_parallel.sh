#!/bin/bash
# A/B of two bt86 builds on the guest workloads, run at the same time: each round boots build A
# on one host core and build B on the other (taskset), swapping the cores every round, so both
# see the same host weather; this host's run-to-run spread (fork-exec 0.8-2.1 s for one binary
# within an hour) is larger than most single changes. Prints per round and workload A's and B's
# seconds (best of --runs) and A/B, then the geometric mean of A/B per workload (< 1: A faster).
#
# usage: bench/linux/ab_parallel.sh WORKLOADS ROUNDS BT86_A BT86_B     (RUNS=5 by default)
#   e.g. bench/linux/ab_parallel.sh awk-int,sort,fork-exec 4 build/bt86 /tmp/bt86-before
set -euo pipefail
if [ $# -ne 4 ]; then sed -n '2,10p' "$0" >&2; exit 2; fi
workloads=$1 rounds=$2 a=$3 b=$4
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/bt86-ab.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
run() {  # core, bt86, output file: "workload seconds" lines
  taskset -c "$1" python3 "$here/workloads.py" --runs "${RUNS:-5}" --no-qemu --no-native --no-check \
    --only "$workloads" --bt86 "$2" --out-dir "$tmp/out-$1" 2>&1 |
    awk -F'|' '/^\| [a-z]/ && !/workload|round trip/ {gsub(/ /, "", $2); gsub(/ /, "", $3); print $2, $3}' > "$3"
}
for r in $(seq "$rounds"); do
  if (( r % 2 )); then ca=0 cb=1; else ca=1 cb=0; fi
  run $ca "$a" "$tmp/a" & run $cb "$b" "$tmp/b"; wait
  join <(sort "$tmp/a") <(sort "$tmp/b") | awk -v r="$r" '{printf "round %d %-10s A %s B %s A/B %.3f\n", r, $1, $2, $3, $2 / $3}' |
    tee -a "$tmp/all"
done
awk '{s[$3] += log($NF); n[$3]++} END {for (w in s) printf "%-10s geometric mean A/B %.3f (%d rounds)\n", w, exp(s[w] / n[w]), n[w]}' "$tmp/all"
