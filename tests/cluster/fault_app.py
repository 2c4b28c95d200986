"""One rank fails, the others wait for it in a collective that can never complete.

    fault_app.py kill|exit|raise|exit-early

After a first barrier (every rank is up and connected), the last rank SIGKILLs itself, calls
sys.exit(3), or raises; every other rank enters an allreduce with it. `exit-early`: the last rank
calls sys.exit(3) before its first communication, while the others wait in the barrier.
Whatever ends the job has to come from outside the waiting ranks: the launcher, Slurm, or
MPI_Abort.
"""

import os
import signal
import sys

from mpi4py import MPI

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
how = sys.argv[1]
if how == "exit-early" and rank == size - 1:
    sys.exit(3)
comm.Barrier()
print(f"rank {rank} ready", flush=True)
if rank == size - 1:
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif how == "exit":
        sys.exit(3)
    elif how == "raise":
        raise RuntimeError(f"rank {rank} fails on purpose")
    else:
        raise SystemExit(f"unknown fault {how!r}: kill, exit, raise or exit-early")
comm.allreduce(rank)
print(f"rank {rank} passed the allreduce: the failed rank was not noticed", flush=True)
