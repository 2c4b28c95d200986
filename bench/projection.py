"""Point 6: start-up time at 1,000 / 10,000 / 100,000 ranks, projected from measured operation counts.

The model (stated, not fitted):
    n  metadata operations one rank sends to the shared filesystem during start-up: the
       measured count of file calls naming a path outside /proc, /dev, /sys and /etc, plus 1
       for the execve of the program itself (the audit starts counting after it)
    s  service time of one operation at the metadata server when it is idle (default 0.5 ms)
    X  aggregate throughput of the metadata server in operations per second (default 30,000)
    T(R) = max(n * s, R * n / X)
One rank alone waits its n round trips; R ranks together are limited by the server's
throughput. What it leaves out is listed in LIMITS and printed with every projection.

The check against a published measurement (CHECK): Asher Langton (LLNL) reported on the
numpy-discussion mailing list ("Improving Python+MPI import performance", 12 January 2012)
that on 32k processes of a BlueGene/P, importing 100 trivial C-extension modules took 5.5 hours
(against 35 minutes for all other interpreter loading and initialization), and that the cause
was the huge number of failed open() calls (ENOENT) while the interpreter searched for module
files. The model turns that into the throughput the measurement implies for a given number of
operations per import, and back.
"""

from __future__ import annotations

DEFAULT_SERVICE_SECONDS = 0.0005
DEFAULT_THROUGHPUT = 30_000.0
RANKS = (1_000, 10_000, 100_000)

LIMITS = (
    "No client-side metadata cache: every rank's every call reaches the server (true of the FUSE "
    "simulation and of I/O-forwarding systems such as BlueGene's; a Lustre or GPFS client that caches "
    "dentries per node divides R by the ranks per node at best).",
    "One server, one queue: no striping of metadata over several servers (Lustre DNE), no "
    "burst of contention collapse beyond the throughput ceiling, no retries or timeouts.",
    "Metadata only: the bytes of the files (a 60 MiB binary, site-packages) are not modelled; ranks "
    "on one node share the page cache for data, and a single file is easy to broadcast to node-local storage.",
    "Counts are one run on this machine's filesystem layout; a longer sys.path or another install "
    "layout changes n, which is why n is measured per contender and workload, never assumed.",
)

# Langton 2012 (see the module docstring): 32k ranks, 100 C-extension imports, 5.5 hours.
CHECK = {"ranks": 32_768, "modules": 100, "seconds": 5.5 * 3600,
         "source": 'Asher Langton (LLNL), "Improving Python+MPI import performance", numpy-discussion '
                   "mailing list, 12 January 2012: 32k processes on BlueGene/P importing 100 trivial "
                   "C-extension modules took 5.5 hours (35 minutes for all other interpreter start-up)"}


def startup_seconds(operations: int, ranks: int, service_seconds: float = DEFAULT_SERVICE_SECONDS,
                    throughput: float = DEFAULT_THROUGHPUT) -> float:
    """T(R) = max(n*s, R*n/X): the latency floor of one rank or the server's throughput, whichever binds."""
    if operations < 0 or ranks < 1 or service_seconds < 0 or throughput <= 0:
        raise ValueError("operations >= 0, ranks >= 1, service time >= 0 and throughput > 0")
    return max(operations * service_seconds, ranks * operations / throughput)


def implied_throughput(operations_per_rank: float, ranks: int, seconds: float) -> float:
    """X that makes R ranks of n operations take `seconds` (the throughput-bound branch)."""
    return ranks * operations_per_rank / seconds


def implied_operations_per_rank(throughput: float, ranks: int, seconds: float) -> float:
    return throughput * seconds / ranks


def check_against_langton(throughput: float = DEFAULT_THROUGHPUT) -> dict:
    """What the 5.5-hour measurement means under the model, in both directions."""
    per_rank = implied_operations_per_rank(throughput, CHECK["ranks"], CHECK["seconds"])
    return {
        "source": CHECK["source"],
        "operations_per_rank_implied_at_default_throughput": per_rank,
        "operations_per_import_implied": per_rank / CHECK["modules"],
        "reading": "the post gives no operation count, so this checks orders of magnitude only; a Python 2 "
                   "import that probed several candidate file names in every sys.path entry makes that many plausible",
    }


def project(audit: dict, service_seconds: float = DEFAULT_SERVICE_SECONDS,
            throughput: float = DEFAULT_THROUGHPUT) -> dict:
    """{workload: {contender: {"operations": n, "seconds": {R: T}} | {"na": why}}} from the audit."""
    results: dict = {"model": {"service_seconds": service_seconds, "throughput_ops_per_second": throughput,
                               "formula": "T(R) = max(n*s, R*n/X), n = file calls outside /proc /dev /sys /etc + 1 (execve)",
                               "limits": list(LIMITS)},
                     "check": check_against_langton(throughput), "workloads": {}}
    for workload, row in audit.items():
        for contender, counts in row.items():
            entry = results["workloads"].setdefault(workload, {})
            if "na" in counts:
                entry[contender] = {"na": counts["na"]}
                continue
            operations = counts["outside"] + 1
            entry[contender] = {"operations": operations,
                                "seconds": {str(r): startup_seconds(operations, r, service_seconds, throughput)
                                            for r in RANKS}}
    return results
