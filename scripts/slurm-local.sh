#!/usr/bin/env bash
# A real one-node SLURM cluster on localhost, for testing the pipeline's `slurm` profile
# (SlurmPipelineTest, .ci/run). Needs root and Debian/Ubuntu (slurm-wlm, munge from apt); no systemd.
#
#   scripts/slurm-local.sh start    install if missing, configure, start munged/slurmctld/slurmd, wait for idle
#   scripts/slurm-local.sh stop     stop the daemons this script started
#   scripts/slurm-local.sh status   sinfo
#
# Layout: partitions `cpu` (default) and `gpu`, both on the node `localhost`, which offers one fake
# GPU gres backed by a character device (/dev/fakegpu0, same numbers as /dev/null): SLURM only needs
# a device file to hand out, nothing ever computes on it. Finished jobs are written one line each to
# the job-completion log (JobCompLoc below) with partition and allocated TRES (gres/gpu), which is
# what the test reads; there is no slurmdbd, so `sacct` has nothing to report.
# Idempotent: `start` on a running cluster only re-checks that the node is up.
set -euo pipefail

CONF_DIR=/etc/slurm
STATE=/var/lib/icaloflow-slurm          # spool directories, pid files
LOGS=/var/log/slurm
JOBCOMP="$LOGS/jobcomp.log"
FAKEGPU=/dev/fakegpu0

die() { echo "slurm-local: error: $*" >&2; exit 1; }
say() { echo "slurm-local: $*" >&2; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts system daemons)"; }

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
     && command -v sinfo >/dev/null; then
    return
  fi
  command -v apt-get >/dev/null || die "slurm-wlm/munge missing and no apt-get to install them"
  say "installing slurm-wlm and munge (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq slurm-wlm munge >/dev/null || die "apt-get install slurm-wlm munge failed"
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_munge() {
  install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
  install -d -o munge -g munge -m 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  if ! running /run/munge/munged.pid; then
    runuser -u munge -- /usr/sbin/munged || die "munged did not start (see /var/log/munge/munged.log)"
  fi
  for _ in $(seq 50); do munge -n </dev/null | unmunge >/dev/null 2>&1 && return; sleep 0.1; done
  die "munge does not answer (see /var/log/munge/munged.log)"
}

write_config() {
  [ -c "$FAKEGPU" ] || mknod -m 0666 "$FAKEGPU" c 1 3 || die "cannot create the fake GPU device $FAKEGPU"
  mkdir -p "$CONF_DIR" "$STATE/ctld" "$STATE/d" "$LOGS"
  # what this machine really has, so slurmd does not drain the node for a mismatch
  local hw cpus mem
  hw=$(slurmd -C | head -1)
  cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
  [ -n "$cpus" ] && [ -n "$mem" ] || die "cannot read CPUs/RealMemory from 'slurmd -C': $hw"
  # the test profile asks 3 GB per task
  [ "$mem" -ge 3500 ] || die "this machine has $mem MB; the test profile needs at least 3.5 GB for one task"
  cat >"$CONF_DIR/slurm.conf.new" <<EOF
# written by icaloflow scripts/slurm-local.sh: a one-node test cluster on localhost
ClusterName=icaloflow
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
# no cgroups in a container: plain process tracking, no task binding
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
# finished jobs stay visible to 'scontrol show job' for an hour
MinJobAge=3600
# no slurmdbd (so no gres/gpu in AccountingStorageTRES): every finished job is one line of the
# completion log (partition, TRES); 'scontrol show job' gives the gres (TresPerNode)
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$JOBCOMP
NodeName=localhost CPUs=$cpus RealMemory=$mem Gres=gpu:1 State=UNKNOWN
PartitionName=cpu Nodes=localhost Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=localhost MaxTime=INFINITE State=UP
EOF
  echo "Name=gpu File=$FAKEGPU" >"$CONF_DIR/gres.conf.new"
  mv "$CONF_DIR/slurm.conf.new" "$CONF_DIR/slurm.conf"
  mv "$CONF_DIR/gres.conf.new" "$CONF_DIR/gres.conf"
}

node_state() { sinfo -h -N -n localhost -o '%T' 2>/dev/null | head -1; }

start() {
  need_root
  install_packages
  start_munge
  if running "$STATE/slurmctld.pid" && running "$STATE/slurmd.pid"; then
    say "already running"
  else
    write_config
    running "$STATE/slurmctld.pid" || slurmctld -i \
      || die "slurmctld did not start (see $LOGS/slurmctld.log)"
    # the node is called localhost whatever the host name is
    running "$STATE/slurmd.pid" || slurmd -N localhost \
      || die "slurmd did not start (see $LOGS/slurmd.log)"
  fi
  local s=""
  for _ in $(seq 60); do
    s=$(node_state)
    case "$s" in
      idle|mixed|allocated) say "up: node localhost is $s; partitions: $(sinfo -h -o '%P' | tr '\n' ' ')"; return 0 ;;
      drain*|down*) scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  echo "--- slurmctld.log" >&2; tail -20 "$LOGS/slurmctld.log" >&2 || true
  echo "--- slurmd.log" >&2; tail -20 "$LOGS/slurmd.log" >&2 || true
  die "node localhost not idle after 60 s (state: '${s:-no answer from sinfo}')"
}

stop_pid() {
  local f=$1 name=$2
  if running "$f"; then
    local p; p=$(cat "$f")
    kill "$p"
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    say "stopped $name ($p)"
  fi
  rm -f "$f"
}

stop() {
  need_root
  stop_pid "$STATE/slurmd.pid" slurmd
  stop_pid "$STATE/slurmctld.pid" slurmctld
  stop_pid /run/munge/munged.pid munged
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
