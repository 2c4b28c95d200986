"""OpenBLAS built from source (modules/libraries/openblas.py, slither/plan/openblas.py): fast tests.

The launcher parsing of patches/openblas/0003 is compiled from the patch itself (the lines it
adds to driver/others/openblas_env.c) into a small harness, so the code tested is the code the
build applies. BLAS_CPU is checked on the plan. The thread counts of a real binary are in
tests/test_numpy.py (numpy marker).
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from slither.errors import SlitherError
from slither.plan import build_plan, openblas
from slither.recipes import loading

ROOT = Path(__file__).resolve().parent.parent
RANKS_PATCH = ROOT / "patches" / "openblas" / "0003-default-threads-share-the-node-between-ranks.patch"

HARNESS_MAIN = r"""
#include <stdio.h>
int openblas_launcher_ranks_on_node(void);
int main(void) { printf("%d\n", openblas_launcher_ranks_on_node()); return 0; }
"""


def added_lines(patch: Path, file: str) -> str:
    """The lines a patch adds to one file (its hunks there add whole functions, nothing else)."""
    text = patch.read_text()
    section = text.split(f"+++ b/{file}\n", 1)[1].split("\n--- a/", 1)[0]
    return "\n".join(line[1:] for line in section.splitlines() if line.startswith("+"))


@pytest.fixture(scope="module")
def ranks_harness(tmp_path_factory):
    directory = tmp_path_factory.mktemp("ranks")
    (directory / "ranks.c").write_text("#include <stdlib.h>\n" + added_lines(RANKS_PATCH, "driver/others/openblas_env.c")
                                       .split("void openblas_read_env(void) {")[0])
    (directory / "main.c").write_text(HARNESS_MAIN)
    subprocess.run(["gcc", "-Wall", "-Werror", "-o", str(directory / "ranks"), str(directory / "ranks.c"),
                    str(directory / "main.c")], check=True)
    return directory / "ranks"


def ranks(harness, **variables) -> int:
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("SLURM_", "OMPI_", "PALS_", "MPI_LOCALNRANKS"))}
    return int(subprocess.run([str(harness)], env={**environment, **variables}, stdout=subprocess.PIPE,
                              text=True, check=True).stdout)


@pytest.mark.parametrize("variables, expected", [
    ({}, 0),
    ({"MPI_LOCALNRANKS": "4"}, 4),
    ({"OMPI_COMM_WORLD_LOCAL_SIZE": "8"}, 8),
    ({"PALS_LOCAL_SIZE": "3"}, 3),
    ({"MPI_LOCALNRANKS": "2", "SLURM_STEP_TASKS_PER_NODE": "64", "SLURM_NODEID": "0"}, 2),  # launcher first
    ({"SLURM_STEP_TASKS_PER_NODE": "2(x3),1", "SLURM_NODEID": "1"}, 2),
    ({"SLURM_STEP_TASKS_PER_NODE": "2(x3),1", "SLURM_NODEID": "3"}, 1),
    ({"SLURM_STEP_TASKS_PER_NODE": "2(x3),1", "SLURM_NODEID": "4"}, 0),   # no such node
    ({"SLURM_STEP_TASKS_PER_NODE": "16,8", "SLURM_NODEID": "1"}, 8),
    # the job's lists count only inside a step (srun's tasks), not in the batch script itself
    ({"SLURM_TASKS_PER_NODE": "32(x2)", "SLURM_NODEID": "1"}, 0),
    ({"SLURM_TASKS_PER_NODE": "32(x2)", "SLURM_NODEID": "1", "SLURM_STEPID": "0"}, 32),
    ({"SLURM_NTASKS_PER_NODE": "6"}, 0),
    ({"SLURM_NTASKS_PER_NODE": "6", "SLURM_STEPID": "2"}, 6),
    ({"MPI_LOCALNRANKS": "x"}, 0), ({"MPI_LOCALNRANKS": "0"}, 0), ({"MPI_LOCALNRANKS": "-4"}, 0),
    ({"MPI_LOCALNRANKS": "4k"}, 0), ({"SLURM_STEP_TASKS_PER_NODE": "2(x", "SLURM_NODEID": "0"}, 0),
])
def test_ranks_on_the_node_from_the_launchers_environment(ranks_harness, variables, expected):
    assert ranks(ranks_harness, **variables) == expected


def test_default_thread_count_divides_the_mask_by_the_ranks_only_when_no_variable_is_set():
    """The division sits in both copies of blas_get_cpu_number (memory.c has two allocators)."""
    added = added_lines(RANKS_PATCH, "driver/others/memory.c")
    assert added.count("if (blas_goto_num == 0 && blas_omp_num == 0) {") == 2
    assert added.count("blas_num_threads = max_num / ranks;") == 2
    assert added.count("if (blas_num_threads < 1) blas_num_threads = 1;") == 2


TARGET_LIST = """Force Target Examples:

make TARGET=NEHALEM

Supported List:
1.X86/X86_64
a)Intel CPU:
P2
HASWELL
SKYLAKEX

b)AMD CPU:
ZEN

10.RISC-V 64:
RISCV64_GENERIC (e.g. PolarFire Soc/SiFive U54)
x280

11.LOONGARCH64:
// LOONGSONGENERIC/LOONGSON2K1000/LOONGSON3R5 are legacy names,
LA464

14.CSKY
CSKY
"""


def test_target_names_are_read_from_target_list():
    assert openblas.target_names(TARGET_LIST) == ("P2", "HASWELL", "SKYLAKEX", "ZEN", "RISCV64_GENERIC", "x280",
                                                  "LA464", "CSKY")


@pytest.mark.parametrize("typed, message", [
    ("haswell", r"^BLAS_CPU=haswell: not an OpenBLAS CPU target \(did you mean HASWELL\? dynamic, or a name"),
    ("HASWEL", r"did you mean HASWELL\?"),
    ("PENTIUM9", r"^BLAS_CPU=PENTIUM9: not an OpenBLAS CPU target \(dynamic, or a name from the source's "
                 r"TargetList.txt: P2, HASWELL"),
])
def test_an_unknown_blas_cpu_is_one_line_with_the_closest_names(typed, message):
    with pytest.raises(SlitherError, match=message):
        openblas.check_blas_cpu(openblas.parse_blas_cpu(typed), openblas.target_names(TARGET_LIST))


def test_blas_cpu_syntax():
    assert openblas.parse_blas_cpu("") == openblas.parse_blas_cpu("Dynamic") == "dynamic"
    with pytest.raises(SlitherError, match=r"^BLAS_CPU=-march=native: give dynamic or one OpenBLAS CPU target"):
        openblas.parse_blas_cpu("-march=native")


def plan(modules, **options):
    return build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"), modules=modules,
                                **options)


def test_numpy_builds_openblas_and_its_lapack_first_dynamic_by_default():
    made = plan(["numpy"])
    assert [recipe.name for recipe in made.recipes] == ["lapack", "openblas", "numpy"]
    built = made.recipes[1]
    assert {"DYNAMIC_ARCH=1", "TARGET=GENERIC", "NO_SHARED=1", "USE_OPENMP=0", "INTERFACE64=0"} <= set(
        built.make_flags)
    assert made.recipes[2].build_environment == {"PKG_CONFIG_PATH": "{prefix:openblas}/lib/pkgconfig"}
    assert made.library_origins == (("blas", "OpenBLAS 0.3.29+ds built from source (static, BLAS_CPU=dynamic), "
                                             "for numpy"),)


def test_blas_cpu_is_one_target_in_the_make_flags(tmp_path):
    """The flags are the library step's command: another BLAS_CPU is another cache key. The
    check reads TargetList.txt from the pinned source (fetched like the build would)."""
    made = plan(["numpy"], blas_cpu="HASWELL")
    flags = made.recipes[1].make_flags
    assert "TARGET=HASWELL" in flags and "DYNAMIC_ARCH=1" not in flags and "TARGET=GENERIC" not in flags
    with pytest.raises(SlitherError, match=r"^BLAS_CPU=haswel: not an OpenBLAS CPU target \(did you mean HASWELL\?"):
        plan(["numpy"], blas_cpu="haswel")


def test_numpy_noblas_builds_no_openblas():
    assert [recipe.name for recipe in plan(["numpy-noblas"]).recipes] == ["numpy-noblas"]


def test_library_recipes_state_the_makefile_fields():
    from slither.recipes import module_recipes
    lapack, built = (module_recipes.load_module_recipe(name) for name in ("lapack", "openblas"))
    assert lapack.build_only is True and lapack.install_flags == ("PREFIX={prefix}",)
    assert built.depends_on == ("lapack",) and built.source.filename == "openblas_0.3.29+ds.orig.tar.xz"
    assert re.fullmatch(r"[0-9a-f]{64}", built.source.sha256)


@pytest.mark.slow
@pytest.mark.extended
def test_dynamic_arch_build_carries_every_x86_64_kernel_family(tmp_path):
    """The default BLAS_CPU=dynamic, built for real (the default run builds one family,
    conftest.ci_blas_cpu, to stay within CI's time): numpy computes, and the binary holds the
    kernel tables of old and new families alike, chosen at run time."""
    from conftest import assert_built, run_scons
    # BLAS_CPU given: run_scons would otherwise add the default run's one family
    built = run_scons([f"BUILD_DIR={tmp_path / 'build'}", "MODULES=numpy", "BLAS_CPU=dynamic", "JOBS=2"],
                      timeout=10800)
    assert_built(built)
    binary = tmp_path / "build" / "bin" / "python-static"
    symbols = subprocess.run(["nm", str(binary)], stdout=subprocess.PIPE, text=True).stdout
    for family in ("PRESCOTT", "NEHALEM", "SANDYBRIDGE", "HASWELL", "ZEN", "SKYLAKEX", "SAPPHIRERAPIDS"):
        assert f"gotoblas_{family}" in symbols, family
    result = subprocess.run([str(binary), "-c", "import numpy; a = numpy.eye(300) * 2; "
                             "print(float(numpy.linalg.det(a[:3, :3])))"], stdout=subprocess.PIPE, text=True)
    # the determinant comes from an LU factorisation: 8 to rounding, not exactly
    assert abs(float(result.stdout) - 8.0) < 1e-12, result.stdout + result.stderr
