"""What every rank of a cluster job checks: collectives, and large point-to-point messages
within a node and between nodes, with this node's network counters read around each one.

Rank 0 prints one line per rank (JSON), then one line per message:
  {"rank": 0, "host": "node1", "executable": "/tmp/python-static", ...}
  {"message": "between nodes", "from": 0, "to": 2, "bytes": 67108864, "ok": true,
   "eth0_tx_bytes": 67890123, "eth0_rx_bytes": 45678}
eth0 is the node's own interface on the cluster's bridge (its /sys shows its own network
namespace): a message that crosses it went over TCP, one that does not went through shared memory.
"""

import json
import socket
import sys

import numpy
from mpi4py import MPI

MESSAGE_BYTES = 64 * 2**20
comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
host = socket.gethostname()


def eth0_bytes() -> tuple[int, int]:
    statistics = "/sys/class/net/eth0/statistics/"
    with open(statistics + "tx_bytes") as tx, open(statistics + "rx_bytes") as rx:
        return int(tx.read()), int(rx.read())


def exchange(sender: int, receiver: int) -> dict:
    """sender -> receiver, MESSAGE_BYTES of a known pattern, checked on arrival; the sender's
    eth0 counters around the send."""
    comm.Barrier()
    result = {}
    if rank == sender:
        before = eth0_bytes()
        comm.Send(numpy.arange(MESSAGE_BYTES // 8, dtype=numpy.int64), dest=receiver, tag=7)
        ok = comm.recv(source=receiver, tag=8)
        after = eth0_bytes()
        result = {"from": sender, "to": receiver, "bytes": MESSAGE_BYTES, "ok": ok,
                  "eth0_tx_bytes": after[0] - before[0], "eth0_rx_bytes": after[1] - before[1]}
    elif rank == receiver:
        buffer = numpy.empty(MESSAGE_BYTES // 8, dtype=numpy.int64)
        comm.Recv(buffer, source=sender, tag=7)
        comm.send(bool((buffer == numpy.arange(buffer.size, dtype=numpy.int64)).all()), dest=sender, tag=8)
    return comm.bcast(result, root=sender)


hosts = comm.allgather(host)
total = comm.allreduce(rank, op=MPI.SUM)
vector = numpy.full(1000, rank + 1.0)
summed = numpy.empty_like(vector)
comm.Allreduce(vector, summed, op=MPI.SUM)
shared = comm.bcast({"from": rank, "answer": 42} if rank == 0 else None, root=0)
line = {"rank": rank, "size": size, "host": host, "executable": sys.executable,
        "allreduce": total, "Allreduce": float(summed[0]), "bcast": shared["answer"],
        "library": MPI.Get_library_version().split()[0]}
lines = comm.gather(line, root=0)

messages = []
same_node = next((other for other in range(1, size) if hosts[other] == hosts[0]), None)
other_node = next((other for other in range(1, size) if hosts[other] != hosts[0]), None)
if same_node is not None:
    messages.append({"message": "within a node", **exchange(0, same_node)})
if other_node is not None:
    messages.append({"message": "between nodes", **exchange(0, other_node)})
comm.Barrier()
if rank == 0:
    for record in lines + messages:
        print(json.dumps(record), flush=True)
