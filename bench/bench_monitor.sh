#!/usr/bin/env bash
# CPU of the terminal monitor (`dfm daemon --monitor`, in a private tmux
# server's 120x40 pane), utime+stime from /proc/PID/stat, % of one core:
#   1. while a real daemon runs N trivial tasks (`true`) as fast as it can,
#      with the daemon's own CPU over the same interval as the baseline;
#   2. then idle for 10 s;
#   3. while a stand-in daemon (build/bench/bench_tui --serve) sends the
#      events of RATE tasks a second for S seconds: the rate a real daemon
#      reaches only on a machine with cores to spare.
#
#   bench/bench_monitor.sh [N=3000] [P=8] [RATE=1000] [S=20]   (after a build into ./build)
set -euo pipefail
n=${1:-3000}
p=${2:-8}
rate=${3:-1000}
secs=${4:-20}
idle_s=10
dfm=$(cd "$(dirname "$0")/.." && pwd)/build/cli/dfm
standin=$(cd "$(dirname "$0")/.." && pwd)/build/bench/bench_tui
command -v tmux >/dev/null || { echo "bench_monitor: needs tmux" >&2; exit 1; }
work=$(mktemp -d /tmp/dfm-bench-mon.XXXXXX)
tmux_() { tmux -u -S "$work/tmux.sock" "$@"; }
trap 'tmux_ kill-server 2>/dev/null || true; "$dfm" daemon stop --root "$work/proj" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

mkdir -p "$work/proj"
for i in $(seq 1 "$n"); do echo "true"; done > "$work/list.txt"
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime, in clock ticks
ms() { date +%s%3N; }

"$dfm" daemon start --root "$work/proj" --pool-size "$p" >/dev/null
"$dfm" run --root "$work/proj" --tasks-from "$work/list.txt" -j "$p" --rundir "$work/warm" >/dev/null 2>&1 || true  # warms the pool
daemon_pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$work/proj/.dfm/daemon.json" | head -1)

printf 'set -g status off\n' > "$work/tmux.conf"
tmux_ -f "$work/tmux.conf" new-session -d -s mon -x 120 -y 40 "LC_ALL=C.UTF-8 exec '$dfm' daemon --monitor --root '$work/proj'"
mon_pid=$(tmux_ display-message -p -t mon '#{pane_pid}')
for _ in $(seq 1 300); do tmux_ capture-pane -p -t mon | grep -q 'Running (' && break; sleep 0.1; done

m0=$(ticks "$mon_pid"); d0=$(ticks "$daemon_pid"); t0=$(ms)
"$dfm" run --root "$work/proj" --tasks-from "$work/list.txt" -j $((p * 4)) --rundir "$work/r" >/dev/null 2>&1
t1=$(ms); m1=$(ticks "$mon_pid"); d1=$(ticks "$daemon_pid")
sleep 1 # one more redraw: the monitor has caught up with the last events
tmux_ capture-pane -p -t mon > "$work/screen.txt"
i0=$(ticks "$mon_pid"); sleep "$idle_s"; i1=$(ticks "$mon_pid")

awk -v n="$n" -v p="$p" -v wall="$((t1 - t0))" -v hz="$hz" -v m="$((m1 - m0))" -v d="$((d1 - d0))" \
    -v idle="$((i1 - i0))" -v idle_s="$idle_s" 'BEGIN {
  s = wall / 1000
  printf "bench_monitor: %d trivial tasks through a daemon with %d workers, the monitor attached\n", n, p
  printf "  run: %.2f s, %.0f tasks/s (each task is 3 monitor events: queued, dispatched, completed, plus worker states)\n", s, n / s
  printf "  daemon CPU (baseline)    : %6.2f s  %5.1f%% of a core\n", d / hz, 100 * d / hz / s
  printf "  monitor CPU              : %6.2f s  %5.1f%% of a core  (%.2fx the daemon)\n", m / hz, 100 * m / hz / s, (d > 0 ? m / d : 0)
  printf "  monitor CPU, idle %2d s   : %6.2f s  %5.1f%% of a core\n", idle_s, idle / hz, 100 * idle / hz / idle_s
}'
grep -E '^ Tasks ' "$work/screen.txt" | sed 's/^/  monitor screen after the run:/'

# 3. The stand-in daemon at RATE tasks/s; it starts sending once the monitor subscribes.
mkdir -p "$work/fake"
"$standin" --serve "$work/fake" "$rate" "$secs" & fake_pid=$!
for _ in $(seq 1 100); do [ -e "$work/fake/.dfm/daemon.json" ] && break; sleep 0.1; done
tmux_ new-window -d -t mon: -n fake "LC_ALL=C.UTF-8 exec '$dfm' daemon --monitor --root '$work/fake'"
fmon_pid=$(tmux_ display-message -p -t mon:fake '#{pane_pid}')
for _ in $(seq 1 300); do tmux_ capture-pane -p -t mon:fake | grep -q 'Running (' && break; sleep 0.1; done
m0=$(ticks "$fmon_pid"); f0=$(ticks "$fake_pid"); t0=$(ms)
mid=$(( secs / 2 )); sleep "$mid"; tmux_ capture-pane -p -t mon:fake > "$work/fake-screen.txt"
m1=$(ticks "$fmon_pid"); f1=$(ticks "$fake_pid"); t1=$(ms)
wait "$fake_pid" || true
awk -v rate="$rate" -v wall="$((t1 - t0))" -v hz="$hz" -v m="$((m1 - m0))" -v f="$((f1 - f0))" 'BEGIN {
  s = wall / 1000
  printf "  stand-in daemon at %d tasks/s (%d events/s), %.1f s measured mid-stream:\n", rate, rate * 5, s
  printf "  stand-in daemon CPU      : %6.2f s  %5.1f%% of a core\n", f / hz, 100 * f / hz / s
  printf "  monitor CPU              : %6.2f s  %5.1f%% of a core\n", m / hz, 100 * m / hz / s
}'
grep -E '^ Tasks ' "$work/fake-screen.txt" | sed 's/^/  monitor screen mid-stream:/'
