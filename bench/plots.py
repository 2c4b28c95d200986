"""PNG plots of a bench/run result (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

COLORS = {"stock": "tab:red", "pyinstaller": "tab:orange", "python-static": "tab:green"}


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_fuse_sweep(sweep: dict, output: Path) -> list[Path]:
    """One figure per workload: wall time against concurrent processes, a panel per service time."""
    plt = _pyplot()
    written = []
    for workload, by_contender in sweep.items():
        service_times = sorted({float(s) for cells in by_contender.values() for s in cells if s != "na"})
        if not service_times:
            continue
        figure, axes = plt.subplots(1, len(service_times), figsize=(4 * len(service_times), 3.6), squeeze=False,
                                    sharey=True)
        for axis, service in zip(axes[0], service_times):
            for contender, cells in by_contender.items():
                row = cells.get(str(service)) or cells.get(f"{service:g}") or {}
                points = [(int(n), cell["seconds"]) for n, cell in row.items() if "seconds" in cell]
                if points:
                    points.sort()
                    axis.plot(*zip(*points), marker="o", label=contender, color=COLORS.get(contender))
                capped = [(int(n), cell["timeout_seconds"]) for n, cell in row.items() if "timeout_seconds" in cell]
                if capped:
                    axis.scatter(*zip(*capped), marker="^", color=COLORS.get(contender))
            axis.set_title(f"{service:g} ms per metadata op")
            axis.set_xlabel("concurrent processes")
            axis.set_xscale("log", base=2)
            axis.set_yscale("log")
            axis.grid(True, which="both", alpha=0.3)
        axes[0][0].set_ylabel("seconds until all finished")
        axes[0][0].legend(fontsize=8)
        figure.suptitle(f"{workload}: serial FUSE metadata server, no kernel caching (▲ = stopped at budget)")
        figure.tight_layout()
        path = output / f"fuse_sweep_{_slug(workload)}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        written.append(path)
    return written


def plot_audit(audit: dict, output: Path) -> Path:
    plt = _pyplot()
    workloads = list(audit)
    contenders = sorted({name for row in audit.values() for name in row}, key=list(COLORS).index)
    figure, axis = plt.subplots(figsize=(9, 3.8))
    width = 0.8 / max(1, len(contenders))
    for index, contender in enumerate(contenders):
        xs, heights = [], []
        for position, workload in enumerate(workloads):
            counts = audit[workload].get(contender, {})
            if "outside" in counts:
                xs.append(position + index * width)
                heights.append(max(counts["outside"], 0.5))
        axis.bar(xs, heights, width, label=contender, color=COLORS.get(contender))
    axis.set_xticks([p + width * (len(contenders) - 1) / 2 for p in range(len(workloads))],
                    [w.replace("; ", ";\n") for w in workloads], fontsize=8)
    axis.set_yscale("log")
    axis.set_ylabel("file calls outside /proc /dev /sys /etc")
    axis.set_title("file syscalls per start-up (strace -f; a bar at 0.5 means 0; missing = n/a)")
    axis.legend(fontsize=8)
    figure.tight_layout()
    path = output / "syscall_audit.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_projection(projection: dict, output: Path, workload: str = "import numpy") -> Path | None:
    plt = _pyplot()
    row = projection["workloads"].get(workload, {})
    figure, axis = plt.subplots(figsize=(6, 3.8))
    plotted = False
    for contender, entry in row.items():
        if "seconds" in entry:
            ranks = sorted(int(r) for r in entry["seconds"])
            axis.plot(ranks, [entry["seconds"][str(r)] for r in ranks], marker="o", color=COLORS.get(contender),
                      label=f"{contender} (n={entry['operations']})")
            plotted = True
    if not plotted:
        plt.close(figure)
        return None
    model = projection["model"]
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("MPI ranks")
    axis.set_ylabel("projected start-up seconds")
    axis.set_title(f"{workload}: T = max(n·s, R·n/X), s={model['service_seconds'] * 1000:g} ms, "
                   f"X={model['throughput_ops_per_second']:,.0f}/s", fontsize=9)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    path = output / f"projection_{_slug(workload)}.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_").replace("__", "_")
