"""Building one package into site.tar + extensions.a + extensions.json; its sources and tools.

Fast tests build tiny real sdists (made here) with the machine's python3 as the host
interpreter; `slow` ones use the real host CPython build and download the pinned files.
"""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import assert_built, run_scons
from package_step import SPEED_C, archive_globals, make_sdist, package_build
from slither.packages import build_tools
from slither.recipes import loading, module_recipes
from slither.errors import SlitherError
from slither.files import sha256_of
from slither.sources.pinned import obtain

DOWNLOAD_STORE = Path(os.environ.get("SLITHER_DOWNLOAD_STORE", "~/.cache/slither/downloads")).expanduser()

PYPROJECT = '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'


def setup_py(name, extensions=""):
    return (f'from setuptools import Extension, setup\n'
            f'setup(name="{name}", version="1.0", packages=["{name}"], ext_modules=[{extensions}])\n')


TINYPKG = {
    "pyproject.toml": PYPROJECT,
    "setup.py": setup_py("tinypkg", 'Extension("tinypkg._speed", ["speed.c"])'),
    "speed.c": SPEED_C,
    "tinypkg/__init__.py": "from tinypkg.helpers import double\n",
    "tinypkg/helpers.py": "def double(x):\n    return 2 * x\n",
}
PUREPKG = {"pyproject.toml": PYPROJECT, "setup.py": setup_py("purepkg"),
           "purepkg/__init__.py": "VALUE = 1\n"}
BROKENPKG = {"pyproject.toml": PYPROJECT, "setup.py": setup_py("brokenpkg", 'Extension("brokenpkg._x", ["x.c"])'),
             "x.c": "int broken(void) { return }\n", "brokenpkg/__init__.py": ""}

# An optional C extension whose failure the setup.py swallows, as many packages do.
FALLBACKPKG = {"pyproject.toml": PYPROJECT, "purepkg/__init__.py": "", "x.c": "int broken(void) { return }\n",
               "setup.py": "from setuptools import Extension, setup\n"
                           "from setuptools.command.build_ext import build_ext\n"
                           "class optional(build_ext):\n"
                           "    def run(self):\n"
                           "        try:\n"
                           "            super().run()\n"
                           "        except Exception:\n"
                           "            print('C extension failed; falling back to pure Python')\n"
                           "setup(name='purepkg', version='1.0', packages=['purepkg'],\n"
                           "      ext_modules=[Extension('purepkg._x', ['x.c'])], cmdclass={'build_ext': optional})\n"}


def tar_names(path: Path) -> list:
    with tarfile.open(path) as tar:
        return tar.getnames()


@pytest.fixture(scope="module")
def tinypkg_built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tinypkg")
    result, outputs = package_build(tmp, "tinypkg", make_sdist(tmp, "tinypkg", TINYPKG))
    assert result.returncode == 0, result.stderr
    return outputs, tmp


def test_c_extension_package_gives_its_three_outputs(tinypkg_built):
    outputs, tmp = tinypkg_built
    assert sorted(p.name for p in outputs.iterdir()) == ["extensions.a", "extensions.json", "site.tar"]
    assert not (tmp / "work").exists()  # scratch is removed after a successful build


def test_a_setuptools_build_gets_the_interpreters_optimisation_in_cflags(tmp_path):
    """setuptools (from 72 on) replaces the interpreter's CFLAGS, which hold OPT (-O3 here), with
    CFLAGS from the environment, which the build sets: OPT must be in it, as a stock build has it.
    The package prints the CFLAGS and CXXFLAGS its setup.py sees, and compiles with them."""
    import sysconfig
    package = dict(TINYPKG)
    package["setup.py"] = ('import os\nprint("CFLAGS=" + os.environ["CFLAGS"])\n'
                           'print("CXXFLAGS=" + os.environ["CXXFLAGS"])\n' + TINYPKG["setup.py"])
    result, _ = package_build(tmp_path, "tinypkg", make_sdist(tmp_path, "tinypkg", package))
    assert result.returncode == 0, result.stderr
    seen = dict(line.strip().split("=", 1) for line in (tmp_path / "build.log").read_text().splitlines()
                if line.strip().startswith(("CFLAGS=", "CXXFLAGS=")))
    opt = sysconfig.get_config_var("OPT").split()
    assert "-O3" in opt or "-O2" in opt, opt
    for variable in ("CFLAGS", "CXXFLAGS"):
        assert seen[variable].split()[:len(opt)] == opt, (variable, seen)


def test_backends_with_build_types_get_no_second_optimisation(tmp_path):
    from slither.packages import build
    assert build.interpreter_optimization_flags(Path(sys.executable), "meson-python") == []
    assert build.interpreter_optimization_flags(Path(sys.executable), "scikit-build-core") == []
    assert "-fwrapv" in build.interpreter_optimization_flags(Path(sys.executable), "setuptools")


def test_site_tar_has_the_python_files_but_no_extension_or_install_noise(tinypkg_built):
    outputs, _ = tinypkg_built
    names = tar_names(outputs / "site.tar")
    assert {"tinypkg/__init__.py", "tinypkg/helpers.py", "tinypkg-1.0.dist-info/METADATA"} <= set(names)
    assert not [n for n in names if n.endswith(".so") or "__pycache__" in n or n.endswith("/RECORD")]


def test_archive_exports_exactly_the_renamed_init_symbol(tinypkg_built):
    outputs, _ = tinypkg_built
    assert archive_globals(outputs / "extensions.a") == ["PyInit_7tinypkg6_speed"]


def test_manifest_names_the_dotted_module_and_the_source(tinypkg_built):
    outputs, tmp = tinypkg_built
    manifest = json.loads((outputs / "extensions.json").read_text())
    assert (manifest["package"], manifest["version"]) == ("tinypkg", "1.0")
    assert manifest["source_sha256"] == sha256_of(tmp / "tinypkg-1.0.tar.gz")
    (extension,) = manifest["extensions"]
    assert extension["module"] == "tinypkg._speed"
    assert extension["init_symbol"] == "PyInit_7tinypkg6_speed" and extension["role"] == "c"
    assert not any("prefix-map" in flag for flag in extension["link_flags"])  # no build paths


def test_rebuild_in_another_work_directory_is_byte_identical(tinypkg_built, tmp_path):
    outputs, first = tinypkg_built
    result, again = package_build(tmp_path, "tinypkg", first / "tinypkg-1.0.tar.gz")
    assert result.returncode == 0, result.stderr
    for name in ("site.tar", "extensions.a", "extensions.json"):
        assert sha256_of(again / name) == sha256_of(outputs / name), name


def test_build_tools_made_for_another_series_are_refused(tmp_path):
    tools = tmp_path / "tools"
    (tools / "lib" / "python3.99" / "site-packages").mkdir(parents=True)
    with tarfile.open(tmp_path / "build-tools.tar", "w") as tar:
        tar.add(tools, arcname=".")
    result, _ = package_build(tmp_path, "purepkg", make_sdist(tmp_path, "purepkg", PUREPKG),
                              "--tools", str(tmp_path / "build-tools.tar"))
    assert result.returncode == 1 and "it was made for another CPython series" in result.stderr


def test_pure_python_package_gives_an_empty_list_and_a_valid_empty_archive(tmp_path):
    result, outputs = package_build(tmp_path, "purepkg", make_sdist(tmp_path, "purepkg", PUREPKG),
                                    "--build-system", "pure")
    assert result.returncode == 0, result.stderr
    assert json.loads((outputs / "extensions.json").read_text())["extensions"] == []
    listed = subprocess.run(["ar", "t", str(outputs / "extensions.a")], stdout=subprocess.PIPE, text=True)
    assert (listed.returncode, listed.stdout) == (0, "")
    assert "purepkg/__init__.py" in tar_names(outputs / "site.tar")


def test_c_code_that_does_not_compile_is_one_error_line_naming_the_log(tmp_path):
    result, outputs = package_build(tmp_path, "brokenpkg", make_sdist(tmp_path, "brokenpkg", BROKENPKG))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("slither: error:")]
    assert errors == [f"slither: error: brokenpkg 1.0 build failed (exit 1); full log: {tmp_path / 'build.log'}"]
    assert "x.c" in (tmp_path / "build.log").read_text()  # the compiler's complaint is in the log
    assert not outputs.exists()


def test_missing_expected_extension_is_an_error_not_a_silent_pure_python_build(tmp_path):
    result, outputs = package_build(tmp_path, "purepkg", make_sdist(tmp_path, "purepkg", PUREPKG),
                                    "--expect-module", "purepkg._speedups")
    assert result.returncode == 1
    assert "installed no extension purepkg._speedups" in result.stderr
    assert not outputs.exists()


def test_a_quiet_fallback_to_pure_python_is_recorded(tmp_path):
    result, outputs = package_build(tmp_path, "purepkg", make_sdist(tmp_path, "purepkg", FALLBACKPKG))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((outputs / "extensions.json").read_text())
    assert manifest["extensions"] == [] and manifest["pure_python_fallback"] is True


def test_a_pure_package_is_not_called_a_fallback(tmp_path):
    result, outputs = package_build(tmp_path, "purepkg", make_sdist(tmp_path, "purepkg", PUREPKG))
    assert result.returncode == 0, result.stderr
    assert "pure_python_fallback" not in json.loads((outputs / "extensions.json").read_text())


def test_a_fallback_is_an_error_when_extensions_are_required(tmp_path):
    result, outputs = package_build(tmp_path, "purepkg", make_sdist(tmp_path, "purepkg", FALLBACKPKG),
                                    "--require-extensions")
    assert result.returncode == 1
    assert "compiled-language file(s) (x.c) but the build made no extension module" in result.stderr
    assert not outputs.exists()


def test_tampered_source_is_refused_before_anything_is_built(tmp_path):
    sdist = make_sdist(tmp_path, "purepkg", PUREPKG)
    result, _ = package_build(tmp_path, "purepkg", sdist, sha256="0" * 64)
    assert result.returncode == 1 and "sha256 mismatch" in result.stderr
    assert not (tmp_path / "work").exists()


# --- recipes ---

def test_markupsafe_recipe_pins_its_sdist_and_names_its_dotted_extension():
    recipe = module_recipes.load_module_recipe("markupsafe")
    assert recipe.build_system == "setuptools" and len(recipe.source.sha256) == 64
    assert recipe.source.pip.kind == "sdist"
    assert recipe.extension_modules == ("markupsafe._speedups",)
    assert "markupsafe" in module_recipes.module_recipe_names()
    assert "cpython" not in module_recipes.module_recipe_names()


def test_recipe_with_an_unknown_build_system_is_refused(tmp_path):
    (tmp_path / "packages").mkdir()
    (tmp_path / "packages" / "odd.py").write_text(
        "from slither.recipes import pinned_sdist\nname = 'odd'\nversion = '1'\n"
        f"source = pinned_sdist('odd', '1', 'odd-1.tar.gz', '{'0' * 64}')\nbuild_system = 'make'\nlicence = 'MIT'\n")
    with pytest.raises(SlitherError, match="build_system 'make' is not one of setuptools"):
        module_recipes.load_module_recipe("odd", modules_dir=tmp_path)


def test_unknown_recipe_suggests_a_close_name_and_the_unpinned_form():
    with pytest.raises(SlitherError, match="did you mean markupsafe.*name==version"):
        module_recipes.load_module_recipe("markupsaf")


# --- build tools ---

def test_build_tools_are_pinned_for_both_series_and_both_libcs_with_per_version_cython():
    for series in ("3.11", "3.13"):
        for platform in ("manylinux", "musllinux"):
            names = {source.pip.name for source in build_tools.tool_wheels(series, platform)}
            assert names == {"pip", "setuptools", "wheel", "Cython", "meson", "meson-python", "ninja",
                             "pyproject-metadata", "packaging", "pkgconf"}
            for source in build_tools.tool_wheels(series, platform):
                assert source.filename.endswith("-any.whl") or platform in source.filename, source.filename
    (cython,) = [s for s in build_tools.tool_wheels("3.13", "musllinux") if s.pip.name == "Cython"]
    assert "-cp313-" in cython.filename
    with pytest.raises(SlitherError, match="no musllinux build tools pinned.*pinned: 3.11 manylinux"):
        build_tools.tool_wheels("3.9", "musllinux")


def test_build_tools_refuse_a_tampered_or_incomplete_wheel_set(tmp_path):
    wheels = []
    for source in build_tools.tool_wheels("3.11"):
        (tmp_path / source.filename).write_bytes(b"not the wheel")
        wheels.append(tmp_path / source.filename)
    with pytest.raises(SlitherError, match="sha256 mismatch"):
        build_tools.check_wheel_set("3.11", wheels)
    with pytest.raises(SlitherError, match="missing: pip-25.1.1-py3-none-any.whl; not pinned: none"):
        build_tools.check_wheel_set("3.11", [w for w in wheels if not w.name.startswith("pip-")])


def test_tools_environment_puts_the_prefix_first_and_drops_the_users_pip_settings(tmp_path):
    base = {"PATH": "/usr/bin", "PYTHONPATH": "/home/me/lib", "PIP_INDEX_URL": "file:///x"}
    environment = build_tools.tools_environment(tmp_path / "tools", "3.11", tmp_path / "host/bin/python3.11", base)
    assert environment["PYTHONPATH"] == str(tmp_path / "tools/lib/python3.11/site-packages")
    assert environment["PATH"].split(os.pathsep) == [str(tmp_path / "tools/bin"), str(tmp_path / "host/bin"),
                                                     "/usr/bin"]
    assert "PIP_INDEX_URL" not in environment and environment["PIP_CONFIG_FILE"] == os.devnull



# pip's two launchers: a plain shebang, and the shell trampoline it writes when the
# interpreter's path is longer than a shebang line may be (a deep BUILD_DIR)
DEEP_HOST = "/work/" + "d" * 140 + "/host/bin"
PLAIN_LAUNCHER = f"#!{DEEP_HOST}/python3.11\n# -*- coding: utf-8 -*-\nimport sys\n"
TRAMPOLINE_LAUNCHER = (f"#!/bin/sh\n'''exec' {DEEP_HOST}/python3.11 \"$0\" \"$@\"\n' '''\n"
                       "# -*- coding: utf-8 -*-\nimport sys\n")


@pytest.mark.parametrize("launcher", [PLAIN_LAUNCHER, TRAMPOLINE_LAUNCHER], ids=["shebang", "shell-trampoline"])
def test_both_pip_launchers_become_env_pythonx_y_and_keep_the_script(tmp_path, launcher):
    (tmp_path / "cython").write_text(launcher)
    (tmp_path / "ninja").write_bytes(b"\x7fELF\x02\x01\x01 a binary, left alone")
    build_tools.make_scripts_relocatable(tmp_path, "3.11", [Path(DEEP_HOST)])
    assert (tmp_path / "cython").read_text() == "#!/usr/bin/env python3.11\n# -*- coding: utf-8 -*-\nimport sys\n"
    assert (tmp_path / "ninja").read_bytes().startswith(b"\x7fELF")


def test_a_launcher_that_still_names_the_host_is_refused_not_archived(tmp_path):
    (tmp_path / "tool").write_text(f"#!/bin/bash\nexec {DEEP_HOST}/python3.11 -m tool\n")
    with pytest.raises(SlitherError, match="tool: names the installing interpreter's directory /work/ddd"):
        build_tools.make_scripts_relocatable(tmp_path, "3.11", [Path(DEEP_HOST)])

# --- slow: the real host CPython, real downloads ---

@pytest.fixture(scope="module")
def host_cpython(tmp_path_factory):
    """The host interpreter of a real CPython 3.11 build (from the cache when it is warm)."""
    build_dir = tmp_path_factory.mktemp("host-build")
    host = build_dir / "cpython-3.11.2-gnu" / "host" / "bin" / "python3.11"
    built = run_scons([f"BUILD_DIR={build_dir}", str(host)])
    assert_built(built, tail=2000)
    return host


@pytest.fixture(scope="module")
def real_build_tools(tmp_path_factory, host_cpython):
    tmp = tmp_path_factory.mktemp("tools")
    wheels = build_tools.obtain_tool_wheels("3.11", store=DOWNLOAD_STORE)
    archive = tmp / "build-tools.tar"
    build_tools.build_tools_archive(host_cpython, "3.11", wheels, archive, tmp / "work", tmp / "tools.log")
    return archive, wheels, tmp


@pytest.mark.slow
def test_build_tools_archive_runs_meson_and_cython_with_the_host_cpython(real_build_tools, host_cpython):
    archive, wheels, tmp = real_build_tools
    prefix = build_tools.unpack_tools(archive, tmp / "unpacked")
    environment = build_tools.tools_environment(prefix, "3.11", host_cpython)
    imported = subprocess.run([str(host_cpython), "-c", "import mesonpy, Cython, setuptools, wheel; "
                               "print(setuptools.__version__, Cython.__version__)"],
                              env=environment, stdout=subprocess.PIPE, text=True)
    assert imported.stdout.split() == ["80.9.0", "3.1.2"]
    for tool, version in (("meson", "1.8.2"), ("ninja", "1.11.1")):
        ran = subprocess.run([tool, "--version"], env=environment, stdout=subprocess.PIPE, text=True)
        assert ran.stdout.startswith(version), (tool, ran.stdout)
    assert (prefix / "bin" / "meson").read_text().startswith("#!/usr/bin/env python3.11\n")


@pytest.mark.slow
def test_build_tools_archive_is_byte_identical_when_rebuilt_from_a_deep_build_dir(real_build_tools, host_cpython):
    """A host interpreter whose path is too long for a shebang line gets pip's shell trampoline
    instead; the archive (a cache entry every BUILD_DIR shares) must not differ, nor name it."""
    archive, wheels, tmp = real_build_tools
    deep_host_tree = tmp / ("deep-" + "d" * 150)
    deep_host_tree.symlink_to(host_cpython.parent.parent, target_is_directory=True)
    again = tmp / "again.tar"
    build_tools.build_tools_archive(deep_host_tree / "bin" / "python3.11", "3.11", wheels, again, tmp / "work2",
                                    tmp / "tools2.log")
    assert sha256_of(again) == sha256_of(archive)


@pytest.mark.slow
def test_markupsafe_recipe_builds_with_the_host_cpython(real_build_tools, host_cpython, tmp_path):
    archive, _, _ = real_build_tools
    recipe = module_recipes.load_module_recipe("markupsafe")
    sdist = obtain(recipe.source, search_dirs=[], store=DOWNLOAD_STORE)
    expected = [arg for module in recipe.extension_modules for arg in ("--expect-module", module)]
    result, outputs = package_build(tmp_path, "markupsafe", sdist, "--tools", str(archive), *expected,
                                    python=str(host_cpython), sha256=recipe.source.sha256)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((outputs / "extensions.json").read_text())
    assert [e["module"] for e in manifest["extensions"]] == ["markupsafe._speedups"]
    assert archive_globals(outputs / "extensions.a") == ["PyInit_10markupsafe9_speedups"]
    names = tar_names(outputs / "site.tar")
    assert "markupsafe/__init__.py" in names and not [n for n in names if n.endswith(".so")]


def test_recipe_config_settings_reach_pip_as_backend_options(tmp_path):
    from slither.packages.build import pip_install_command
    command = pip_install_command(Path("/h/python3.11"), tmp_path / "src", tmp_path / "site",
                                  ["setup-args=-Dallow-noblas=true"])
    assert "--config-settings=setup-args=-Dallow-noblas=true" in command
    assert command.index("--config-settings=setup-args=-Dallow-noblas=true") < command.index("--target")


def test_shared_system_library_linked_by_path_becomes_its_static_archive(tmp_path):
    from slither.packages.build import final_external_inputs
    (tmp_path / "libblasish.so.0").write_bytes(b"")
    (tmp_path / "libblasish.a").write_bytes(b"!<arch>\n")
    (tmp_path / "libother.a").write_bytes(b"!<arch>\n")
    assert final_external_inputs("pkg._ext", [str(tmp_path / "libblasish.so.0"), str(tmp_path / "libother.a")]) \
        == [str(tmp_path / "libblasish.a"), str(tmp_path / "libother.a")]


def test_shared_system_library_without_a_static_twin_is_one_error_naming_it(tmp_path):
    from slither.packages.build import final_external_inputs
    (tmp_path / "libdynonly.so").write_bytes(b"")
    with pytest.raises(SlitherError) as error:
        final_external_inputs("pkg._ext", [str(tmp_path / "libdynonly.so")])
    assert f"pkg._ext links the shared library {tmp_path}/libdynonly.so" in str(error.value)
    assert "no static libdynonly.a beside it or where the linker searches" in str(error.value)
    assert "\n" not in str(error.value)


def test_a_shared_library_whose_archive_is_elsewhere_becomes_the_archive_the_linker_takes(tmp_path):
    """meson resolves -lgfortran to /usr/lib/x86_64-linux-gnu/libgfortran.so.5.0.0; the static
    libgfortran.a is in GCC's own directory, where the toolchain's linker finds it."""
    from slither.archive_probe import archive_path
    from slither.packages.build import final_external_inputs
    gcc_archive = archive_path("gcc", "libgfortran.a", dict(os.environ))
    if not gcc_archive:
        pytest.skip("no libgfortran.a for gcc here")
    (tmp_path / "libgfortran.so.5.0.0").write_bytes(b"")
    assert final_external_inputs("numpy.linalg._umath_linalg", [str(tmp_path / "libgfortran.so.5.0.0")],
                                 lambda name: archive_path("gcc", name, dict(os.environ))) == [gcc_archive]


# A package that links a static library another Slither-built package installs (scipy links
# numpy's libnpymath.a), found through that package on the build path, as numpy.get_include().
PROVIDER_INIT = "import os\nLIB = os.path.join(os.path.dirname(__file__), 'lib')\n"
USERPKG = {
    "pyproject.toml": PYPROJECT,
    "setup.py": "import provider\nfrom setuptools import Extension, setup\n"
                "setup(name='userpkg', version='1.0', packages=['userpkg'], ext_modules=[Extension("
                "'userpkg._speed', ['speed.c'], library_dirs=[provider.LIB], libraries=['helper'])])\n",
    "speed.c": SPEED_C.replace("int helper(void) { return 42; }", "int helper(void);"),
    "userpkg/__init__.py": "",
}


def provider_tree(tmp: Path) -> Path:
    """The host tree (host-site.tar) of a package that installs lib/libhelper.a."""
    library = tmp / "provider" / "lib"
    library.mkdir(parents=True)
    (tmp / "provider" / "__init__.py").write_text(PROVIDER_INIT)
    (tmp / "helper.c").write_text("int helper(void) { return 42; }\n")
    subprocess.run(["gcc", "-c", "-fPIC", "-o", str(tmp / "helper.o"), str(tmp / "helper.c")], check=True)
    subprocess.run(["ar", "rcs", str(library / "libhelper.a"), str(tmp / "helper.o")], check=True)
    tree = tmp / "provider-host-site.tar"
    with tarfile.open(tree, "w") as tar:
        tar.add(tmp / "provider", arcname="provider")
    return tree


def test_an_archive_from_a_package_on_the_build_path_is_merged_not_left_to_the_final_link(tmp_path):
    """The build path's trees are deleted with the work directory: an archive found there must
    end up inside the extension (its helper local), not recorded for the final link to read."""
    result, outputs = package_build(tmp_path, "userpkg", make_sdist(tmp_path, "userpkg", USERPKG),
                                    "--from-build", str(provider_tree(tmp_path)))
    assert result.returncode == 0, result.stderr
    (extension,) = json.loads((outputs / "extensions.json").read_text())["extensions"]
    assert extension["libraries"] == [] and extension["external_inputs"] == [], extension
    assert archive_globals(outputs / "extensions.a") == ["PyInit_7userpkg6_speed"]
    defined = subprocess.run(["nm", "-P", "--defined-only", str(outputs / "extensions.a")], check=True,
                             stdout=subprocess.PIPE, text=True).stdout.split()
    assert "helper" in defined  # merged (as a local symbol), not left undefined


def test_paths_under_a_library_prefix_are_written_as_placeholders_and_put_back_at_the_link(tmp_path):
    """A cached manifest is used by builds in other BUILD_DIRs: a path under a library recipe's
    prefix (HDF5's lib/, OpenBLAS's archive) is {prefix:NAME} in it, and the link puts back where
    its own build unpacked NAME."""
    from slither.link.main_c import module_link_flags
    from slither.packages.build import placeholder_for_prefixes
    prefix = tmp_path / "build-a" / "libraries" / "hdf5-1.14.5-gnu" / "prefix"
    prefix.mkdir(parents=True)
    placeholder = placeholder_for_prefixes({"hdf5": str(prefix)})
    assert placeholder(str(prefix / "lib")) == "{prefix:hdf5}/lib"
    assert placeholder(f"-L{prefix}/lib") == "-L{prefix:hdf5}/lib"
    assert placeholder(str(prefix / "lib" / "libhdf5.a")) == "{prefix:hdf5}/lib/libhdf5.a"
    assert placeholder(f"{prefix}-other/lib") == f"{prefix}-other/lib"  # only the prefix itself
    assert placeholder("/usr/lib/gcc/x86_64-linux-gnu/12/libgfortran.a") == "/usr/lib/gcc/x86_64-linux-gnu/12/libgfortran.a"
    manifest = {"extensions": [{"library_dirs": ["{prefix:hdf5}/lib"], "libraries": ["hdf5"],
                                "external_inputs": ["{prefix:hdf5}/lib/libhdf5_hl.a"], "link_flags": []}]}
    assert module_link_flags([manifest], library_prefixes={"hdf5": "/b/libraries/hdf5/prefix"}) == [
        "-L/b/libraries/hdf5/prefix/lib", "/b/libraries/hdf5/prefix/lib/libhdf5_hl.a", "-lhdf5"]
