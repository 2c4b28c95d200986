"""An mpi4py program for mpiexec (collectives, one line per rank), and the yardstick for the
file calls that `from mpi4py import MPI` may make.

Shared by the MPI tests of the gnu build (tests/test_mpi.py) and of the musl one
(tests/test_musl.py): both run the same program and hold the binary to the same yardstick,
the calls MPI_Init of the same MPICH makes in a static C program.
"""

import re
from collections import Counter

from slither.inspect.audit import counts_against_startup

APP = """\
import sys
from array import array
from mpi4py import MPI

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
total = comm.allreduce(rank, op=MPI.SUM)
shared = comm.bcast({"answer": 42, "from": rank} if rank == 0 else None, root=0)
send, received = array("d", [rank + 1.0] * 3), array("d", [0.0] * 3)
comm.Allreduce(send, received, op=MPI.SUM)
maps = open("/proc/self/maps").read().splitlines()
shared_objects = sum(".so" in line for line in maps)
line = (f"rank={rank} size={size} sum={total} bcast={shared['answer']}/{shared['from']} "
        f"buffer={received[0]:g} so={shared_objects} static={MPI.Get_library_version().split()[0]}")
# Rank 0 prints every rank's line: mpiexec forwards each rank's stdout on its own and may
# interleave lines that two ranks write at the same moment.
lines = comm.gather(line, root=0)
if rank == 0:
    print("\\n".join(lines))
"""


def _counted(calls):
    """Counted calls, with numbers (pids, ranks, addresses) made alike across runs and programs."""
    return Counter((call.syscall, re.sub(r"\d+", "N", call.path), call.failed)
                   for call in calls if counts_against_startup(call))
