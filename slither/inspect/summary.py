"""The end-of-build summary, as text from data (so it is tested without a build)."""

from __future__ import annotations


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1024
    return f"{size} B"


def format_summary(binary_path: str, binary_size: int, plan, cpython_info: dict,
                   frozen_manifest: dict, outcomes: dict[str, str]) -> str:
    modules = frozen_manifest.get("modules", [])
    frozen_bytes = frozen_manifest.get("total_bytes", 0)
    builtin = cpython_info.get("builtin_modules", [])
    left_out = cpython_info.get("left_out", {})
    stdlib_note = ("stdlib frozen, excluding " + ", ".join(plan.excludes)) if plan.freeze \
        else "stdlib kept as files (FREEZE=0)"
    lines = [
        f"summary: {binary_path} ({human_size(binary_size)}, CPython "
        f"{cpython_info.get('version', plan.release.version)}, TARGET {plan.profile.name}, static)",
        f"  frozen modules: {len(modules)} ({human_size(frozen_bytes)} of bytecode); {stdlib_note}",
        f"  built-in C modules: {len(builtin)}",
        f"  third-party modules: {', '.join(plan.modules) if plan.modules else 'none'}",
    ]
    package_data = frozen_manifest.get("package_data", {})
    if package_data:
        lines.append(f"  package data: {sum(d['files'] for d in package_data.values())} files "
                     f"({human_size(sum(d['bytes'] for d in package_data.values()))}), "
                     "served by importlib.resources and importlib.metadata")
    if getattr(plan, "mpi", None):
        lines.append(f"  MPI: {plan.mpi.description}")
    if left_out:
        lines.append("  not built in:")
        lines += [f"    {name}: {reason}" for name, reason in sorted(left_out.items())]
    lines.append("  steps: " + ", ".join(f"{name} {outcome}" for name, outcome in outcomes.items()))
    return "\n".join(lines)
