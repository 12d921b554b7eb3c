#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for the SLURM runner's tests.
# Everything lives under DIR (its own munge key and socket, slurm.conf, state
# and logs), so it touches nothing in /etc and nothing of another cluster.
#
#   slurm-cluster.sh start DIR   starts munged, slurmctld and slurmd; returns
#                                once the node takes jobs. Prints the
#                                SLURM_CONF path clients must export.
#   slurm-cluster.sh stop DIR    cancels every job and stops the daemons.
#
# Needs root and Debian's slurm-wlm and munge (.ci/install-deps installs them).
set -euo pipefail

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "slurm-cluster: needs root (munged and slurmd run as root)" >&2; exit 3; }
for b in munged slurmctld slurmd sbatch squeue scontrol; do
  command -v "$b" >/dev/null || { echo "slurm-cluster: '$b' not found; install slurm-wlm and munge (.ci/install-deps)" >&2; exit 3; }
done
export SLURM_CONF="$dir/slurm.conf"

stop_pidfile() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "$cmd" in
start)
  mkdir -p "$dir"/{munge,state,spool,log}
  chmod 700 "$dir/munge"
  [ -f "$dir/munge/munge.key" ] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)
  # Ports derived from the directory so two clusters of two test runs differ.
  base=$(( 20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 20000 ))
  cat > "$dir/slurm.conf" <<CONF
ClusterName=dfmtest
SlurmctldHost=$host
SlurmctldPort=$base
SlurmdPort=$((base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=30
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=dfm Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
CONF
  munged --force --socket="$dir/munge/munge.sock" --key-file="$dir/munge/munge.key" \
         --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
         --seed-file="$dir/munge/munge.seed"
  slurmctld -i
  slurmd
  # Ready once the node is idle (or mixed) in its partition.
  for _ in $(seq 300); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
    case "$state" in idle*|mixed*|allocated*) echo "$SLURM_CONF"; exit 0 ;; esac
    sleep 0.1
  done
  echo "slurm-cluster: the node did not become idle within 30 s (state '${state:-none}'); see $dir/log" >&2
  exit 1
  ;;
stop)
  if [ -f "$SLURM_CONF" ]; then
    scancel --full --quiet --partition=dfm 2>/dev/null || true
    for _ in $(seq 100); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munge/munged.pid"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
