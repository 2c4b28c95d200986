"""GPAW's recipes, fast: the libxc library recipe (its GNU makefile, added by a patch, run by the
real library step on a tiny tree shaped like libxc's git archive)."""

import subprocess
import tarfile

from conftest import ROOT
from slither.recipes import module_recipes
from slither.sources import patches
from test_library_build import make_source, run_build

LIBXC_PATCH = ROOT / "patches" / "libxc" / "static-library-gnumakefile.patch"


# --- libxc ----------------------------------------------------------------------------------

def test_libxc_recipe_is_a_static_makefile_build_without_third_and_fourth_derivatives():
    recipe = module_recipes.load_module_recipe("libxc")
    assert (recipe.build_system, recipe.licence, recipe.depends_on) == ("makefile", "MPL-2.0", ())
    assert set(recipe.make_flags) == {"KXC=no", "LXC=no"} and recipe.install_flags == ("PREFIX={prefix}",)
    assert recipe.source.debian.package == "libxc"
    for patch in recipe.patches:
        patches.verify_patch(ROOT / "patches" / patch)  # pinned in patches/SHA256SUMS


# The shape of libxc's git archive: configure.ac names the version, src/Makefile.am lists the
# library's sources over continued lines, xc.h takes <xc_version.h>, util.h "config.h"; a source
# the list does not name would not compile.
LIBXC_LIKE = {
    "configure.ac": "AC_INIT([libxc],[5.2.3],[libxc@tddft.org],[libxc],[http://www.tddft.org/programs/Libxc])\n",
    "xc_version.h.in": ('#define XC_VERSION "@VERSION@"\n#define XC_MAJOR_VERSION @XC_MAJOR_VERSION@\n'
                        "#define XC_MINOR_VERSION @XC_MINOR_VERSION@\n#define XC_MICRO_VERSION @XC_MICRO_VERSION@\n"),
    "src/Makefile.am": ("bin_PROGRAMS = xc-info\n\nlibxc_la_FUNC_SOURCES = \\\n\tfirst.c second.c\t\\\n"
                        "\tthird.c\n\nlibxc_la_SOURCES = references.c $(libxc_la_FUNC_SOURCES)\n"),
    "src/xc.h": "#include <xc_version.h>\n",
    "src/util.h": '#include "config.h"\n#include "xc.h"\n',
    "src/xc_funcs.h": "", "src/xc_funcs_removed.h": "", "src/xc_funcs_worker.h": "",
    "src/references.c": '#include "util.h"\nconst char *xc_reference_version = PACKAGE_VERSION;\n',
    "src/first.c": '#include "util.h"\nint xc_major(void) { return XC_MAJOR_VERSION; }\n',
    "src/second.c": ('#include "util.h"\n#ifndef XC_ENFORCE_FERMI_HOLE_CURVATURE\n#error\n#endif\n'
                     "double xc_cube_root(double x);\n"),
    "src/third.c": ('#include "util.h"\nint xc_second_derivatives(void) { return 2; }\n'
                    "#ifndef XC_DONT_COMPILE_KXC\nint xc_third_derivatives(void) { return 3; }\n#endif\n"
                    "#ifndef XC_DONT_COMPILE_LXC\nint xc_fourth_derivatives(void) { return 4; }\n#endif\n"),
    "src/xc-info.c": "#error not part of the library\n",
}


def test_libxc_makefile_builds_the_listed_sources_into_a_static_archive_with_its_headers(tmp_path):
    recipe = module_recipes.load_module_recipe("libxc")
    source, sha256 = make_source(tmp_path, "libxc-5.2.3", {path: (text, 0o644) for path, text in LIBXC_LIKE.items()})
    result = run_build(tmp_path, source, sha256, "--build-system", "makefile", "--patch", str(LIBXC_PATCH),
                       *[f"--make-flag={flag}" for flag in recipe.make_flags],
                       *[f"--install-flag={flag}" for flag in recipe.install_flags], name="libxc")
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()
    unpacked = tmp_path / "prefix"
    with tarfile.open(tmp_path / "prefix.tar") as tar:
        tar.extractall(unpacked, filter="data")
    assert sorted(path.name for path in (unpacked / "include").iterdir()) == [
        "xc.h", "xc_funcs.h", "xc_funcs_removed.h", "xc_funcs_worker.h", "xc_version.h"]
    assert "#define XC_MAJOR_VERSION 5\n" in (unpacked / "include" / "xc_version.h").read_text()
    archive = unpacked / "lib" / "libxc.a"
    members = subprocess.run(["ar", "t", archive], capture_output=True, text=True, check=True).stdout.split()
    assert sorted(members) == ["first.o", "references.o", "second.o", "third.o"]
    symbols = subprocess.run(["nm", archive], capture_output=True, text=True, check=True).stdout
    assert "xc_second_derivatives" in symbols
    assert "xc_third_derivatives" not in symbols and "xc_fourth_derivatives" not in symbols  # KXC=no LXC=no
    log = (tmp_path / "build.log").read_text()
    assert "-fPIC" in log  # GPAW's real shared extension links the archive
