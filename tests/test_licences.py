"""Licences: every recipe and library declares one, the manifest lists what really went in,
`inspect --licenses` prints it, and the summary warns when GPL code is linked in."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from slither.errors import SlitherError
from slither.inspect.manifest import format_licences
from slither.inspect.summary import format_summary
from slither.cpython import stdlib_libraries
from slither.plan import build_plan, licences
from slither.inspect.copyleft import is_strong_copyleft
from slither.recipes import Source, module_recipes
from slither.recipes.recipe import Recipe, is_spdx_expression
from slither.recipes.loading import load_cpython_recipe
from slither.plan.package_licence import licence_from_metadata, metadata_of

from manifest_samples import MANIFEST

ROOT = Path(__file__).resolve().parent.parent
CPYTHON_BUILTIN = ["_bz2", "_ctypes", "_curses", "_decimal", "_gdbm", "_hashlib", "_lzma", "_sqlite3",
                   "_ssl", "_uuid", "pyexpat", "readline", "zlib"]


def plan(target="gnu", **overrides):
    from slither.recipes import loading
    return build_plan.plan_for(**{"name": "python-static", "series": "3.11", "profile": loading.load_target(target),
                                   **overrides})


def in_binary(the_plan, builtin=CPYTHON_BUILTIN, link_flags=()):
    candidates = licences.licence_candidates(the_plan, load_cpython_recipe(), {"libreadline-dev": "8.2-1.3"},
                                             "12.2.0")
    return licences.components_in_binary(licences.candidates_as_data(candidates), builtin, list(link_flags))


def test_every_recipe_and_static_library_has_an_spdx_licence():
    for name in module_recipes.module_recipe_names():
        recipe = module_recipes.load_module_recipe(name)
        assert is_spdx_expression(recipe.licence), (name, recipe.licence)
        for library in recipe.static_libraries:
            assert is_spdx_expression(library.licence), (name, library)
    example = module_recipes.load_module_recipe("msgpack", ROOT / "docs" / "recipe_example")
    assert example.licence == "Apache-2.0"


def test_cpython_its_bundled_libraries_and_every_stdlib_archive_have_an_spdx_licence():
    recipe = load_cpython_recipe()
    assert recipe.licence == "PSF-2.0"
    for release in recipe.releases.values():
        assert {library.name for library in release.bundled_libraries} == {"expat", "mpdecimal"}
        assert all(is_spdx_expression(library.licence) for library in release.bundled_libraries)
    for library in recipe.stdlib_libraries:
        assert is_spdx_expression(library.licence), library


@pytest.mark.parametrize("text, valid", [("BSD-3-Clause", True), ("GPL-3.0-or-later WITH GCC-exception-3.1", True),
                                         ("(MIT OR Apache-2.0) AND BSD-3-Clause", True),
                                         ("Apache 2.0", False), ("", False), ("BSD License", False)])
def test_what_counts_as_an_spdx_expression(text, valid):
    assert is_spdx_expression(text) is valid


def test_a_recipe_without_a_licence_is_refused_in_one_line(tmp_path):
    (tmp_path / "packages").mkdir()
    (tmp_path / "packages" / "odd.py").write_text(
        "from slither.recipes import pinned_sdist\nname = 'odd'\nversion = '1'\n"
        f"source = pinned_sdist('odd', '1', 'odd-1.tar.gz', '{'0' * 64}')\nbuild_system = 'setuptools'\n")
    with pytest.raises(SlitherError, match=r"odd.py: recipe lacks licence \(its SPDX id"):
        module_recipes.load_module_recipe("odd", modules_dir=tmp_path)
    (tmp_path / "packages" / "odd.py").write_text((tmp_path / "packages" / "odd.py").read_text()
                                                  + "licence = 'BSD licence'\n")
    with pytest.raises(SlitherError, match="'BSD licence' is not an SPDX license expression"):
        module_recipes.load_module_recipe("odd", modules_dir=tmp_path)


@pytest.mark.parametrize("metadata, expected", [
    ("Metadata-Version: 2.4\nName: a\nLicense-Expression: MIT OR Apache-2.0\n", ("MIT OR Apache-2.0", "License-Expression")),
    ("Metadata-Version: 2.1\nName: a\nLicense: Apache 2.0\n", ("Apache-2.0", "License")),
    ("Metadata-Version: 2.1\nName: a\nLicense: BSD-3-Clause\n", ("BSD-3-Clause", "License")),
    ("Metadata-Version: 2.1\nName: a\nClassifier: License :: OSI Approved :: MIT License\n", ("MIT", "Classifier")),
    # "BSD License" does not say which BSD: not guessed
    ("Metadata-Version: 2.1\nName: a\nLicense: Copyright 2010 Pallets\n"
     "Classifier: License :: OSI Approved :: BSD License\n", ("unknown", "no licence in the metadata")),
    ("Metadata-Version: 2.1\nName: a\n", ("unknown", "no licence in the metadata")),
])
def test_a_package_without_a_recipe_takes_its_licence_from_its_metadata(metadata, expected):
    assert licence_from_metadata(metadata) == expected


def test_metadata_is_read_from_an_sdist(tmp_path):
    from conftest import make_tarball
    sdist = make_tarball(tmp_path / "thing-1.0.tar.gz", [
        ("thing-1.0/PKG-INFO", b"Metadata-Version: 2.4\nName: thing\nLicense-Expression: ISC\n"),
        ("thing-1.0/setup.py", b"")])
    assert licence_from_metadata(metadata_of(sdist)) == ("ISC", "License-Expression")


def test_the_manifest_lists_cpython_and_only_the_libraries_of_modules_built_in():
    components = {c["name"]: c for c in in_binary(plan(), builtin=["_ssl", "pyexpat", "readline", "zlib"])}
    assert components["cpython"]["licence"] == "PSF-2.0" and components["cpython"]["version"] == "3.11.2"
    openssl = module_recipes.load_module_recipe("openssl")
    assert components["openssl"] == {
        "name": "openssl", "version": openssl.version, "licence": "Apache-2.0", "used_by": ["_ssl"],
        "origin": f"recipe modules/libraries/openssl.py, source {openssl.source.filename} "
                  f"sha256:{openssl.source.sha256}"}
    assert components["libedit"]["used_by"] == ["readline"] and components["libedit"]["licence"] == "BSD-3-Clause"
    assert components["ncurses"]["used_by"] == ["readline"]
    assert components["expat"]["used_by"] == ["pyexpat"]
    assert components["glibc"]["licence"] == "LGPL-2.1-or-later"
    assert components["libgcc"]["licence"] == "GPL-3.0-or-later WITH GCC-exception-3.1"
    for absent in ("gdbm", "readline", "sqlite", "mpdecimal", "libquadmath", "libstdc++", "tcl"):
        assert absent not in components, absent
    assert [c["name"] for c in in_binary(plan())].count("ncurses") == 1  # readline and curses share it


def test_a_default_binary_links_no_gpl_only_code():
    assert not [c for c in in_binary(plan()) if is_strong_copyleft(c["licence"])]


def _host_readline_plan():
    from slither.plan.host_libraries import archive_path
    import os
    if not archive_path("gcc", "libreadline.a", dict(os.environ)):
        pytest.skip("this host has no libreadline.a (libreadline-dev) to take")
    return plan(host_libraries=("readline",))


def test_gnu_readline_from_the_host_is_listed_with_its_package():
    components = {c["name"]: c for c in in_binary(_host_readline_plan())}
    readline = components["readline"]
    assert readline["licence"] == "GPL-3.0-or-later" and readline["used_by"] == ["readline"]
    assert readline["origin"].startswith("host archive /") and "libreadline.a (libreadline-dev " in readline["origin"]
    assert readline["origin"].endswith("; HOST_LIBRARIES)") and readline["version"]
    assert "libedit" not in components


def test_gfortran_runtime_is_listed_only_when_the_final_link_names_it():
    numpy = plan(modules=["numpy"])
    names = {c["name"]: c for c in in_binary(numpy, link_flags=["-lopenblas", "-lgfortran", "-lquadmath", "-lm"])}
    assert names["numpy"]["licence"] == "BSD-3-Clause" and names["numpy"]["origin"].startswith("recipe modules/packages/numpy.py, source numpy-")
    # OpenBLAS and the LAPACK merged into it are recipes built from source
    assert names["openblas"]["licence"] == names["lapack"]["licence"] == "BSD-3-Clause"
    assert names["openblas"]["origin"].startswith("recipe modules/libraries/openblas.py, source openblas_")
    assert names["libgfortran"]["licence"] == "GPL-3.0-or-later WITH GCC-exception-3.1"
    assert names["libquadmath"]["licence"] == "LGPL-2.0-or-later"
    unlinked = {c["name"] for c in in_binary(numpy, link_flags=["-lm"])}
    assert "numpy" in unlinked and not {"libgfortran", "libquadmath"} & unlinked


def test_mpich_built_from_its_recipe_is_listed_with_its_licence():
    names = {c["name"]: c for c in in_binary(plan(modules=["mpi4py"]))}
    assert names["mpich"]["licence"] == "mpich2" and names["mpich"]["version"] == "4.0.2"
    assert names["mpi4py"]["licence"] == "BSD-3-Clause"


def test_a_package_without_a_recipe_shows_where_its_licence_came_from():
    recipe = Recipe(name="thing", version="1.0", source=Source("thing-1.0.tar.gz", "0" * 64),
                                   build_system="setuptools", licence="ISC",
                                   recipe_free=True, licence_field="License-Expression")
    names = {c["name"]: c for c in in_binary(replace(plan(), recipes=(recipe,)))}
    assert names["thing"]["licence"] == "ISC"
    assert names["thing"]["origin"] == "package metadata of thing-1.0.tar.gz (License-Expression); no recipe"


def test_copyleft_is_strong_only_without_an_exception():
    assert is_strong_copyleft("GPL-3.0-or-later")
    assert not is_strong_copyleft("GPL-3.0-or-later WITH GCC-exception-3.1")
    assert not is_strong_copyleft("LGPL-2.1-or-later")
    assert not is_strong_copyleft("MIT OR GPL-2.0-only")


class _Plan:
    excludes, freeze, modules, mpi = ("test",), True, (), None
    build_manifest = {"modules": {}}
    release = type("Release", (), {"version": "3.11.2"})
    profile = type("Profile", (), {"name": "gnu"})


def _summary(components, builtin=CPYTHON_BUILTIN):
    return format_summary("build/bin/python-static", 1 << 20, _Plan(), {"builtin_modules": builtin},
                          {"modules": []}, {"cpython": "built"}, components)


def test_the_summary_warns_in_one_line_naming_the_variable_that_leaves_gpl_code_out():
    warnings = [line for line in _summary(in_binary(_host_readline_plan())).splitlines() if "GPL" in line]
    assert warnings == ["  warning: licence: GPL-3.0-or-later code is linked in (readline for readline): the binary "
                        "as distributed falls under it; HOST_LIBRARIES without readline leaves it out"]


def test_no_warning_by_default():
    assert "warning" not in _summary(in_binary(plan()))


def test_without_takes_only_stdlib_modules_the_recipe_knows():
    recipe = load_cpython_recipe()
    assert stdlib_libraries.parse_without_modules("readline, _gdbm,", recipe) == ["_gdbm", "readline"]
    assert stdlib_libraries.parse_without_modules("", recipe) == []
    with pytest.raises(SlitherError, match="WITHOUT=readlin: not a stdlib C module"):
        stdlib_libraries.parse_without_modules("readlin", recipe)


def test_without_leaves_the_module_out_and_its_library_unbuilt(tmp_path):
    from slither.cpython.build import plan_stdlib_extensions
    from slither.recipes.loading import load_target
    prefixes = {name: tmp_path / name for name in ("zlib", "bzip2", "xz", "sqlite", "openssl", "libffi", "libuuid",
                                                   "ncurses")}
    left_out, assignments = plan_stdlib_extensions(load_cpython_recipe(), load_target("gnu"), {"PATH": "/usr/bin:/bin"},
                                                   prefixes, without=("readline",))
    assert "libedit" not in [recipe.name for recipe in plan(without=("readline",)).target_libraries]
    assert left_out["readline"] == "left out on request (WITHOUT)"
    assert "py_cv_module_readline=n/a" in assignments


def test_an_empty_without_leaves_the_cpython_command_as_it_was():
    sys.path.insert(0, str(ROOT / "site_scons" / "site_tools"))
    import slither_cpython
    assert slither_cpython.CPYTHON_COMMAND.endswith("--info ${TARGETS[3]}$SLITHER_WITHOUT_ARGS")


LICENSED = {**MANIFEST, "components": [
    {"name": "cpython", "version": "3.11.2", "licence": "PSF-2.0", "origin": "python.org source Python-3.11.2.tgz",
     "used_by": []},
    {"name": "readline", "version": "8.2-1.3", "licence": "GPL-3.0-or-later",
     "origin": "host archive /usr/lib/libreadline.a (libreadline-dev 8.2-1.3; HOST_LIBRARIES)", "used_by": ["readline"]}]}


def test_inspect_licenses_prints_one_line_per_component():
    lines = format_licences(LICENSED).splitlines()
    assert lines == ["cpython   3.11.2   PSF-2.0           python.org source Python-3.11.2.tgz",
                     "readline  8.2-1.3  GPL-3.0-or-later  host archive /usr/lib/libreadline.a (libreadline-dev 8.2-1.3; "
                     "HOST_LIBRARIES); for readline"]


def test_inspect_licenses_on_a_binary_reads_its_manifest_section(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(LICENSED))
    (tmp_path / "manifest.S").write_text(
        f'\t.section .slither_manifest,"",@progbits\n\t.incbin "manifest.json"\n\t.byte 0\n'
        '\t.section .note.GNU-stack,"",@progbits\n')
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    subprocess.run(["gcc", "-o", "program", "main.c", "manifest.S"], cwd=tmp_path, check=True)
    result = subprocess.run([sys.executable, "-m", "slither", "inspect", "--licenses", str(tmp_path / "program")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("readline  8.2-1.3  GPL-3.0-or-later")
    as_json = subprocess.run([sys.executable, "-m", "slither", "inspect", "--json", str(tmp_path / "program")],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert json.loads(as_json.stdout)["components"] == LICENSED["components"]


def test_inspect_licenses_on_an_older_binary_says_it_has_none():
    with pytest.raises(SlitherError, match="lists no components"):
        format_licences(MANIFEST)


@pytest.mark.slow
def test_a_default_build_links_no_gpl_code_and_has_readline_from_libedit(tmp_path):
    """A real default build: the readline module is there (libedit), GNU readline and gdbm are
    not, no licence warning in the summary, and `inspect --licenses` names no GPL-only code."""
    from conftest import assert_built, run_scons
    result = run_scons([f"BUILD_DIR={tmp_path}", "JOBS=2"], timeout=3600)
    assert_built(result)
    assert "warning: licence" not in result.stdout
    assert "_gdbm: GNU dbm is GPL-3.0-or-later; HOST_LIBRARIES=gdbm takes the host's" in result.stdout
    binary = tmp_path / "bin" / "python-static"
    probe = subprocess.run([str(binary), "-c", "import readline; print(readline.__doc__)"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "libedit" in probe.stdout, probe.stderr
    listing = subprocess.run([sys.executable, "-m", "slither", "inspect", "--licenses", str(binary)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True).stdout
    lines = listing.splitlines()
    assert lines[0].startswith("cpython") and any(line.startswith("libedit ") for line in lines), listing
    # GCC's runtime is GPL with the runtime exception: not copyleft for the binary, still listed
    assert [line.split()[0] for line in lines if "GPL-3.0-or-later" in line] == ["libgcc"], listing
    symbols = subprocess.run(["nm", str(binary)], stdout=subprocess.PIPE, text=True).stdout
    assert " gdbm_open" not in symbols and " T el_init" in symbols
