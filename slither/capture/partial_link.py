"""Turn the inputs of an extension's `-shared` link into one relocatable object.

`ld -r` merges the link's own objects with the package-private static archives; libraries from
outside the package tree (libm, libmpi, BLAS, libstdc++) stay external and are only recorded,
so the final link resolves each of them once for the interpreter and every extension.

Archives are NOT wrapped in --whole-archive: `ld -r` pulls exactly the members that resolve an
undefined symbol, which is what the real `-shared` link put into the .so. A `-Wl,--whole-archive`
the package wrote itself is kept, in place.

Symbol policy, so that each static extension keeps the private namespace a .so loaded with
RTLD_LOCAL has (two extensions may both carry npymath, Cython utility code or `int helper()`):
- Every defined global except PyInit_<name> becomes local, weak ones (C++ inline functions,
  template instances, vtables, typeinfo) included: a different copy in another extension, even
  an ODR-violating one, can then never replace this one. Undefined references stay global.
- COMDAT groups are dissolved (the `.group` sections removed, their members kept). `ld -r`
  already merged duplicates inside the extension; left in place, the final link would discard
  one extension's group because another has a group of the same signature name, leaving its
  now-local symbols "defined in discarded section".
- STB_GNU_UNIQUE symbols (static locals of inline functions, template static members) are
  weakened first, because objcopy does not localize them and the final link would otherwise
  merge them across extensions. (ld.so unifies them even across RTLD_LOCAL libraries; here each
  extension gets its own, which is what the extension's own code can observe as a .so anyway.)
- Typeinfo stays correct across extensions: libstdc++ compares type_info by mangled name, so
  an exception thrown in one extension's copy is caught by another's. std:: typeinfo, vtables
  and operator new/delete are undefined here and resolve once to libstdc++.
- Common symbols (-fcommon) are allocated (`ld -r -d`): a COMMON cannot be made local.
Known difference: C++ static constructors in the object run when the program starts, not at
import time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..commands import capture
from ..errors import SlitherError
from .driver_arguments import LinkCommand


@dataclass(frozen=True)
class Toolchain:
    ld: str
    objcopy: str
    nm: str


def find_toolchain_program(driver: list[str], name: str) -> str:
    """The `ld`/`objcopy`/`nm` that belongs to a compiler driver (cross toolchains included)."""
    try:
        answer = subprocess.run([*driver, f"-print-prog-name={name}"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True).stdout.strip()
    except OSError:
        answer = ""
    located = answer if os.sep in answer else shutil.which(answer or name)
    if not located:
        raise SlitherError(f"no {name} found for compiler {' '.join(driver)}; install binutils or pass {name}=")
    return located


def is_under(path: Path, roots: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


@dataclass
class PartialLinkPlan:
    ld_inputs: list[str] = field(default_factory=list)        # objects, private archives, markers
    libraries: list[str] = field(default_factory=list)        # external -l names, in order
    library_dirs: list[str] = field(default_factory=list)     # -L dirs outside the package tree
    external_inputs: list[str] = field(default_factory=list)  # .a/.so paths outside the tree
    private_libraries: list[str] = field(default_factory=list)  # captured private .so objects


def find_library(name: str, library_dirs: list[Path]) -> Path | None:
    """Where `-l<name>` resolves among the -L dirs, shared before static within a dir as ld does.

    The toolchain's default directories are not searched: whatever is only found there is a
    system library, external by definition.
    """
    candidates = [name[1:]] if name.startswith(":") else [f"lib{name}.so", f"lib{name}.a"]
    for directory in library_dirs:
        for candidate in candidates:
            if (directory / candidate).is_file():
                return directory / candidate
    return None


def plan_partial_link(command: LinkCommand, *, package_roots: list[Path], cwd: Path,
                      archives_of_the_build: frozenset[Path] = frozenset(),
                      private_libraries: dict[str, str] | None = None) -> PartialLinkPlan:
    """Sort the link's inputs into merged (package-private) and external (recorded).
    Archives the build made with `ar` (archives_of_the_build) are private wherever they are.
    private_libraries: {real path: captured object} of the package's own shared libraries,
    which the link references (linked once into the binary) instead of merging."""
    private_libraries = private_libraries or {}

    def private_shared(path: Path) -> str:
        captured = private_libraries.get(str(path.resolve()))
        if captured is None:
            raise SlitherError(f"links the package's own shared library {path}, which was not linked "
                               "through the slither wrappers; build it static")
        return captured

    def is_private(path: Path) -> bool:
        return is_under(path, package_roots) or path.resolve() in archives_of_the_build

    if command.sources:
        raise SlitherError(f"the link also compiles {command.sources[0]}; only links of object files can be captured")
    library_dirs = [cwd / directory for directory in command.library_dirs]
    plan = PartialLinkPlan(library_dirs=[str(directory.resolve()) for directory in library_dirs
                                         if not is_under(directory, package_roots)])
    for link_input in command.inputs:
        if link_input.kind == "marker":
            plan.ld_inputs.append(link_input.value)
            continue
        if link_input.kind == "library":
            path = find_library(link_input.value, library_dirs)
            if path is None or not (is_under(path, package_roots) or (
                    path.with_suffix(".a").resolve() in archives_of_the_build)):
                plan.libraries.append(link_input.value)
                continue
            if path.suffix != ".a":
                static = path.with_name(path.name[: -len(".so")] + ".a")
                if not static.is_file():
                    if str(path.resolve()) in private_libraries:
                        plan.private_libraries.append(private_shared(path))
                        continue
                    raise SlitherError(f"-l{link_input.value} is the package's own shared library {path}; "
                                       f"build it static (no lib{link_input.value}.a beside it)")
                path = static
            plan.ld_inputs.append(str(path))
            continue
        path = cwd / link_input.value
        if link_input.kind == "object" or (link_input.kind == "archive" and is_private(path)):
            plan.ld_inputs.append(str(path))
        elif link_input.kind == "shared" and is_under(path, package_roots):
            plan.private_libraries.append(private_shared(path))
        else:
            plan.external_inputs.append(str(path.resolve()))
    if not any(Path(item).suffix != ".a" and not item.startswith("--") for item in plan.ld_inputs):
        raise SlitherError("the link has no object files to capture")
    # An unbalanced --whole-archive from the package must not leak past our inputs.
    if "--whole-archive" in plan.ld_inputs:
        plan.ld_inputs.append("--no-whole-archive")
    opened_groups = plan.ld_inputs.count("--start-group") + plan.ld_inputs.count("-(")
    closed_groups = plan.ld_inputs.count("--end-group") + plan.ld_inputs.count("-)")
    plan.ld_inputs.extend(["--end-group"] * (opened_groups - closed_groups))
    return plan


def defined_symbols(nm: str, *paths: Path, external_only: bool = False) -> dict[str, str]:
    """{symbol name: nm type letter} of the symbols the files define."""
    command = [nm, "-P", "--defined-only", *(["-g"] if external_only else []), *map(str, paths)]
    symbols = {}
    for line in capture(command, what="nm").splitlines():
        words = line.split()
        if len(words) >= 2 and not line.endswith(":"):
            symbols[words[0]] = words[1]
    return symbols


def link_relocatable(toolchain: Toolchain, plan: PartialLinkPlan, output: Path) -> None:
    capture([toolchain.ld, "-r", "-d", "-o", str(output), *plan.ld_inputs], what="ld -r")


def keep_globals_apart(toolchain: Toolchain, path: Path) -> None:
    """A private shared library's object: its globals stay (the extensions that link it call
    them), its COMDAT groups are dissolved as an extension's are, for the same reason."""
    capture([toolchain.objcopy, "--remove-section=.group", str(path)], what="objcopy (dissolve COMDAT groups)")


def localize_all_but(toolchain: Toolchain, path: Path, keep_symbol: str) -> None:
    """Leave `keep_symbol` the only global definition in `path` (policy in the module docstring)."""
    if keep_symbol not in defined_symbols(toolchain.nm, path, external_only=True):
        raise SlitherError(f"its objects do not define {keep_symbol} (an LTO build? add -fno-lto)")
    unique = [name for name, kind in defined_symbols(toolchain.nm, path).items() if kind == "u"]
    capture([toolchain.objcopy, "--remove-section=.group",
             *(f"--weaken-symbol={name}" for name in unique), str(path)], what="objcopy (dissolve COMDAT groups)")
    capture([toolchain.objcopy, f"--keep-global-symbol={keep_symbol}", str(path)], what="objcopy (localize)")
    remaining = sorted(defined_symbols(toolchain.nm, path, external_only=True))
    if remaining != [keep_symbol]:
        raise SlitherError(f"symbols still global after localizing: {', '.join(remaining[:5])}")
