#!/bin/bash
# Submit a gamesim sweep to Slurm: an array of SHARDS tasks, and a merge job that runs when all
# of them have succeeded. Usage: submit.sh EXPERIMENT SHARDS OUT [gamesim options...]
# Prints the two job ids.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 EXPERIMENT SHARDS OUT [options...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
exp=$1 shards=$2 out=$3
shift 3
export GAMESIM_EXPERIMENT="$exp" GAMESIM_OUT="$out" GAMESIM_ARGS="$*"
sweep=$(sbatch --parsable --array="1-$shards" --export=ALL "$here/sweep.sbatch")
merge=$(sbatch --parsable --dependency="afterok:$sweep" --export=ALL "$here/merge.sbatch")
echo "$sweep $merge"
