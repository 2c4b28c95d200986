#!/bin/bash
# Slurm, launching with MPICH's own mpiexec (hydra) inside the allocation instead of srun.
#
#   sbatch -N 2 --ntasks-per-node=2 slurm-mpiexec.sh app.py [arguments...]
#
# hydra sees the Slurm allocation (SLURM_JOB_NODELIST) and starts its proxies with srun, one per
# node; the ranks then take their PMI from hydra, not from Slurm. The binary is copied with
# sbcast first, as in slurm-sbcast.sh. MPIEXEC is the mpiexec of the same MPICH the binary was
# linked with: Slither's build/libraries/mpich-4.0.2-gnu/prefix/bin/mpiexec.
#SBATCH --job-name=python-static
#SBATCH --time=00:10:00
set -euo pipefail

PYTHON_STATIC=${PYTHON_STATIC:-$HOME/slither/build/bin/python-static}
MPIEXEC=${MPIEXEC:-$(dirname "$PYTHON_STATIC")/../libraries/mpich-4.0.2-gnu/prefix/bin/mpiexec}
LOCAL_COPY=/tmp/python-static.$SLURM_JOB_ID
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

sbcast --force "$PYTHON_STATIC" "$LOCAL_COPY"
trap 'srun -N "$SLURM_NNODES" -n "$SLURM_NNODES" rm -f "$LOCAL_COPY"' EXIT

# hydra places ranks as the allocation says (SLURM_TASKS_PER_NODE)
"$MPIEXEC" -n "$SLURM_NTASKS" "$LOCAL_COPY" "$@"
