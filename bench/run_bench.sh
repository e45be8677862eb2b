#!/usr/bin/env bash
# Benchmark: modelgate vs pandas + scikit-learn on the seed's columns, side by side in one run.
#   bench/run_bench.sh BUILD_DIR [ROWS...]     (default rows: 1000000 10000000)
# Generates the data once per size (bench/gen_data.py, cached in BUILD_DIR/bench-data), then runs
#   gate 3: modelgate gate evaluate --policy config/eval_slices.yaml   vs  baseline_pandas.py evaluate
#   parse:  gate 3 with bench/parse_policy.yaml (CSV parsing only)     vs  baseline_pandas.py parse
#   gate 1: modelgate gate data --policy bench/drift_policy.yaml --baseline B   vs  baseline_pandas.py drift
# and prints wall time, peak memory, their ratios and the CSV MB/s of modelgate. A measurement,
# not a test: nothing here fails on speed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:?usage: run_bench.sh BUILD_DIR [ROWS...]}" && pwd)"
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000000 10000000)
bin="${MODELGATE_BIN:-$build/operator/cmd/modelgate}"
venv="$("$repo/tests/gates/oracle/setup_venv.sh" "$build/oracle-venv")"
data="$build/bench-data"
mkdir -p "$data"

measure() {  # prints "seconds peak_kb"
  /usr/bin/time -f "%e %M" -o "$data/time.txt" "$@" > "$data/out.txt" 2> "$data/err.txt" || {
    code=$?
    if [ $code -ne 1 ]; then cat "$data/err.txt" >&2; exit $code; fi
  }
  cat "$data/time.txt"
}

printf "%-10s %-6s %10s %10s %8s %10s %10s %8s %9s\n" rows gate mg_s pandas_s speedup mg_MB pandas_MB mem_x mg_MB/s
for rows in "${sizes[@]}"; do
  csv="$data/eval_$rows.csv"
  base="$data/base_$rows.csv"
  [ -f "$csv" ] || python3 "$repo/bench/gen_data.py" --rows "$rows" --seed 9 --out "$csv"
  [ -f "$base" ] || python3 "$repo/bench/gen_data.py" --rows "$rows" --seed 1 --out "$base"
  mb=$(awk -v b="$(stat -c %s "$csv")" 'BEGIN{printf "%.1f", b/1e6}')
  read -r mg_s mg_kb < <(measure "$bin" gate evaluate --policy "$repo/config/eval_slices.yaml" --data "$csv")
  read -r pd_s pd_kb < <(measure "$venv/bin/python" "$repo/bench/baseline_pandas.py" evaluate "$csv")
  awk -v r="$rows" -v a="$mg_s" -v b="$pd_s" -v c="$mg_kb" -v d="$pd_kb" -v mb="$mb" 'BEGIN{
    printf "%-10s %-6s %10.2f %10.2f %7.1fx %10.0f %10.0f %7.1fx %9.0f\n", r, "eval", a, b, b/a, c/1024, d/1024, d/c, mb/a}'
  read -r mg_s mg_kb < <(measure "$bin" gate evaluate --policy "$repo/bench/parse_policy.yaml" --data "$csv")
  read -r pd_s pd_kb < <(measure "$venv/bin/python" "$repo/bench/baseline_pandas.py" parse "$csv")
  awk -v r="$rows" -v a="$mg_s" -v b="$pd_s" -v c="$mg_kb" -v d="$pd_kb" -v mb="$mb" 'BEGIN{
    printf "%-10s %-6s %10.2f %10.2f %7.1fx %10.0f %10.0f %7.1fx %9.0f\n", r, "parse", a, b, b/a, c/1024, d/1024, d/c, mb/a}'
  read -r mg_s mg_kb < <(measure "$bin" gate data --policy "$repo/bench/drift_policy.yaml" --data "$csv" --baseline "$base")
  read -r pd_s pd_kb < <(measure "$venv/bin/python" "$repo/bench/baseline_pandas.py" drift "$base" "$csv")
  awk -v r="$rows" -v a="$mg_s" -v b="$pd_s" -v c="$mg_kb" -v d="$pd_kb" -v mb="$mb" 'BEGIN{
    printf "%-10s %-6s %10.2f %10.2f %7.1fx %10.0f %10.0f %7.1fx %9.0f\n", r, "drift", a, b, b/a, c/1024, d/1024, d/c, 2*mb/a}'
done
