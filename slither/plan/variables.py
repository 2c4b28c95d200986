"""The build variables, each parsed once into one frozen record.

SConstruct reads the variables as text (`scons MODULES=numpy ...`) and parses them here, in
`parse_build_variables`; a foreign SConstruct or a test gives them as keywords of
`build_variables`, which runs the same parsers. Everything after (resolving the inputs,
slither.plan.resolve; the plan, slither.plan.build_plan; the SCons tool) takes the record and
never parses a variable again. Parsing reads no more than the recipe and profile files it
checks names against and the directories a variable names: no program runs, nothing is fetched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from slither.cache import default_cache_dir
from slither.cache.prune import parse_size
from slither.cache.trust import parse_trusted_groups
from slither.cpython import stdlib_libraries
from slither.errors import SlitherError
from slither.libraries import hdf5_variant
from slither.plan import openblas
from slither.plan.build_plan import (NAME_PATTERN, check_freeze_path_names, check_unfrozen, existing_directories,
                                     parse_exclude, parse_freeze_paths, parse_jobs, parse_module_entries, parse_mpi,
                                     parse_name_list, parse_source_dirs)
from slither.plan.module_entries import ModuleEntry
from slither.recipes import loading


@dataclass(frozen=True)
class BuildVariables:
    """What one `scons` run was asked for, parsed and checked; no fact about this machine (what
    the toolchain is, which locks and downloads exist) is in it: slither.plan.resolve finds those."""

    name: str                            # NAME: the binary, BUILD_DIR/bin/NAME
    series: str                          # PYTHON: a CPython release series of the recipe
    profile: loading.ToolchainProfile    # TARGET: the profile, loaded (its toolchain not yet probed)
    modules: tuple[ModuleEntry, ...] = ()   # MODULES, each entry read into a record
    freeze: bool = True                  # FREEZE
    excludes: tuple[str, ...] = ()       # EXCLUDE applied to the recipe's default exclusions
    build_dir: str = "build"             # BUILD_DIR
    source_dirs: tuple[str, ...] = ()    # SOURCES
    freeze_paths: tuple[str, ...] = ()   # FREEZE_PATHS
    main_module: str = ""                # MAIN
    mpi: str = ""                        # MPI: "", a recipe providing MPI, or system
    mpicc: str = "mpicc"                 # MPICC
    hdf5: str = ""                       # HDF5: "", serial or parallel
    blas_cpu: str = openblas.DYNAMIC     # BLAS_CPU
    unfrozen: tuple[str, ...] = ()       # UNFROZEN: top-level import names
    # FROM_SDIST: names of recipe-free entries (checked against MODULES once REQUIREMENTS is read)
    from_sdist: tuple[str, ...] = ()
    host_libraries: tuple[str, ...] = ()  # HOST_LIBRARIES
    without: tuple[str, ...] = ()        # WITHOUT: stdlib C modules left out, sorted
    frozen_sources: bool = True          # FROZEN_SOURCES
    requirements: str = ""               # REQUIREMENTS: a file, read when the inputs are resolved
    jobs: int | None = None              # JOBS (None: the cores here)
    verbose: bool = False                # VERBOSE
    # Where the build keeps and installs things, for SConstruct (a foreign SConstruct sets the
    # tool's SLITHER_CACHE_DIR and SLITHER_DOWNLOAD_STORE itself)
    cache_dir: str = ""                  # CACHE_DIR, ~ expanded ("" disables the cache)
    cache_max: int = 0                   # CACHE_MAX in bytes (0: never prune)
    cache_trust: tuple[str, ...] = ()    # CACHE_TRUST: groups whose cache entries this build uses
    prefix: str = "/usr/local"           # PREFIX of `scons install`

    @property
    def download_store(self) -> str:
        """Where sources and locks are kept: CACHE_DIR/downloads, or BUILD_DIR/downloads without a cache."""
        return os.path.join(self.cache_dir or self.build_dir, "downloads")

    @property
    def module_texts(self) -> tuple[str, ...]:
        """MODULES as the user wrote each entry (what the plan and the manifest record)."""
        return tuple(entry.text for entry in self.modules)


def parse_name(name) -> str:
    """NAME: the binary's file name in BUILD_DIR/bin."""
    if not NAME_PATTERN.match(name or ""):
        raise SlitherError(f"NAME={name!r}: use letters, digits, '.', '_', '+' or '-' (no '/')")
    return name


def parse_build_variables(values) -> BuildVariables:
    """SConstruct's variables (the construction variables' keys: TARGET_PROFILE, SOURCE_DIRS)
    as one record. A bad value raises SlitherError with one line naming the variable."""
    return build_variables(
        name=values["NAME"], series=values["PYTHON"], profile=values["TARGET_PROFILE"], modules=values["MODULES"],
        mpi=values["MPI"], hdf5=values["HDF5"], blas_cpu=values["BLAS_CPU"], jobs=values["JOBS"],
        source_dirs=values["SOURCE_DIRS"], freeze_paths=values["FREEZE_PATHS"],
        replace_stdlib=values["REPLACE_STDLIB"], exclude=values["EXCLUDE"], unfrozen=values["UNFROZEN"],
        from_sdist=values["FROM_SDIST"], without=values["WITHOUT"], host_libraries=values["HOST_LIBRARIES"],
        freeze=values["FREEZE"], frozen_sources=values["FROZEN_SOURCES"], main_module=values["MAIN"],
        mpicc=values["MPICC"], build_dir=values["BUILD_DIR"], requirements=values["REQUIREMENTS"],
        verbose=values["VERBOSE"], cache_dir=values["CACHE_DIR"], cache_max=values["CACHE_MAX"],
        cache_trust=values["CACHE_TRUST"], prefix=values["PREFIX"])


def build_variables(*, name="python-static", series=None, profile="gnu", modules=(), freeze=True, exclude=None,
                    build_dir="build", source_dirs=(), freeze_paths=(), replace_stdlib=(), main_module="",
                    mpi="", mpicc="mpicc", hdf5="", blas_cpu=openblas.DYNAMIC, unfrozen=(), from_sdist=(),
                    host_libraries=(), without=(), frozen_sources=True, requirements="", jobs=None,
                    verbose=False, cache_dir=None, cache_max="0", cache_trust="",
                    prefix="/usr/local") -> BuildVariables:
    """The record from keywords, each parsed by the parser of its variable: text as a user types
    it (MODULES="numpy,h5py") or values already split (modules=["numpy", "h5py"]). series None:
    the CPython recipe's DEFAULT_SERIES; profile: a TARGET name or path, or a loaded profile;
    exclude None: the recipe's default exclusions, text: EXCLUDE added to them, a list: exactly
    those. cache_dir None: the default cache (slither.cache.default_cache_dir)."""
    name = parse_name(name)
    cpython_recipe = loading.load_cpython_recipe()
    series = str(series or cpython_recipe.DEFAULT_SERIES)
    loading.cpython_release(series)  # an unsupported PYTHON is refused here, in one line
    if not isinstance(profile, loading.ToolchainProfile):
        profile = loading.load_target(str(profile))
    entries = parse_module_entries(modules)
    mpi = parse_mpi(mpi)
    hdf5 = hdf5_variant.parse_hdf5(hdf5)
    blas_cpu = openblas.parse_blas_cpu(blas_cpu)
    jobs = None if jobs is None else parse_jobs(jobs)
    cache_max = parse_size(str(cache_max))
    cache_trust = parse_trusted_groups(cache_trust if isinstance(cache_trust, str) else ",".join(cache_trust))
    source_dirs = (parse_source_dirs(source_dirs) if isinstance(source_dirs, str)
                   else existing_directories("SOURCES", list(source_dirs)))
    # Text is a set (sorted, each once); a list keeps its order, as callers gave it before.
    freeze_paths = (parse_freeze_paths(freeze_paths) if isinstance(freeze_paths, str)
                    else existing_directories("FREEZE_PATHS", list(freeze_paths)))
    check_freeze_path_names(freeze_paths, [entry.text for entry in entries], parse_name_list(replace_stdlib))
    if exclude is None:
        excludes = tuple(cpython_recipe.default_excludes)
    elif isinstance(exclude, str):
        excludes = parse_exclude(exclude, cpython_recipe.default_excludes)
    else:
        excludes = tuple(exclude)
    unfrozen = check_unfrozen(parse_name_list(unfrozen), freeze)
    without = stdlib_libraries.parse_without_modules(without, cpython_recipe)
    host_libraries = stdlib_libraries.parse_host_libraries(host_libraries, cpython_recipe)
    return BuildVariables(
        name=name, series=series, profile=profile, modules=entries, freeze=bool(freeze), excludes=excludes,
        build_dir=build_dir, source_dirs=tuple(source_dirs), freeze_paths=tuple(freeze_paths),
        main_module=main_module, mpi=mpi, mpicc=mpicc, hdf5=hdf5, blas_cpu=blas_cpu, unfrozen=unfrozen,
        from_sdist=tuple(parse_name_list(from_sdist)), host_libraries=tuple(host_libraries),
        without=tuple(sorted(without)), frozen_sources=bool(frozen_sources), requirements=str(requirements or ""),
        jobs=jobs, verbose=bool(verbose),
        cache_dir=os.path.expanduser(default_cache_dir() if cache_dir is None else cache_dir),
        cache_max=cache_max, cache_trust=tuple(cache_trust), prefix=str(prefix))
