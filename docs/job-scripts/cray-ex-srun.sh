#!/bin/bash
# Cray EX with Slurm (cray-mpich, Slingshot): srun --bcast, as on any Slurm system.
#
#   sbatch -N 64 --ntasks-per-node=128 cray-ex-srun.sh app.py [arguments...]
#
# Build on a login node with the PE loaded, so that `cc` links cray-mpich into the binary:
#   module load PrgEnv-gnu cray-mpich && scons TARGET=cray MODULES=numpy,mpi4py
# Not verified on a Cray (see docs/running-at-scale.md): cray-mpich's PMI is Slurm's (srun's
# default --mpi on Cray systems is cray_shasta), which a static link must include.
#SBATCH --job-name=python-static
#SBATCH --time=00:10:00
set -euo pipefail

PYTHON_STATIC=${PYTHON_STATIC:-$HOME/slither/build/bin/python-static}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

# --cpu-bind=cores: one rank per core, the usual choice for a flat MPI job
srun --bcast="/tmp/python-static.$SLURM_JOB_ID" --cpu-bind=cores "$PYTHON_STATIC" "$@"
