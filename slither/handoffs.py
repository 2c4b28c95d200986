"""What the SCons tools (site_scons/site_tools/slither_*.py) hand each other: one record per step.

Each declaring method returns one of these instead of a dict or a list read by position, so that
a misspelt field fails when the build is declared, and what a step hands on is written down in one
place. The fields hold SCons nodes (File, Dir, Value) exactly as the tools made them: a record is
only a name for each node, and SCons sees the same nodes, dependencies and signatures as before.

The records live in the package rather than beside the tools because SCons puts a toolpath on
sys.path only while it loads a tool (and the harness's tool has another toolpath). Nothing here
imports SCons, and no build step imports this module, so it signs no step's cache key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A node of SCons (SCons.Node.FS.File, Dir, or Python.Value); typed loosely because this module
# is imported by code that runs without SCons too.
Node = Any


@dataclass(frozen=True)
class CPythonBuild:
    """CPython (slither_cpython): the step's four outputs and the host tree unpacked from the first."""
    directory: Node      # cpython-<version>-<target>/
    series: str          # "3.11"
    install: Node        # install.tar: the install tree, the stdlib's content
    library: Node        # libpython<series>.a
    link_flags: Node     # link.rsp: the libraries CPython's configure chose, for the final link
    info: Node           # info.json: built-in modules and the like
    host_python: Node    # host/bin/python<series>: the built interpreter, run by later steps
    host_dir: Node       # host/: install.tar unpacked (never cached)
    include_dir: Node    # host/include/python<series>


@dataclass(frozen=True)
class LibraryBuild:
    """LibraryBuild (slither_libraries): one library recipe's prefix archive and where it is unpacked."""
    recipe: Any                     # slither.recipes Recipe
    archive: Node                   # prefix.tar (cached; signs what compiles or links against it)
    prefix_dir: Node                # prefix/: the archive unpacked (never cached)
    marker: Node                    # prefix/.slither-prefix: written once the prefix is unpacked
    linkage: str                    # "static", or "shared" for the stock side of comparisons
    dependencies: tuple[LibraryBuild, ...] = ()  # the library recipes it depends_on, built first

    @property
    def name(self) -> str:
        return self.recipe.name


@dataclass(frozen=True)
class MpiSetup:
    """MpiSetup (slither_mpi): the MPI that packages using it and the final link get."""
    wrapper: str                 # the MPI C compiler wrapper, as one shell-quoted command
    inputs: tuple[Node, ...]     # what signs the MPI's identity (a built MPI's archive, or a Value)
    depends: tuple[Node, ...]    # what must exist first, unsigned (the unpacked MPI, the static check)
    link_flags: Node             # mpi.rsp: the final link's MPI flags
    library_dirs: tuple[str, ...]  # -L directories of a built MPI's prefix (outside signatures)
    check: Node                  # mpi-init-static: the proof that this MPI links fully static
    description: str


@dataclass(frozen=True)
class PackageBuild:
    """PackageBuild (slither_packages): one third-party package built through the capture layer."""
    recipe: Any          # slither.recipes Recipe (or what stands in for one, slither.plan.recipe_free)
    site: Node           # site.tar: its Python files
    archive: Node        # extensions.a: one relocatable object per extension module
    manifest: Node       # extensions.json: dotted names, init symbols, external libraries
    host_site: Node      # host-site.tar: its host tree, for builds that take it from the build

    @property
    def name(self) -> str:
        return self.recipe.name

    @property
    def version(self) -> str:
        return self.recipe.version


@dataclass(frozen=True)
class FrozenModules:
    """FreezeModules (slither_freeze): the frozen modules, ready to assemble and compile."""
    blob: Node            # frozen.bin: the marshalled code, which frozen_blob.S includes (.incbin)
    asm: Node             # frozen_blob.S
    table: Node           # frozen_table.c: CPython's frozen-module table
    manifest: Node        # frozen.json: what was frozen
    build_manifest: Node  # build-manifest.json: the build's inputs, for the binary's manifest


@dataclass(frozen=True)
class StaticPythonProducts:
    """Everything StaticPython declares that a user gets: what `scons` builds and `scons install` copies."""
    binary: Node                  # BUILD_DIR/bin/NAME
    trees: tuple[Node, ...]       # markers of the trees beside it (FREEZE=0's stdlib, UNFROZEN's packages)
    manifest: Node                # the binary's manifest.json
    launchers: tuple[Node, ...]   # MPICH's mpiexec and what it runs, in BUILD_DIR/bin

    def nodes(self) -> list[Node]:
        return [self.binary, *self.trees, self.manifest, *self.launchers]


class StaticPythonNodes(list):
    """What StaticPython returns: its products' nodes as a plain list, which Default(), Alias() and
    a user's SConstruct take as they are, carrying the record for InstallStaticPython."""

    def __init__(self, products: StaticPythonProducts):
        super().__init__(products.nodes())
        self.products = products
