"""conftest.built_binary, the session's binaries by build variables, without building anything:
its scons run is replaced by one that records what it was asked."""

import subprocess

import pytest

from conftest import BinaryBuilds, ci_blas_cpu


class RecordedRuns:
    def __init__(self, returncode=0):
        self.arguments = []
        self.returncode = returncode

    def __call__(self, arguments, timeout):
        self.arguments.append(arguments)
        return subprocess.CompletedProcess(arguments, self.returncode, f"run {len(self.arguments)}\n", "the error\n")


def test_the_same_variables_build_once_whatever_their_order_or_type(tmp_path_factory):
    runs = RecordedRuns()
    builds = BinaryBuilds(tmp_path_factory, run=runs)
    first = builds({"MODULES": "mpi4py", "JOBS": 2})
    again = builds({"JOBS": "2", "MODULES": "mpi4py"})
    assert again == first and len(runs.arguments) == 1
    assert runs.arguments[0] == [f"BUILD_DIR={first.build_dir}", "JOBS=2", "MODULES=mpi4py"]
    assert first.binary == first.build_dir / "bin" / "python-static" and first.output == "run 1\n"


def test_other_variables_build_again_into_another_build_dir(tmp_path_factory):
    runs = RecordedRuns()
    builds = BinaryBuilds(tmp_path_factory, run=runs)
    plain, named = builds({}), builds({"NAME": "myapp"})
    assert len(runs.arguments) == 2 and plain.build_dir != named.build_dir
    assert named.binary == named.build_dir / "bin" / "myapp"


def test_numpy_without_blas_cpu_is_the_build_with_the_test_runs_blas_cpu(tmp_path_factory):
    runs = RecordedRuns()
    builds = BinaryBuilds(tmp_path_factory, run=runs)
    assert builds({"MODULES": "numpy"}) == builds({"MODULES": "numpy", "BLAS_CPU": ci_blas_cpu()})
    assert len(runs.arguments) == 1 and f"BLAS_CPU={ci_blas_cpu()}" in runs.arguments[0]


def test_a_failed_build_fails_every_caller_with_its_output_and_is_not_run_again(tmp_path_factory):
    runs = RecordedRuns(returncode=2)
    builds = BinaryBuilds(tmp_path_factory, run=runs)
    for _ in range(2):
        with pytest.raises(AssertionError, match=r"(?s)MODULES=broken:.*run 1.*the error"):
            builds({"MODULES": "broken"})
    assert len(runs.arguments) == 1


def test_build_dir_is_the_fixtures_to_choose(tmp_path_factory):
    with pytest.raises(ValueError, match="BUILD_DIR"):
        BinaryBuilds(tmp_path_factory, run=RecordedRuns())({"BUILD_DIR": "elsewhere"})
