#!/usr/bin/env bash
# A real single-node Slurm on this machine: installs slurm-wlm and munge from Debian if missing,
# generates a slurm.conf for this host's CPUs and memory, starts munged, slurmctld and slurmd,
# submits deploy/slurm/train.sbatch with its default layout (2 tasks, one per socket: this slurm.conf
# gives each CPU its own socket) for a short fashion-cnn run, waits, prints the
# job's output and stops the daemons (also on failure). Needs root.
#   scripts/slurm-local.sh [extra cohort train flags]      LAUNCHER=mpirun to test the mpirun variant
#   COHORT=PATH uses that binary instead of building one.
#   PREEMPT=1 scripts/slurm-local.sh                          also pre-empt it after epoch 1 (SIGUSR1 to the
#                                                             batch shell, as --signal=B:USR1 does): the job
#                                                             checkpoints, requeues itself and resumes
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "slurm-local.sh: needs root (it starts munged, slurmctld and slurmd)" >&2; exit 1; }
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; break; }
done
. scripts/env.sh
if [ -z "${COHORT:-}" ]; then
  swift build -c release --product cohort >/dev/null
  COHORT=$PWD/.build/release/cohort
fi

work=$(mktemp -d /tmp/cohort-slurm.XXXXXX)
chmod 755 "$work"
host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
export SLURM_CONF=$work/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=cohort
SlurmctldHost=$host
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$work/state" "$work/spool"
munge_pid=/run/munge/cohort-munged.pid

# Stops a daemon: TERM, then KILL if it is still there after 5 s.
stop() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
  scancel --quiet --user=root 2>/dev/null || true
  for pid in "$work/slurmd.pid" "$work/slurmctld.pid"; do
    [ -f "$pid" ] && stop "$(cat "$pid")"
  done
  for pid in $(pgrep -f "munged --pid-file=$munge_pid" || true); do stop "$pid"; done
  rm -f "$munge_pid"
}
# Starts a daemon with none of this script's open files beyond fresh stdin/stdout/stderr: whoever
# waits for this script (a test harness reading its output) must not end up waiting for the daemon.
detached() {
  ( for fd in /proc/$BASHPID/fd/*; do
      n=${fd##*/}
      [ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null
    done
    exec "$@" </dev/null >>"$work/daemons.log" 2>&1 )
}
trap cleanup EXIT INT TERM

[ -f /etc/munge/munge.key ] || { mungekey --create 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; }
chown munge:munge /etc/munge/munge.key 2>/dev/null || true
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge && chown munge:munge /run/munge 2>/dev/null || true
if ! munge -n >/dev/null 2>&1; then
  detached runuser -u munge -- munged --pid-file="$munge_pid" || detached munged --force --pid-file="$munge_pid"
fi
detached slurmctld -f "$SLURM_CONF"
detached slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o "%P %D %t %C" | sed 's/^/slurm-local.sh: partition /' >&2
sinfo -h -o %t | grep -q idle || { echo "slurm-local.sh: the node never became idle; slurmd log:" >&2; tail -20 "$work/slurmd.log" >&2; exit 1; }

export COHORT CKPT=$work/checkpoints
train=(deploy/slurm/train.sbatch --model fashion-cnn --limit 2048 --holdout 256 --eval-limit 1000 --batch-size 32 --lr 0.05 --momentum 0.9)
submit=(sbatch --parsable --nodes=1 --time=00:10:00 --output="$work/job-%j.out")
if [ "${PREEMPT:-0}" = 1 ]; then
  job=$("${submit[@]}" "${train[@]}" --epochs 3 "$@")
  for _ in $(seq 1 300); do [ -f "$CKPT/epoch-0001.safetensors" ] && break; sleep 1; done
  echo "slurm-local.sh: pre-empting job $job after epoch 1 (scancel --signal=USR1 --batch)" >&2
  scancel --signal=USR1 --batch "$job"
  status=1
  for _ in $(seq 1 600); do
    state=$(scontrol show job "$job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    restarts=$(scontrol show job "$job" 2>/dev/null | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
    case "$state" in
      COMPLETED) status=0; break ;;
      FAILED|CANCELLED|TIMEOUT|NODE_FAIL) break ;;
    esac
    sleep 1
  done
  echo "slurm-local.sh: job $job ended $state after ${restarts:-0} restart(s)" >&2
else
  job=$("${submit[@]}" --wait "${train[@]}" --epochs 1 "$@") && status=0 || status=$?
fi
echo "slurm-local.sh: job ${job:-?} finished with status $status; its output:" >&2
cat "$work"/job-*.out
ls -l "$CKPT" 2>/dev/null || true
exit "$status"
