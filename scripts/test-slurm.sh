#!/bin/bash
# npm run test:slurm: the calibrate sweep on a real (one-node) Slurm cluster, merged, must give
# the same bytes as one unsharded run. Installs Slurm and munge from Debian when missing (root),
# starts munged, slurmctld and slurmd with a minimal configuration of its own, submits a 4-task
# array plus a merge job that depends on it (deploy/slurm/submit.sh), waits, compares, and stops
# the daemons it started (by pid). Not part of npm test: it takes a minute and needs root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/gamesim-slurm-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  echo "installing slurm and munge from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

# munge: a key of our own, a socket of our own
mkdir -p "$work/munge" && chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
sock="$work/munge/munge.socket"
munged --force --key-file="$work/munge/munge.key" --socket="$sock" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed"
pids+=("$(cat "$work/munge/munged.pid")")

host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool" "$work/log"
cat > "$work/slurm.conf" <<CONF
ClusterName=gamesim
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=gamesim Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 50); do [ -s "$work/slurmctld.pid" ] && [ -s "$work/slurmd.pid" ] && break; sleep 0.2; done
pids+=("$(cat "$work/slurmd.pid")" "$(cat "$work/slurmctld.pid")")
for _ in $(seq 1 100); do sinfo -h -o %T 2>/dev/null | grep -qx idle && break; sleep 0.3; done
sinfo -h -o "%P %T %c" | sed 's/^/slurm: /'

# the reference: one unsharded run
gamesim="node $root/bin/gamesim.mjs"
cd "$root"
$gamesim experiment calibrate --out "$work/one" --quiet

# the sweep on Slurm: 4 array tasks and a merge that depends on them
export GAMESIM="$gamesim"
read -r sweep merge < <(deploy/slurm/submit.sh calibrate 4 "$work/sharded")
echo "slurm: array job $sweep (4 tasks), merge job $merge"
cd "$work"
for _ in $(seq 1 600); do
  [ -z "$(squeue -h -j "$sweep,$merge" 2>/dev/null)" ] && break
  sleep 1
done
state=$(sacct -n -j "$merge" -o State 2>/dev/null | head -1 | tr -d ' ' || true)
[ -f "$work/sharded/calibrate/meta.json" ] || { echo "FAIL: the merge job wrote nothing ($state)"; cat "$work"/gamesim-*.out 2>/dev/null | tail -20; exit 1; }
if diff -r -x '.runs-*' "$work/one" "$work/sharded" >/dev/null; then
  n=$(find "$work/one" -type f | wc -l)
  echo "slurm: 4 shards + merge = one run, byte for byte ($n files)"
  echo "1 passed, 0 failed"
else
  diff -rq -x '.runs-*' "$work/one" "$work/sharded" | head
  echo "0 passed, 1 failed"
  exit 1
fi
