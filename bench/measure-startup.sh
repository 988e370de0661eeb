#!/usr/bin/env bash
# Start-up of an installed `fluidsim` (issue 12): wall time of --help, --version, simulate on a 1-request file,
# experiments list and query "SELECT 1", ROUNDS runs each (default 10), median / min / max in milliseconds, measured with
# `date +%s%N` around each process (hyperfine is not needed). Run from anywhere: it works in a temporary folder.
#
# Usage: bench/measure-startup.sh [FLUIDSIM] [ROUNDS]     FLUIDSIM defaults to the `fluidsim` on PATH
# The machine may be shared: print the load average with the figures (the script does).
set -euo pipefail
fluidsim=$(command -v "${1:-fluidsim}")
rounds=${2:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$fluidsim" generate --scenario normal --num-requests 1 --seed 1 -o one.csv >/dev/null

measure() {
  local name=$1; shift
  local times=() i start end
  for i in $(seq 1 "$rounds"); do
    rm -rf out
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "measure-startup: '$*' failed" >&2; exit 1; }
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" '{ t[NR] = $1 } END {
    med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "%-28s median %5.0f ms   min %4d   max %4d\n", name, med, t[1], t[NR] }'
}

echo "$fluidsim, $rounds runs each, load average $(cut -d' ' -f1-3 /proc/loadavg)"
measure "--help" "$fluidsim" --help
measure "--version" "$fluidsim" --version
measure "simulate (1 request)" "$fluidsim" simulate --requests one.csv --summary-only --out out
measure "experiments list" "$fluidsim" experiments list --root .
measure "query \"SELECT 1\"" "$fluidsim" query "SELECT 1"
