#!/bin/bash
# PBS-style scheduler (PBS Pro, OpenPBS, Torque) with MPICH's own mpiexec (hydra), the binary
# built with Slither's MPICH (`scons MODULES=numpy,mpi4py`).
#
#   qsub -l select=2:ncpus=4:mpiprocs=4 -l walltime=00:10:00 pbs-mpiexec.sh
#   (PBS passes no arguments to a job script: APP names the program and its arguments)
#
# hydra reads the allocation from $PBS_NODEFILE and starts its proxies through the scheduler
# (`-launcher pbs`, PBS's TM interface where hydra was built with it, else ssh). One rank per
# node copies the binary to node-local /tmp first. Not verified here (see
# docs/running-at-scale.md).
#PBS -N python-static
set -euo pipefail
cd "${PBS_O_WORKDIR:-.}"

PYTHON_STATIC=${PYTHON_STATIC:-$HOME/slither/build/bin/python-static}
MPIEXEC=${MPIEXEC:-$(dirname "$PYTHON_STATIC")/../libraries/mpich-4.0.2-gnu/prefix/bin/mpiexec}
APP=${APP:-app.py}
LOCAL_COPY=/tmp/python-static.${PBS_JOBID%%.*}
NODES=$(sort -u "$PBS_NODEFILE" | wc -l)
RANKS=$(wc -l < "$PBS_NODEFILE")
# hydra passes the environment on to every rank
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

sort -u "$PBS_NODEFILE" > "hosts.${PBS_JOBID%%.*}"
"$MPIEXEC" -f "hosts.${PBS_JOBID%%.*}" -n "$NODES" -ppn 1 cp "$PYTHON_STATIC" "$LOCAL_COPY"
trap '"$MPIEXEC" -f "hosts.${PBS_JOBID%%.*}" -n "$NODES" -ppn 1 rm -f "$LOCAL_COPY"; rm -f "hosts.${PBS_JOBID%%.*}"' EXIT

# -f $PBS_NODEFILE: one line per slot, so ranks fill each node's slots in order
# shellcheck disable=SC2086  # APP is a program and its arguments
"$MPIEXEC" -f "$PBS_NODEFILE" -n "$RANKS" "$LOCAL_COPY" $APP
