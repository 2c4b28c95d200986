"""Shared fixtures: the checkout, tiny tarballs, and running scons like a user does."""

import io
import os
import shutil
import tempfile
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The helper modules that several test modules share hold assertions of their own: pytest is told
# to rewrite them as it rewrites a test module, so that a failing one shows its values too. (It
# must be told before they are first imported, hence here.)
pytest.register_assert_rewrite("capture_fixtures", "interpreter_checks")


@pytest.fixture
def wrappers(tmp_path):
    """The capture layer's wrapper scripts around the machine's gcc/g++, and their record dir
    (tests/test_capture.py, tests/test_capture_ld_ar.py)."""
    from slither.capture.wrappers import write_wrappers
    record_dir = tmp_path / "records"
    env = write_wrappers(tmp_path / "wrappers", real_cc="gcc", real_cxx="g++", python=sys.executable,
                         record_dir=record_dir)
    return env, record_dir


@pytest.fixture
def checkout():
    return ROOT


def profile_data_file(directory: Path, target: str = "gnu") -> Path:
    """The TARGET profile as a step is handed it (SConstruct writes BUILD_DIR/toolchains/<name>.json)."""
    from slither.recipes import loading
    path = Path(directory) / f"{target}-profile.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(loading.profile_data(loading.load_target(target)))
    return path


def make_tarball(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    """A real tarball from (name, content) pairs or prepared TarInfo records (links, dirs)."""
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, content = member
                info = tarfile.TarInfo(name)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


# The library steps every build has (the stdlib's, slither.cpython.stdlib_libraries): tests that
# pin a build's steps look past them.
STDLIB_LIBRARY_STEPS = frozenset(("zlib", "bzip2", "xz", "tcl", "sqlite", "openssl", "libffi", "libuuid",
                                  "ncurses", "libedit"))


def without_stdlib_libraries(outcomes: dict) -> dict:
    return {step: outcome for step, outcome in outcomes.items() if step not in STDLIB_LIBRARY_STEPS}


def step_outcomes(output: str) -> dict:
    """The summary's `steps:` line as {step: built | cache | up to date}."""
    line = next(line for line in output.splitlines() if line.strip().startswith("steps: "))
    pairs = [part.strip().split(" ", 1) for part in line.strip()[len("steps: "):].split(",")]
    return {step: outcome for step, outcome in pairs}


def with_ci_blas_cpu(arguments) -> list:
    """The scons arguments, and for a build with numpy or scipy and no BLAS_CPU of its own,
    BLAS_CPU=ci_blas_cpu(): the default run builds OpenBLAS for this machine's kernel family, not
    DYNAMIC_ARCH's fourteen."""
    arguments = list(arguments)
    with_blas = any(str(argument).startswith("MODULES=") and ("numpy" in str(argument) or "scipy" in str(argument))
                    and "numpy-noblas" not in str(argument) for argument in arguments)
    if with_blas and not any(str(argument).startswith("BLAS_CPU=") for argument in arguments):
        arguments.append(f"BLAS_CPU={ci_blas_cpu()}")
    return arguments


def run_scons(arguments, cwd=ROOT, timeout=3600, env=None):
    """scons as a user runs it (with_ci_blas_cpu); returns the CompletedProcess (output captured as text)."""
    return subprocess.run([sys.executable, "-m", "SCons", *with_ci_blas_cpu(arguments)], cwd=cwd,
                          env=env or os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout)


@dataclass(frozen=True)
class BuiltBinary:
    """One binary built_binary made: its BUILD_DIR, the binary, and what its build printed (the
    summary: which steps were built and which came from the cache)."""
    build_dir: Path
    binary: Path
    output: str


class BinaryBuilds:
    """`scons` with a set of build variables ({"MODULES": "numpy", "JOBS": 2}; not BUILD_DIR, which
    it chooses), run once per distinct set, each into its own BUILD_DIR from `directories` (a
    tmp_path_factory), with the user's CACHE_DIR as every run_scons has it. A failed build fails
    every caller with the tail of its output, without being run again."""

    def __init__(self, directories, run=run_scons):
        self._directories = directories
        self._run = run
        self._results = {}

    def __call__(self, variables: dict, timeout: int = 3600) -> BuiltBinary:
        __tracebackhide__ = True
        if "BUILD_DIR" in variables:
            raise ValueError("built_binary chooses BUILD_DIR itself")
        arguments = tuple(sorted(with_ci_blas_cpu(f"{name}={value}" for name, value in variables.items())))
        if arguments not in self._results:
            label = "".join(character if character.isalnum() else "-"
                            for character in "-".join(str(value) for _, value in sorted(variables.items())))
            build_dir = self._directories.mktemp(f"built-{label[:60]}")
            self._results[arguments] = (build_dir, self._run([f"BUILD_DIR={build_dir}", *arguments], timeout=timeout))
        build_dir, result = self._results[arguments]
        assert_built(result, tail=4000, what=" ".join(arguments))
        return BuiltBinary(build_dir, build_dir / "bin" / str(variables.get("NAME", "python-static")), result.stdout)


@pytest.fixture(scope="session")
def built_binary(tmp_path_factory) -> BinaryBuilds:
    """built_binary(variables, timeout=3600) -> BuiltBinary: the binary of these build variables,
    built once per session whichever test module asks first (BinaryBuilds). Modules asking for the
    same variables share the binary and its BUILD_DIR, so a test must leave that as it found it; a
    test that rebuilds it with other variables, or removes it, builds its own."""
    return BinaryBuilds(tmp_path_factory)


def assert_built(result: subprocess.CompletedProcess, tail: int = 3000, what: str = ""):
    """That a scons run succeeded; if not, the message is `what` (which build, when a test runs
    several) and the last `tail` characters of its output and of its errors, where a failed step
    says what went wrong (errors are None when they went to the output)."""
    __tracebackhide__ = True  # pytest reports a failure at the test's line, not here
    assert result.returncode == 0, (f"{what}:\n" if what else "") + (result.stdout or "")[-tail:] + (result.stderr or "")[-tail:]


def ci_blas_cpu() -> str:
    """BLAS_CPU for the default test runs: one OpenBLAS kernel family this machine runs (a build
    of some ten minutes on two cores), instead of DYNAMIC_ARCH's fourteen (tests/test_openblas.py
    builds that under the `extended` marker)."""
    try:
        flags = set(next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split())
    except (OSError, StopIteration):
        flags = set()
    if {"avx2", "fma"} <= flags:
        return "HASWELL"
    return "SANDYBRIDGE" if "avx" in flags else "NEHALEM" if "sse4_2" in flags else "PRESCOTT"


# What a run that builds interpreters needs free, measured: the peak of a cold default run is in
# docs/verification.md (build directories under the temporary directory plus the cache's growth).
SLOW_RUN_FREE_GIB = 20


def free_space_shortfall(directories: list[Path], needed_gib: float) -> str:
    """'' when every directory's filesystem has needed_gib free, else one line saying where and what to do."""
    for directory in directories:
        existing = next(parent for parent in [directory, *directory.parents] if parent.exists())
        free_gib = shutil.disk_usage(existing).free / 2**30
        if free_gib < needed_gib:
            return (f"{existing}: {free_gib:.1f} GiB free, the tests that build interpreters need about "
                    f"{needed_gib} GiB: free some space (old runs: {Path(tempfile.gettempdir())}/pytest-of-*, "
                    f"the cache: python3 -m slither prune-cache --max-size 5G) or run -m \"not slow\"")
    return ""


def pytest_collection_finish(session):
    """Stop at once, with one line, rather than fail builds an hour in for want of disk."""
    if not any(item.get_closest_marker("slow") for item in session.items):
        return
    from slither.cache import default_cache_dir
    shortfall = free_space_shortfall([Path(tempfile.gettempdir()), Path(default_cache_dir())], SLOW_RUN_FREE_GIB)
    if shortfall:
        pytest.exit(shortfall, returncode=1)
