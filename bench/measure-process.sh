#!/usr/bin/env bash
# Whole-process figures of `fluidsim simulate --summary-only` (issue 13), measured with GNU time (/usr/bin/time -v):
# wall time and peak resident memory of one cold process, on the 1,000,000-request `normal` file (arrival rate 0.5,
# seed 1) and on a 1-request file, default settings (progress on, to a file), the builds taking turns, ROUNDS rounds.
#
# Usage: bench/measure-process.sh NEW_DIR [OLD_DIR] [ROUNDS]
#   NEW_DIR, OLD_DIR  folders made by `dotnet publish src/FluidSim.Cli -c Release -o DIR`, of this tree and (for the
#                     "before" column) of an older commit, e.g.
#                     git worktree add /tmp/old 6976541 && (cd /tmp/old && dotnet publish src/FluidSim.Cli -c Release -o /tmp/fluidsim-old)
# Prints one line per run, then min / median / max per build and file. The machine may be shared: say so with the figures.
set -euo pipefail
new=${1:?usage: $0 NEW_DIR [OLD_DIR] [ROUNDS]}
old=${2:-}
rounds=${3:-5}
command -v /usr/bin/time >/dev/null || { echo "GNU time is missing: apt-get install time" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No config/config.yaml in the working folder: the built-in defaults of simulator.md (verbose, progress_interval 100).
cd "$work"
"$new/fluidsim" generate --scenario normal --num-requests 1000000 --arrival-rate 0.5 --seed 1 -o normal-1m.csv >/dev/null
"$new/fluidsim" generate --scenario normal --num-requests 1 --seed 1 -o one.csv >/dev/null

builds=(new)
[ -n "$old" ] && builds=(old new)
results=$work/results
printf '%-4s %-14s %9s %9s %s\n' build file wall_s rss_mb stderr_lines
for round in $(seq 1 "$rounds"); do
  for build in "${builds[@]}"; do
    dir=$new
    [ "$build" = old ] && dir=$old
    for file in normal-1m.csv one.csv; do
      /usr/bin/time -v -o time.txt "$dir/fluidsim" simulate --requests "$file" --summary-only --out out >/dev/null 2>stderr.txt
      wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' time.txt)
      rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' time.txt)
      lines=$(wc -l < stderr.txt)
      rm -rf out
      printf '%-4s %-14s %9s %9s %s\n' "$build" "$file" "$wall" "$rss" "$lines" | tee -a "$results"
    done
  done
done

echo
echo "build file           runs  wall min / median / max (s)   peak RSS min / max (MB)"
for build in "${builds[@]}"; do
  for file in normal-1m.csv one.csv; do
    awk -v b="$build" -v f="$file" '$1 == b && $2 == f { w[++n] = $3; r[n] = $4 }
      END {
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) { if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t } if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t } }
        med = (n % 2) ? w[(n + 1) / 2] : (w[n / 2] + w[n / 2 + 1]) / 2
        printf "%-5s %-14s %4d  %.2f / %.2f / %.2f            %d / %d\n", b, f, n, w[1], med, w[n], r[1], r[n]
      }' "$results"
  done
done
