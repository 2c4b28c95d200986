#!/bin/bash
# Slurm: put the binary on every node's local disk with `srun --bcast` and run it from there.
#
#   sbatch -N 2 --ntasks-per-node=2 slurm-srun-bcast.sh app.py [arguments...]
#
# srun reads PYTHON_STATIC from the shared filesystem once and fans it out to the nodes (a tree
# of slurmd's), each of which writes it to node-local /tmp; every rank then executes its node's
# copy. Nothing else of the interpreter touches the shared filesystem (it is one static file).
#SBATCH --job-name=python-static
#SBATCH --time=00:10:00
set -euo pipefail

PYTHON_STATIC=${PYTHON_STATIC:-$HOME/slither/build/bin/python-static}
# One BLAS/OpenMP thread per rank: with a rank per core, more threads only oversubscribe cores.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

LOCAL_COPY=/tmp/python-static.$SLURM_JOB_ID
# the copy outlives the step unless the site wipes /tmp per job (job_container/tmpfs does)
trap 'srun -N "$SLURM_NNODES" -n "$SLURM_NNODES" rm -f "$LOCAL_COPY"' EXIT

srun --bcast="$LOCAL_COPY" "$PYTHON_STATIC" "$@"
