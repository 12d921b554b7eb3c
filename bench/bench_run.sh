#!/usr/bin/env bash
# Wall time of `dfm run --tasks-from` for N trivial tasks (`true`), measured in
# one run three ways with the same parallelism P:
#   - through a warm daemon (its workers already started by a first run),
#   - through dfm run's ephemeral pool (workers started and stopped by the run),
#   - xargs -P P running the same commands with bash -c: the baseline.
#
#   bench/bench_run.sh [N=500] [P=4]       (after a build into ./build)
set -euo pipefail
n=${1:-500}
p=${2:-4}
dfm=$(cd "$(dirname "$0")/.." && pwd)/build/cli/dfm
work=$(mktemp -d /tmp/dfm-bench.XXXXXX)
trap '"$dfm" daemon stop --root "$work/daemon" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

mkdir -p "$work/daemon" "$work/ephemeral" "$work/xargs"
for i in $(seq 1 "$n"); do echo "true"; done > "$work/list.txt"

ms() { date +%s%3N; }

"$dfm" daemon start --root "$work/daemon" --pool-size "$p" >/dev/null
"$dfm" run --root "$work/daemon" --tasks-from "$work/list.txt" >/dev/null  # warms the pool
t0=$(ms); "$dfm" run --root "$work/daemon" --tasks-from "$work/list.txt" --rundir "$work/daemon/r2" >/dev/null; t1=$(ms)
daemon=$((t1 - t0))

t0=$(ms); "$dfm" run --root "$work/ephemeral" --tasks-from "$work/list.txt" -j "$p" >/dev/null; t1=$(ms)
ephemeral=$((t1 - t0))

cd "$work/xargs"
t0=$(ms); xargs -P "$p" -I{} bash -c {} < "$work/list.txt"; t1=$(ms)
xargs_ms=$((t1 - t0))

echo "bench_run: $n trivial tasks, $p at a time"
printf '  dfm run through a warm daemon : %6d ms\n' "$daemon"
printf '  dfm run, ephemeral pool       : %6d ms\n' "$ephemeral"
printf '  xargs -P %-2d (baseline)       : %6d ms\n' "$p" "$xargs_ms"
awk -v d="$daemon" -v e="$ephemeral" -v x="$xargs_ms" 'BEGIN {
  printf "  ratio to xargs: warm daemon %.2fx, ephemeral %.2fx\n", d / x, e / x }'
