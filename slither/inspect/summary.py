"""The end-of-build summary, as text from data (so it is tested without a build)."""

from __future__ import annotations

import os

from slither.inspect.copyleft import copyleft_warning
from slither.units import human_size

# What each kind of toolchain library is called in the summary (slither.plan.toolchain_libraries).
LIBRARY_LABELS = {"blas": "BLAS/LAPACK", "hdf5": "HDF5"}


def spelled_module(name: str, info: dict) -> str:
    """One way to write a third-party module, in the summary and in `inspect`: name, version,
    and where its build came from."""
    how = "local project" if info.get("local_project") else "recipe" if info.get("recipe") else "no recipe"
    return f"{name} {info['version']} ({how})"


def modules_line(modules: dict) -> str:
    """modules: the build manifest's {name: {"version", "recipe", ...}}."""
    return "third-party modules: " + (", ".join(spelled_module(name, info) for name, info in sorted(modules.items()))
                                      or "none")


def builtin_line(cpython_builtins: list, extensions: list) -> str:
    return (f"built-in C modules: {len(cpython_builtins) + len(extensions)} ({len(cpython_builtins)} of CPython, "
            f"{len(extensions)} from packages)")


def frozen_lines(frozen_modules: list[dict], stdlib_note: str = "") -> list[str]:
    """The frozen modules (code) and, apart, the generated modules holding their sources."""
    code = [module for module in frozen_modules if module.get("origin") != "sources"]
    sources = [module for module in frozen_modules if module.get("origin") == "sources"]
    lines = [f"frozen modules: {len(code)} ({human_size(sum(m['size'] for m in code))} of bytecode)"
             + (f"; {stdlib_note}" if stdlib_note else "")]
    lines.append(f"frozen sources: {human_size(sum(m['size'] for m in sources))} compressed, for source lines in "
                 "tracebacks (FROZEN_SOURCES=0 leaves them out)" if sources
                 else "frozen sources: none (FROZEN_SOURCES=0): tracebacks show file and line, no source")
    return lines


def brought_lines(recipes) -> list[str]:
    """Packages a REQUIREMENTS line asked for, and those the build took in because another needs
    them, and who."""
    requested = [f"    {recipe.name} {recipe.version}: {recipe.requested_by}"
                 for recipe in recipes if getattr(recipe, "requested_by", "")]
    lines = []
    for recipe in recipes:
        needed_by = getattr(recipe, "needed_by", ())
        if needed_by:
            lines.append(f"    {recipe.name} {recipe.version}: needed by {', '.join(needed_by)}")
    return ((["  from REQUIREMENTS:"] + requested) if requested else []) + \
        ((["  brought in (run-time or build requirements):"] + lines) if lines else [])


def origin_in_short(component: dict) -> str:
    """Where a linked component came from, in a few words (the manifest has the whole origin)."""
    origin = component.get("origin", "")
    if origin.startswith("recipe "):
        sha256 = origin.rpartition("sha256:")[2]
        return f"pinned recipe, sha256 {sha256[:12]}…" if "sha256:" in origin else "recipe"
    if origin.startswith("host archive"):
        return "host archive, " + origin[origin.index("(") + 1:].removesuffix("; HOST_LIBRARIES)")
    if origin.startswith("toolchain"):
        return "toolchain runtime"
    if origin.startswith("bundled in CPython"):
        return "bundled in CPython"
    return origin


def libraries_lines(components) -> list[str]:
    """Every C library linked in, with its origin: a pinned recipe, the toolchain's runtime, the
    CPython source, or a host archive (HOST_LIBRARIES)."""
    libraries = [component for component in components
                 if component.get("name") != "cpython"
                 and not component.get("origin", "").startswith(("package metadata", "python.org", "the site's MPI"))
                 and "modules/packages/" not in component.get("origin", "")]
    if not libraries:
        return []
    return ["  C libraries linked:"] + [
        f"    {component['name']} {component['version']}".rstrip() + f": {origin_in_short(component)}"
        for component in libraries]


def format_summary(binary_path: str, binary_size: int, plan, cpython_info: dict,
                   frozen_manifest: dict, outcomes: dict[str, str], components=(), fallbacks=(),
                   extensions=(), unfrozen_files=()) -> str:
    """components: the binary manifest's component list (slither.plan.licences), for the
    one-line copyleft warning; fallbacks: packages whose compiled code built no extension;
    extensions: the packages' extension modules, built in; unfrozen_files: the files UNFROZEN
    laid out in BUILD_DIR/lib. The lines about modules are the
    ones `inspect` prints (slither.inspect.manifest), from the same data."""
    modules = frozen_manifest.get("modules", [])
    builtin = cpython_info.get("builtin_modules", [])
    left_out = cpython_info.get("left_out", {})
    stdlib_note = ("stdlib frozen, excluding " + ", ".join(plan.excludes)) if plan.freeze \
        else "stdlib kept as files (FREEZE=0)"
    lines = [
        f"summary: {binary_path} ({human_size(binary_size)}, CPython "
        f"{cpython_info.get('version', plan.release.version)}, TARGET {plan.profile.name}, static)",
        *[f"  {line}" for line in frozen_lines(modules, stdlib_note)],
        f"  {builtin_line(builtin, list(extensions))}",
        f"  {modules_line(plan.build_manifest.get('modules', {}))}",
    ]
    lines += brought_lines(getattr(plan, "recipes", ()))
    if getattr(plan, "unfrozen", ()):
        lines.append(f"  unfrozen (UNFROZEN): {', '.join(plan.unfrozen)}: {len(unfrozen_files)} files in "
                     f"{os.path.join(plan.build_dir, 'lib', 'python' + plan.release.series)}, found by file lookups on "
                     "sys.path at import, as in a stock install (their extension modules stay built in); "
                     "`scons install` copies them beside the binary")
    for name in fallbacks:
        lines.append(f"  pure-Python fallback: {name} (its source has compiled code, its build made no "
                     f"extension module; {name}==VERSION! in MODULES makes that an error)")
    package_data = frozen_manifest.get("package_data", {})
    if package_data:
        lines.append(f"  package data: {sum(d['files'] for d in package_data.values())} files "
                     f"({human_size(sum(d['bytes'] for d in package_data.values()))}), "
                     "served by importlib.resources and importlib.metadata")
    by_path = frozen_manifest.get("data_by_path", [])
    if by_path:
        lines.append(f"  data read by path: {', '.join(by_path)} (written to $SLITHER_DATA_DIR, default /tmp, "
                     "once per node at first import)")
    lines += libraries_lines(components)
    for kind, text in getattr(plan, "library_origins", ()):
        lines.append(f"  {LIBRARY_LABELS.get(kind, kind)}: {text}")
    if getattr(plan, "mpi", None):
        lines.append(f"  MPI: {plan.mpi.description}")
        launchers = plan.mpi.recipe.launchers if plan.mpi.kind == "recipe" and plan.mpi.recipe else {}
        if "mpiexec" in launchers:
            bin_dir = os.path.dirname(binary_path)
            helpers = sorted(set(launchers) - {"mpiexec"})
            lines.append(f"  launcher: {os.path.join(bin_dir, 'mpiexec')}"
                         + (f" (with {', '.join(helpers)} beside it)" if helpers else "")
                         + f", e.g. {os.path.join(bin_dir, 'mpiexec')} -n 4 {binary_path} script.py")
    if left_out:
        lines.append("  not built in:")
        lines += [f"    {name}: {reason}" for name, reason in sorted(left_out.items())]
    warning = copyleft_warning(list(components), builtin)
    if warning:
        lines.append(f"  warning: {warning}")
    lines.append("  steps: " + ", ".join(f"{name} {outcome}" for name, outcome in outcomes.items()))
    return "\n".join(lines)
