#!/bin/bash
# Slurm: copy the binary to every node of the allocation once with `sbcast`, then start any
# number of job steps from the node-local copy.
#
#   sbatch -N 2 --ntasks-per-node=2 slurm-sbcast.sh app.py [arguments...]
#
# sbcast reads PYTHON_STATIC from the shared filesystem once (on the batch node) and fans it out;
# each later `srun` starts ranks from node-local /tmp without touching the shared copy. Worth it
# when one job runs several steps; for a single step `srun --bcast` does the same in one line.
#SBATCH --job-name=python-static
#SBATCH --time=00:10:00
set -euo pipefail

PYTHON_STATIC=${PYTHON_STATIC:-$HOME/slither/build/bin/python-static}
LOCAL_COPY=/tmp/python-static.$SLURM_JOB_ID
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

sbcast --force "$PYTHON_STATIC" "$LOCAL_COPY"
# node-local files outlive the job unless the site wipes /tmp (job_container/tmpfs does)
trap 'srun -N "$SLURM_NNODES" -n "$SLURM_NNODES" rm -f "$LOCAL_COPY"' EXIT

srun "$LOCAL_COPY" "$@"
