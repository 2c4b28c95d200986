#!/bin/bash
# Cray EX with PBS Pro and PALS (cray-mpich, Slingshot): PALS's mpiexec, the binary copied to
# node-local storage first.
#
#   qsub -l select=64:ncpus=128 -l walltime=00:10:00 -- cray-ex-pals-mpiexec.sh app.py [args...]
#   (or put the script's body after #PBS lines)
#
# PALS has no broadcast of its own: one rank per node copies the binary to node-local /tmp,
# which reads the shared file once per node (still one file per node, not the hundreds of files
# a stock install reads per rank). Not verified here (see docs/running-at-scale.md).
#PBS -N python-static
set -euo pipefail
cd "${PBS_O_WORKDIR:-.}"

PYTHON_STATIC=${PYTHON_STATIC:-$HOME/slither/build/bin/python-static}
LOCAL_COPY=/tmp/python-static.${PBS_JOBID%%.*}
NODES=$(sort -u "$PBS_NODEFILE" | wc -l)
RANKS_PER_NODE=${RANKS_PER_NODE:-128}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

mpiexec -n "$NODES" --ppn 1 cp "$PYTHON_STATIC" "$LOCAL_COPY"
trap 'mpiexec -n "$NODES" --ppn 1 rm -f "$LOCAL_COPY"' EXIT

mpiexec -n $((NODES * RANKS_PER_NODE)) --ppn "$RANKS_PER_NODE" --depth 1 --cpu-bind depth \
    "$LOCAL_COPY" "$@"
