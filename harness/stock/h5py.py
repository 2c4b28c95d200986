"""The stock side of h5py comparisons: a venv of the stock interpreter with numpy, (mpi4py,) and
h5py, each built from its recipe's sdist with the recipe's options, h5py against the stock
shared HDF5 (harness.stock.hdf5) of the same variant as the binary's: serial, or parallel with
mpi4py and HDF5 against the shared MPI of `scons reference-mpi` (harness.stock.mpi).

The recipes are the ones the binary was built with, turned into the variant by the plan's own
rule (slither.libraries.hdf5_variant.apply: HDF5_MPI=ON for h5py), and h5py's build_environment
is the recipe's with {prefix:hdf5} made the stock HDF5's prefix. The sdists are built as they
are: the recipe's patches make the static build possible (no rpath, no ctypes probe of a
shared libhdf5) and change nothing the tests see, so a stock install has none of them; h5py's
setup then gives its extensions the run-time search path to HDF5's lib/, as from any source
build. With MPI, h5py is compiled by the MPI's wrapper (CC, as h5py's documentation says).
"""

from __future__ import annotations

from pathlib import Path

from slither.errors import SlitherError
from slither.libraries import hdf5_variant
from slither.recipes import module_recipes
from harness.stock import hdf5 as stock_hdf5
from harness.stock import mpi as stock_mpi
from harness.stock.packages import StockBuild, venv_site_packages, venv_with_packages

PREFIX_PLACEHOLDER = "{prefix:%s}" % hdf5_variant.HDF5_RECIPE


def binary_variant(build: dict) -> str:
    """serial or parallel, as the binary's manifest says (mpi4py among its modules: parallel)."""
    modules = build.get("modules", {})
    if hdf5_variant.H5PY_RECIPE not in modules:
        raise SlitherError(f"the binary has no {hdf5_variant.H5PY_RECIPE} built in")
    return "parallel" if hdf5_variant.MPI_PACKAGE in modules else "serial"


def variant_recipes(build: dict, variant: str) -> dict:
    """{name: recipe} of the binary's h5py, its HDF5 and the packages h5py builds against, as
    the plan makes them for `variant`."""
    names = [hdf5_variant.HDF5_RECIPE, "numpy", hdf5_variant.H5PY_RECIPE]
    if variant == "parallel":
        names.insert(2, hdf5_variant.MPI_PACKAGE)
    numpy_recipe = next((name for name in build.get("modules", {})
                         if name.startswith("numpy")), "numpy")  # numpy or numpy-noblas
    recipes = tuple(module_recipes.load_module_recipe(numpy_recipe if name == "numpy" else name) for name in names)
    for recipe in recipes:
        built = build.get("modules", {}).get(recipe.name, {}).get("version")
        if built and built != recipe.version:
            raise SlitherError(f"the binary has {recipe.name} {built}, but its recipe now pins {recipe.version}; "
                               f"rebuild the binary")
    return {recipe.name if not recipe.name.startswith("numpy") else "numpy": recipe
            for recipe in hdf5_variant.apply(variant, recipes)}


def h5py_build_environment(recipe, hdf5_prefix: Path, mpi_prefix: Path | None, mpi_wrapper: str) -> dict:
    """The recipe's build_environment for the stock build: HDF5_DIR the stock HDF5; with MPI,
    CC (and MPICC) the shared MPI's wrapper and the MPI's lib/ searched at run time."""
    environment = {key: value.replace(PREFIX_PLACEHOLDER, str(hdf5_prefix))
                   for key, value in recipe.build_environment.items()}
    if environment.get("HDF5_MPI") == "ON":
        if mpi_prefix is None:
            raise SlitherError("a parallel stock h5py needs the shared MPI (`scons reference-mpi`)")
        wrapper = str(Path(mpi_prefix) / mpi_wrapper)
        environment.update(CC=wrapper, MPICC=wrapper, LDFLAGS=f"-Wl,-rpath,{Path(mpi_prefix) / 'lib'}")
    return environment


def check_h5py_extensions(site_packages: Path, hdf5_prefix: Path) -> str:
    """h5py's HDF5 bindings (h5py.defs, which every other module's HDF5 calls go through, and
    each extension that needs a libhdf5) need the stock HDF5's shared library and search its
    lib/ for it (h5py._npystrings calls no HDF5); returns that soname."""
    library_dir = Path(hdf5_prefix) / "lib"
    extensions = sorted((Path(site_packages) / "h5py").glob("*.so"))
    if not extensions:
        raise SlitherError(f"the stock h5py build left no h5py/*.so in {site_packages}")
    provided = sorted(path.name for path in library_dir.glob("libhdf5.so.*"))
    for extension in extensions:
        needed, paths = stock_mpi.dynamic_section(extension)
        needs_hdf5 = any(name.startswith("libhdf5") for name in needed)
        if (needs_hdf5 or extension.name.startswith("defs.")) and (not needs_hdf5 or str(library_dir) not in paths):
            raise SlitherError(f"{extension.name} is not linked against {library_dir}'s libhdf5.so "
                               f"(needs {', '.join(needed) or 'nothing'}; searches {':'.join(paths) or 'no path'})")
    return provided[0] if provided else "libhdf5.so"


def stock_h5py_venv(stock_python: str, build: dict, build_dir: Path, work: Path, source_dirs: list[Path], *,
                    stock_mpi_prefix: str = "", jobs: int | None = None) -> tuple[Path, str]:
    """(the venv's python, what its HDF5 and MPI are) for the binary's variant."""
    variant = binary_variant(build)
    recipes = variant_recipes(build, variant)
    mpi_prefix, mpi_identity, mpi_recipe, wrapper = stock_mpi.stock_mpi_for_variant(
        variant, Path(build_dir), build["target"], stock_mpi_prefix)
    hdf5_prefix = stock_hdf5.shared_hdf5(work, variant, mpi_prefix=mpi_prefix, mpi_wrapper=wrapper,
                                         mpi_identity=mpi_identity, source_dirs=source_dirs, jobs=jobs)
    hdf5_identity = {"hdf5": (hdf5_prefix.parent / "stamp.json").read_text()}
    builds = [StockBuild(recipes["numpy"])]
    if variant == "parallel":
        library_dir = str(mpi_prefix / "lib")
        builds.append(StockBuild(recipes[hdf5_variant.MPI_PACKAGE],
                                 stock_mpi.build_environment(mpi_prefix, wrapper, library_dir),
                                 {"mpi": mpi_identity, "runpath": library_dir}))
    builds.append(StockBuild(recipes[hdf5_variant.H5PY_RECIPE],
                             h5py_build_environment(recipes[hdf5_variant.H5PY_RECIPE], hdf5_prefix, mpi_prefix,
                                                    wrapper),
                             {**hdf5_identity, "mpi": mpi_identity}))
    python = venv_with_packages(stock_python, builds, work, source_dirs)
    site = venv_site_packages(python.parent.parent)
    soname = check_h5py_extensions(site, hdf5_prefix)
    described = f"HDF5 {recipes[hdf5_variant.HDF5_RECIPE].version} {variant}, shared ({soname} from {hdf5_prefix / 'lib'})"
    if variant == "parallel":
        mpi_soname = stock_mpi.checked_mpi4py_extension(site, mpi_prefix / "lib", str(mpi_prefix / "lib"))
        described += f"; {mpi_recipe.name} {mpi_recipe.version} shared ({mpi_soname})"
    return python, described
