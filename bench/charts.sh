#!/usr/bin/env bash
# Draws each benchmark table DIR/*.tsv as DIR/*.svg: throughput and latency
# per target, one chart per part (the table format is in loadtest/src/bench.rs);
# a table with a line `# chart: none` is skipped.
# bench/run.sh runs it on its results; it also redraws committed tables:
#
#   bench/charts.sh bench/charts/2026-11-27-third-session
#
# BENCH_CHART names the bench-chart binary to use; without it, a debug one
# is built (cargo build -p loadtest --bin bench-chart).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:?usage: bench/charts.sh DIR}"
[[ -d "$dir" ]] || { echo "charts: no folder $dir" >&2; exit 1; }

chart="${BENCH_CHART:-}"
if [[ -z "$chart" ]]; then
  (cd "$ROOT" && cargo build -q -p loadtest --bin bench-chart)
  chart="${CARGO_TARGET_DIR:-$ROOT/target}/debug/bench-chart"
fi

shopt -s nullglob
tables=("$dir"/*.tsv)
((${#tables[@]} > 0)) || { echo "charts: no .tsv table in $dir" >&2; exit 1; }
for table in "${tables[@]}"; do
  # A table that is not throughput and latency per target (the soak's
  # memory over time) says so, and is left as a table.
  grep -q '^# chart: none' "$table" && continue
  "$chart" "$table" "${table%.tsv}.svg"
  echo "${table%.tsv}.svg"
done
