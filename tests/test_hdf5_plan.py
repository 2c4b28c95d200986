"""Serial or parallel HDF5 for h5py, chosen in the plan (slither.libraries.hdf5_variant): fast tests."""

import pytest

from conftest import run_scons
from slither.errors import SlitherError
from slither.libraries import hdf5_variant
from slither.plan import build_plan
from slither.recipes import loading


def plan(modules, hdf5=""):
    return build_plan.plan_for(name="python-static", series="3.11", profile=loading.load_target("gnu"),
                                modules=modules, hdf5=hdf5)


def by_name(made):
    return {recipe.name: recipe for recipe in made.recipes}


def test_h5py_without_mpi4py_builds_serial_hdf5_and_no_mpi():
    made = plan(["numpy", "h5py"])
    recipes = by_name(made)
    assert made.mpi is None and "mpich" not in recipes
    assert "--enable-parallel" not in recipes["hdf5"].configure_flags
    assert "HDF5_MPI" not in recipes["h5py"].build_environment
    # numpy (its C API) and HDF5 come before h5py; numpy is on h5py's build path
    names = [recipe.name for recipe in made.recipes]
    assert names.index("numpy") < names.index("h5py") and names.index("hdf5") < names.index("h5py")
    from slither.plan.package_set import build_path_names
    assert build_path_names(recipes["h5py"], list(made.recipes)) == ("numpy",)


def test_h5py_with_mpi4py_builds_parallel_hdf5_with_the_builds_mpi():
    made = plan(["h5py", "mpi4py", "numpy"])
    recipes = by_name(made)
    assert made.mpi.kind == "recipe" and made.mpi.recipe.name == "mpich"
    assert "--enable-parallel" in recipes["hdf5"].configure_flags
    assert recipes["h5py"].build_environment["HDF5_MPI"] == "ON"
    from slither.recipes import module_recipes
    from slither.plan.package_set import build_path_names
    assert module_recipes.uses_mpi(recipes["hdf5"]) and module_recipes.uses_mpi(recipes["h5py"])
    assert build_path_names(recipes["h5py"], list(made.recipes)) == ("numpy", "mpi4py")
    names = [recipe.name for recipe in made.recipes]
    assert names.index("mpi4py") < names.index("h5py")


def test_the_stated_variant_must_agree_with_modules():
    with pytest.raises(SlitherError, match=r"^HDF5=serial with mpi4py in MODULES: h5py would be built without MPI"):
        plan(["numpy", "mpi4py", "h5py"], hdf5="serial")
    with pytest.raises(SlitherError, match=r"^HDF5=parallel needs mpi4py in MODULES"):
        plan(["numpy", "h5py"], hdf5="parallel")
    with pytest.raises(SlitherError, match=r"^HDF5=serial: no package in MODULES uses HDF5"):
        plan(["numpy"], hdf5="serial")
    # agreeing with MODULES is accepted
    assert "--enable-parallel" in by_name(plan(["numpy", "mpi4py", "h5py"], hdf5="parallel"))["hdf5"].configure_flags


def test_an_unknown_hdf5_value_is_refused():
    with pytest.raises(SlitherError, match=r"^HDF5=mpio: choose one of serial, parallel"):
        hdf5_variant.parse_hdf5("mpio")
    assert hdf5_variant.parse_hdf5(" Parallel ") == "parallel" and hdf5_variant.parse_hdf5("") == ""


def test_scons_says_one_line_and_exits_2_before_building(tmp_path):
    result = run_scons([f"BUILD_DIR={tmp_path / 'build'}", "MODULES=numpy,mpi4py,h5py", "HDF5=serial"])
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        "scons: *** HDF5=serial with mpi4py in MODULES: h5py would be built without MPI and could not open "
        "a file with driver='mpio'; drop HDF5= (parallel is the default with mpi4py) or drop mpi4py"]
    assert not any(line.startswith(("library build", "package build", "cpython build")) for line in result.stdout.splitlines())


def test_netcdf4_with_mpi4py_builds_netcdf_c_and_netcdf4_with_the_builds_mpi_over_parallel_hdf5():
    made = plan(["netcdf4", "mpi4py", "numpy"])
    recipes = by_name(made)
    from slither.recipes import module_recipes
    from slither.plan.package_set import build_path_names
    assert "--enable-parallel" in recipes["hdf5"].configure_flags
    assert module_recipes.uses_mpi(recipes["netcdf-c"]) and module_recipes.uses_mpi(recipes["netcdf4"])
    assert "mpi4py" in build_path_names(recipes["netcdf4"], list(made.recipes))
    names = [recipe.name for recipe in made.recipes]
    assert names.index("hdf5") < names.index("netcdf-c") < names.index("netcdf4")


def test_netcdf4_without_mpi4py_is_serial_all_the_way_down():
    made = plan(["netcdf4", "numpy"])
    recipes = by_name(made)
    from slither.recipes import module_recipes
    assert made.mpi is None
    assert "--enable-parallel" not in recipes["hdf5"].configure_flags
    assert not module_recipes.uses_mpi(recipes["netcdf-c"]) and not module_recipes.uses_mpi(recipes["netcdf4"])
