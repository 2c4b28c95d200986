"""The markdown tables of one bench/run result (printed, and written as results.md)."""

from __future__ import annotations

from tables import byte_size, count, markdown_table, milliseconds, not_available, ratio, seconds

CONTENDER_ORDER = ("stock", "pyinstaller", "python-static")


def _ordered(row: dict) -> list[tuple[str, dict]]:
    return sorted(((k, v) for k, v in row.items() if isinstance(v, dict)),
                  key=lambda item: CONTENDER_ORDER.index(item[0]) if item[0] in CONTENDER_ORDER else 99)


def audit_table(audit: dict) -> str:
    rows = []
    for workload, row in audit.items():
        for contender, counts in _ordered(row):
            if "na" in counts:
                rows.append([workload, contender, not_available(counts["na"])] + [""] * 7)
                continue
            rows.append([workload, contender, count(counts["total"]), count(counts["failed"]),
                         count(counts["outside"]), count(counts["outside_failed"]), count(counts["unique_paths"]),
                         byte_size(counts["bytes_read"]), ratio(counts.get("outside_ratio_to_stock")),
                         ratio(counts.get("bytes_read_ratio_to_stock"))])
    return markdown_table(["workload", "contender", "file calls", "failed", "outside node-local",
                           "of which failed", "distinct paths", "bytes read", "outside / stock",
                           "bytes / stock"], rows, "ll" + "r" * 8)


def fuse_table(sweep: dict) -> str:
    rows = []
    for workload, by_contender in sweep.items():
        for contender, cells in _ordered(by_contender):
            if "na" in cells:
                rows.append([workload, contender, "", not_available(cells["na"]), "", "", ""])
                continue
            for service, row in cells.items():
                for processes, cell in row.items():
                    if "seconds" in cell:
                        shown = seconds(cell["seconds"]) + (f" ({cell['failed']} failed)" if cell.get("failed") else "")
                    else:
                        shown = f"> {seconds(cell['timeout_seconds'])} ({cell['finished']} of {processes} finished)"
                    server = cell.get("server", {})
                    ops = server.get("metadata_operations")
                    per_process = count(round(ops / int(processes))) if ops is not None else "?"
                    rows.append([workload, contender, f"{float(service):g}", processes, shown,
                                 count(ops) if ops is not None else "?", per_process])
    return markdown_table(["workload", "contender", "ms per metadata op", "processes", "all finished after",
                           "metadata ops served", "per process"], rows, "ll" + "r" * 5)


def warm_table(warm: dict) -> str:
    if "na" in warm:
        return not_available(warm["na"])
    rows = []
    for workload, row in warm.items():
        for contender, times in _ordered(row):
            if "na" in times:
                rows.append([workload, contender, not_available(times["na"]), "", "", "", "", ""])
            else:
                rows.append([workload, contender, milliseconds(times["min_ms"]), milliseconds(times["median_ms"]),
                             milliseconds(times["max_ms"]), ratio(times.get("median_ratio_to_stock")),
                             milliseconds(times["cpu_mean_ms"]), ratio(times.get("cpu_ratio_to_stock"))])
    return markdown_table(["workload", "contender", "min ms", "median ms", "max ms", "median / stock",
                           "CPU ms (user+sys)", "CPU / stock"], rows, "llrrrrrr")


def runtime_table(runtime: dict) -> str:
    rows = []
    for benchmark, row in runtime["benchmarks"].items():
        cells = []
        for name in ("stock", "python-static"):
            timing = row.get(name, {})
            cells.append(not_available(timing["na"]) if "na" in timing else
                         f"{timing['mean_s'] * 1000:.1f} ± {timing['stdev_s'] * 1000:.1f}")
        change = row.get("static_over_stock")
        rows.append([benchmark, *cells, ratio(change),
                     "" if change is None else f"{(change - 1) * 100:+.1f} %"])
    geometric = runtime.get("geometric_mean_static_over_stock")
    rows.append(["geometric mean", "", "", ratio(geometric),
                 "" if geometric is None else f"{(geometric - 1) * 100:+.1f} %"])
    return markdown_table(["benchmark (pyperformance)", "stock ms", "python-static ms", "static / stock",
                           "time change"], rows, "lrrrr")


def build_table(build: dict) -> str:
    rows = []
    labels = {"cold": "cold full build (empty cache)", "noop": "no-op scons",
              "clean_warm_cache": "clean build dir, warm cache", "add_module": "add one module (markupsafe)"}
    builds = build.get("builds", {})
    for key, label in labels.items():
        entry = builds.get(key)
        if entry is None:
            rows.append([label, "", ""])
        elif "na" in entry and "seconds" not in entry:
            rows.append([label, not_available(entry["na"]), ""])
        elif "na" in entry:
            rows.append([label, not_available(entry["na"]), ""])
        else:
            note = entry.get("steps", "")
            if entry.get("from"):
                note = f"{note} (figure from {entry['from']})"
            if entry.get("cache"):
                note = f"{note}; cache: {entry['cache']}"
            rows.append([label, seconds(entry["seconds"]), note])
    table = markdown_table([f"build (MODULES={builds.get('modules', '?')}, JOBS=2)", "wall time", "steps"], rows,
                           "lrl")
    footprint_rows = []
    for contender, entry in _ordered(build.get("footprint", {})):
        size = entry.get("size_bytes")
        rss = entry.get("peak_rss_kib")
        footprint_rows.append([contender, byte_size(size) if size else not_available(entry.get("na", "missing")),
                               entry.get("what", ""), f"{rss / 1024:.1f} MiB" if rss else
                               not_available(entry.get("na", "did not run"))])
    footprint = markdown_table(["contender", "size on disk", "what", "peak RSS, import numpy"], footprint_rows,
                               "lrlr")
    # without builds (--only footprint) or without the import-numpy workload, those tables are left out
    parts = ([table] if builds else []) + ([footprint] if footprint_rows else [])
    if "full_stack" in build:
        parts.append(full_stack_table(build["full_stack"]))
    parts += [application_table(key, application) for key, application in build.get("applications", {}).items()]
    return "\n\n".join(parts)


def mebibytes(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def full_stack_table(stack: dict) -> str:
    """The full stack's cold build and footprint: the binary beside the stock tree with the packages each has."""
    modules = stack.get("modules", "?")
    cold = stack.get("cold") or {"na": "not measured"}
    if "seconds" in cold and "na" not in cold:
        note = cold.get("steps", "")
        if cold.get("from"):
            note = f"{note} (figure from {cold['from']})"
        load = cold.get("load_average_before")
        if load:
            note = f"{note}; load average at start {load[0]:.1f} on {cold.get('cores', '?')} cores"
        build_rows = [["cold full build (empty cache)", seconds(cold["seconds"]), note]]
    else:
        build_rows = [["cold full build (empty cache)", not_available(cold.get("na", "not measured")), ""]]
    table = markdown_table([f"build (MODULES={modules}, JOBS=2)", "wall time", "steps"], build_rows, "lrl")
    return table + "\n\n" + footprint_table(stack)


def application_table(key: str, application: dict) -> str:
    """An application workload's stack: the binary beside the stock tree and the one-file, each
    with the packages it has, and the workload's peak RSS (no cold build: not measured for it)."""
    return (f"Sizes for `{key}` (python-static built with MODULES={application.get('modules', '?')}):\n\n"
            + footprint_table(application))


def footprint_table(stack: dict) -> str:
    """Each contender's packages, size (and its ratio to the stock tree's, between the same
    packages only) and peak RSS of the stack's workloads."""
    workloads = stack.get("rss_workloads", [])
    rows = []
    for contender, entry in _ordered(stack.get("footprint", {})):
        packages = ", ".join(entry.get("packages", [])) or "none"
        if entry.get("missing"):
            packages += f" (without {', '.join(entry['missing'])})"
        size = entry.get("size_bytes")
        rss = [mebibytes(entry["peak_rss_kib"][w]) if w in entry.get("peak_rss_kib", {}) else
               not_available(entry.get("na", {}).get(w, "not measured")) for w in workloads]
        rows.append([contender, packages, byte_size(size) if size else not_available(entry.get("size_na", "missing")),
                     not_available(entry["size_ratio_na"]) if "size_ratio_na" in entry else
                     ratio(entry.get("size_ratio_to_stock")), entry.get("what", ""), *rss])
    return markdown_table(["contender", "packages", "size on disk", "size / stock", "what",
                           *[f"peak RSS, {w}" for w in workloads]], rows, "llrrl" + "r" * len(workloads))


def projection_table(projection: dict) -> str:
    ranks = None
    rows = []
    for workload, row in projection["workloads"].items():
        for contender, entry in _ordered(row):
            if "na" in entry:
                rows.append([workload, contender, not_available(entry["na"]), "", "", ""])
                continue
            ranks = ranks or list(entry["seconds"])
            rows.append([workload, contender, count(entry["operations"]),
                         *[seconds(entry["seconds"][r]) for r in entry["seconds"]]])
    headers = ["workload", "contender", "ops per rank (n)"] + [f"{int(r):,} ranks" for r in (ranks or [])]
    if not ranks:
        return "n/a (no audit results)"
    return markdown_table(headers, rows, "ll" + "r" * (len(headers) - 2))
