"""From variables to a plan: validation of user input, and what the plan says."""

import pytest

from slither.plan import build_plan, resolve
from slither.recipes import loading
from slither.errors import SlitherError


def plan(target="gnu", modules="", source_dirs="", **overrides):
    """make_plan from variables as a user writes them, parsed as SConstruct parses them."""
    arguments = {"name": "python-static", "series": "3.11", "profile": loading.load_target(target),
                 "modules": build_plan.parse_module_list(modules),
                 "source_dirs": build_plan.parse_source_dirs(source_dirs)}
    arguments.update(overrides)
    return build_plan.plan_for(**arguments)


def test_default_plan_layout_and_pins(checkout):
    result = plan()
    assert result.binary_path == "build/bin/python-static"
    assert result.release.version == "3.11.2"
    assert result.cpython_dir == "build/cpython-3.11.2-gnu"
    assert {"test", "idlelib", "tkinter", "turtledemo", "ensurepip"} <= set(result.excludes)
    names = [p.rsplit("/", 1)[1] for p in result.patches]
    assert names == sorted(names)  # applied in name order
    assert "getpath-no-executable-probe-when-paths-fixed.patch" in names
    assert all(p.startswith(str(checkout / "patches" / "cpython-3.11")) for p in result.patches)


def test_manifest_records_every_input_by_hash():
    manifest = plan(series="3.13").build_manifest
    assert manifest["cpython"] == "3.13.5"
    assert manifest["inputs"]["Python-3.13.5.tar.xz"] == \
        "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
    assert manifest["inputs"]["getpath-no-executable-probe-when-paths-fixed.patch"]
    assert manifest["toolchain"]["CC"] == "gcc"


@pytest.mark.parametrize("overrides, message", [
    ({"series": "3.12"}, "PYTHON=3.12: unsupported; choose one of 3.11, 3.13"),
    ({"target": "gnx"}, "TARGET=gnx: unknown toolchain (did you mean gnu?)"),
    ({"target": "/nonexistent/profile.py"}, "no such profile file"),
    ({"name": "bin/python"}, "NAME='bin/python'"),
    ({"modules": "nunpy"}, "MODULES: no recipe for 'nunpy'"),
    ({"modules": "numpy,,==1"}, "malformed"),
    ({"source_dirs": "/nonexistent-dir"}, "SOURCES=/nonexistent-dir: not a directory"),
])
def test_bad_input_is_one_actionable_message(overrides, message):
    with pytest.raises(SlitherError) as error:
        plan(**overrides)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_site_profile_by_path_is_loaded(tmp_path):
    profile = tmp_path / "site_gcc.py"
    profile.write_text('CC = "gcc -march=x86-64-v2"\nCXX = "g++"\nFC = "gfortran"\nAR = "ar"\n'
                       'RANLIB = "ranlib"\nstatic_link_flags = ("-static",)\n')
    result = plan(target=str(profile))
    assert result.profile.CC == "gcc -march=x86-64-v2" and result.profile.name == "site_gcc"


def test_missing_compiler_is_named_with_the_fix(tmp_path):
    profile = tmp_path / "ghost.py"
    profile.write_text('CC = "ghost-cc -O2"\nCXX = "g++"\nFC = "gfortran"\nAR = "ar"\nRANLIB = "ranlib"\n')
    with pytest.raises(SlitherError) as error:
        plan(target=str(profile))
    assert "CC 'ghost-cc' not found on PATH" in str(error.value)


def test_incomplete_site_profile_names_what_is_missing(tmp_path):
    profile = tmp_path / "half.py"
    profile.write_text('CC = "cc"\n')
    with pytest.raises(SlitherError, match="lacks CXX, FC, AR, RANLIB"):
        plan(target=str(profile))


def test_a_missing_static_archive_is_named_with_its_package_before_anything_builds():
    from slither.recipes.recipe import Recipe
    from slither.recipes import StaticLibrary
    profile = build_plan.loading.load_target("gnu")
    needs = Recipe(name="needy", static_libraries=(StaticLibrary("libslither-none.a", "libslither-none-dev"),
                                                   StaticLibrary("libc.a", "libc6-dev")))
    with pytest.raises(SlitherError, match=r"^missing static libraries: libslither-none\.a for needy "
                                           r"\(apt-get install libslither-none-dev\)$"):
        resolve.check_static_libraries([needs], profile)


def without_archive(tmp_path, archive):
    """A site profile whose compiler behaves like gcc on a machine that lacks `archive`."""
    compiler = tmp_path / "cc-without-archive"
    compiler.write_text("#!/bin/sh\n"
                        f'case "$*" in *-l:{archive}*) echo "ld: cannot find -l:{archive}" >&2; exit 1;; esac\n'
                        'exec gcc "$@"\n')
    compiler.chmod(0o755)
    profile = tmp_path / "lacking.py"
    profile.write_text(f'CC = "{compiler}"\nCXX = "g++"\nFC = "gfortran"\nAR = "ar"\nRANLIB = "ranlib"\n'
                       'package_manager_hint = "apt-get install {package}"\n')
    return str(profile)


def test_missing_static_fortran_runtime_stops_the_plan_with_one_line_naming_the_debian_package(tmp_path):
    """OpenBLAS is built from source; its LAPACK needs gfortran's runtime from the system."""
    with pytest.raises(SlitherError) as error:
        plan(target=without_archive(tmp_path, "libgfortran.a"), modules="numpy")
    assert str(error.value) == ("missing static libraries: libgfortran.a for numpy "
                                "(apt-get install gfortran)")


def test_no_blas_variant_needs_no_static_blas(tmp_path):
    result = plan(target=without_archive(tmp_path, "libgfortran.a"), modules="numpy-noblas")
    assert [recipe.name for recipe in result.recipes] == ["numpy-noblas"]


def test_two_variants_of_one_package_are_refused():
    with pytest.raises(SlitherError, match="numpy and numpy-noblas are variants of the same package numpy"):
        plan(modules="numpy-noblas,numpy")


def test_numpy_recipe_asks_meson_for_openblas_and_nothing_else():
    numpy = {recipe.name: recipe for recipe in plan(modules="numpy").recipes}["numpy"]
    settings = numpy.config_settings
    assert {"setup-args=-Dblas=openblas", "setup-args=-Dlapack=openblas",
            "setup-args=-Dallow-noblas=false"} <= set(settings)
    assert numpy.depends_on == ("openblas",)   # built from source, found through its prefix's pkg-config
    assert [library.debian_package for library in numpy.static_libraries] == ["gfortran"]
    noblas = plan(modules="numpy-noblas").recipes[0]
    assert "setup-args=-Dblas=none" in noblas.config_settings and noblas.static_libraries == ()
    assert noblas.source == numpy.source


@pytest.mark.parametrize("names, freeze, message", [
    ("PyYAML-x", True, "UNFROZEN=PyYAML-x: give top-level package names"),
    ("markupsafe", False, "UNFROZEN needs FREEZE=1"),
])
def test_unfrozen_names_are_checked_before_any_build(names, freeze, message):
    with pytest.raises(SlitherError, match=message.replace("(", r"\(")):
        build_plan.check_unfrozen(build_plan.parse_name_list(names), freeze)


def test_unfrozen_packages_are_recorded_in_the_build_manifest_only_when_asked_for():
    profile = build_plan.loading.load_target("gnu")
    plain = build_plan.plan_for(name="p", series="3.11", profile=profile)
    assert "unfrozen" not in plain.build_manifest
    unfrozen = build_plan.plan_for(name="p", series="3.11", profile=profile, unfrozen=["mypkg"])
    assert unfrozen.build_manifest["unfrozen"] == ["mypkg"] and unfrozen.unfrozen == ("mypkg",)


@pytest.mark.parametrize("names, modules, message", [
    ("numpy", "numpy", "FROM_SDIST=numpy: not a MODULES entry without a recipe"),
    ("iniconfig", "numpy", "FROM_SDIST=iniconfig: not a MODULES entry without a recipe"),
    ("iniconfig", "iniconfig", "FROM_SDIST=iniconfig: not a MODULES entry without a recipe"),  # no version
])
def test_from_sdist_names_only_recipe_free_entries(names, modules, message):
    from slither.plan.module_entries import parse_entry
    entries = [parse_entry(text) for text in modules.split(",")]
    with pytest.raises(SlitherError, match=message):
        build_plan.check_from_sdist(build_plan.parse_name_list(names), entries, build_plan.available_modules())


def test_from_sdist_matches_names_as_the_package_index_does():
    from slither.plan.module_entries import parse_entry
    entries = [parse_entry("Ini_Config==2.1.0")]
    assert build_plan.check_from_sdist(["ini-config"], entries, build_plan.available_modules()) == {"ini-config"}


DEFAULT_EXCLUDES = ("test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "turtle")


def test_exclude_adds_to_the_defaults_and_minus_keeps_a_default_one_in():
    assert build_plan.parse_exclude("", DEFAULT_EXCLUDES) == tuple(sorted(DEFAULT_EXCLUDES))
    assert "json" in build_plan.parse_exclude("json", DEFAULT_EXCLUDES)
    assert set(build_plan.parse_exclude("json", DEFAULT_EXCLUDES)) >= set(DEFAULT_EXCLUDES)
    kept = build_plan.parse_exclude("-test,xmlrpc", DEFAULT_EXCLUDES)
    assert "test" not in kept and "xmlrpc" in kept and "idlelib" in kept


@pytest.mark.parametrize("text, message", [
    ("-json", "EXCLUDE=-json: json is not left out by default"),
    ("json/", "EXCLUDE entry 'json/': give a top-level stdlib package name"),
])
def test_exclude_errors_are_one_line(text, message):
    with pytest.raises(SlitherError, match=message) as refused:
        build_plan.parse_exclude(text, DEFAULT_EXCLUDES)
    assert "\n" not in str(refused.value)


def test_main_is_checked_at_plan_time_when_the_binary_holds_only_the_stdlib_and_freeze_paths(tmp_path):
    (tmp_path / "myapp").mkdir()
    (tmp_path / "tool.py").write_text("")
    for good in ("json.tool", "myapp.cli", "tool"):
        resolve.check_main_module(good, (), [str(tmp_path)])
    resolve.check_main_module("anything.at_all", ("numpy",), [])  # a package's name is known once built
    with pytest.raises(SlitherError, match=r"MAIN=not\.a\.module: the binary will have no module not "):
        resolve.check_main_module("not.a.module", (), [str(tmp_path)])
    with pytest.raises(SlitherError, match="give a dotted module name"):
        resolve.check_main_module("my-app", (), [])
