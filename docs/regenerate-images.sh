#!/usr/bin/env bash
# Regenerates docs/images/ from README's examples. Run from the repository root after
# `dotnet build src/FluidSim.Cli -c Release`; it needs ../shared/ beside the repository (the Azure trace).
# Sweeps and runs go to a temporary folder; only the PNGs are kept.
set -euo pipefail
fluidsim() { dotnet src/FluidSim.Cli/bin/Release/net10.0/fluidsim.dll "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=docs/images
mkdir -p "$out"

# The single-run workflow: 2,000 normal requests, the default config; then the same requests under recompute.
fluidsim generate --scenario normal --num-requests 2000 --seed 7 -o "$work/requests.csv"
fluidsim simulate --requests "$work/requests.csv" --set experiment.verbose=false --out "$work/run" --plot
cp "$work/run/system_dynamics.png" "$out/system_dynamics.png"
cp "$work/run/request_timeline.png" "$out/request_timeline.png"
fluidsim simulate --requests "$work/requests.csv" --set experiment.verbose=false --set M_total=5000 \
    --set control.mode=recompute --out "$work/recompute" --plot
cp "$work/recompute/request_timeline.png" "$out/request_timeline_recompute.png"

# Sweep reports. `scenarios` stalls (FIFO under recompute): run exits 3 there, by design.
status=0
for sweep in quickstart scenarios parameter-scan azure-conv-7b; do
    fluidsim sweep run "sweeps/$sweep.yaml" --results "$work/results" > "$work/$sweep.log" || status=$?
    if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then cat "$work/$sweep.log"; exit "$status"; fi
    status=0
done
fluidsim sweep report quickstart --results "$work/results"
cp "$work/results/quickstart/report/lines_total_delay_p95_vs_M_total.png" "$out/quickstart-lines-M_total.png"
fluidsim sweep report scenarios --results "$work/results"
cp "$work/results/scenarios/report/lines_total_delay_p95_vs_M_total.png" "$out/scenarios-lines-M_total.png"
fluidsim sweep report parameter-scan --results "$work/results"
cp "$work/results/parameter-scan/report/heatmap_total_delay_p95_LIFO.png" "$out/parameter-scan-heatmap-LIFO.png"
fluidsim sweep report azure-conv-7b --axis rate_scale --results "$work/results"
cp "$work/results/azure-conv-7b/report/lines_total_delay_p95_vs_rate_scale.png" "$out/azure-conv-7b-lines-rate_scale.png"

# Threshold searches (issue 11): searched against the fluid model.
for sweep in threshold-must-show threshold-grid; do
    fluidsim sweep run "sweeps/$sweep.yaml" --results "$work/results" > "$work/$sweep.log" || { cat "$work/$sweep.log"; exit 1; }
    fluidsim sweep report "$sweep" --results "$work/results"
    cp "$work/results/$sweep/report/thresholds.png" "$out/$sweep.png"
done

# Trace statistics of the Azure 2023 conversation trace.
fluidsim trace stats ../shared/data/traces/azure-llm-2023-conv.csv -o "$out/azure-conv-trace-stats.png"
ls -l "$out"
