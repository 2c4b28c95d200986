"""Fast tests of bench/'s pure parts: strace parsing, table formatting, the projection model.

bench/run itself is a measurement, not a test; these check the arithmetic it rests on.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import projection  # noqa: E402
import report  # noqa: E402
import runtime_speed  # noqa: E402
import syscall_audit  # noqa: E402
import tables  # noqa: E402

STRACE_LOG = """\
100 execve("/x/bin/python3.11", ["python3.11", "-c", "pass"], 0x7ffd /* 20 vars */) = 0
100 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
100 read(3, ""..., 832) = 832
100 close(3) = 0
100 openat(AT_FDCWD, "/x/lib/libpython3.11.so.1.0", O_RDONLY|O_CLOEXEC) = 3
100 read(3, ""..., 832) = 832
100 close(3) = 0
100 newfstatat(AT_FDCWD, "/x/lib/python311.zip", 0x7ffc, 0) = -1 ENOENT (No such file or directory)
100 openat(AT_FDCWD, "/x/lib/python3.11/os.py", O_RDONLY|O_CLOEXEC <unfinished ...>
101 read(7, ""..., 100) = 100
100 <... openat resumed>) = 4
100 read(4,  <unfinished ...>
100 <... read resumed>""..., 4096) = 1000
100 read(4, "", 4096) = 0
100 close(4) = 0
100 read(4, ""..., 4096) = 50
100 readlink("/proc/self/exe", ""..., 4096) = 18
100 execve("/x/child", ["child"], 0x7ffd /* 20 vars */) = 0
100 +++ exited with 0 +++
"""


def test_strace_lines_are_joined_across_unfinished_and_resumed_halves():
    calls = syscall_audit.joined_calls(STRACE_LOG.splitlines())
    opened = [c for c in calls if c.name == "openat" and "os.py" in c.arguments]
    assert len(opened) == 1 and opened[0].result == 4 and opened[0].pid == 100
    reads = [c for c in calls if c.name == "read" and c.pid == 100 and c.result == 1000]
    assert len(reads) == 1


def test_audit_counts_paths_failures_and_bytes_read_from_shared_files_only():
    counts = syscall_audit.count(syscall_audit.joined_calls(STRACE_LOG.splitlines())).as_dict()
    # the first execve is the command itself; the second names a path and counts
    assert counts["total"] == 6            # ld.so.cache, libpython, python311.zip, os.py, /proc/self/exe, child
    assert counts["failed"] == 1
    assert counts["outside"] == 4          # not /etc/ld.so.cache, not /proc/self/exe
    assert counts["outside_failed"] == 1
    assert counts["unique_paths"] == 4
    # 832 (libpython) + 1000 (os.py); not ld.so.cache (node-local), not reads after close, not pid 101's fd
    assert counts["bytes_read"] == 1832


def test_audit_ratios_to_stock():
    row = {"stock": {"total": 100, "outside": 80, "bytes_read": 4000},
           "python-static": {"total": 3, "outside": 0, "bytes_read": 0},
           "pyinstaller": {"na": "not built"}}
    syscall_audit.add_ratios_to_stock(row)
    assert row["stock"]["outside_ratio_to_stock"] == 1
    assert row["python-static"]["outside_ratio_to_stock"] == 0
    assert row["python-static"]["total_ratio_to_stock"] == pytest.approx(0.03)
    assert row["pyinstaller"] == {"na": "not built"}
    assert syscall_audit.ratio(5, 0) is None


def test_markdown_table_shape_and_alignment():
    text = tables.markdown_table(["a", "b"], [["x", 1], ["y", 22]])
    assert text.splitlines() == ["| a | b |", "| --- | ---: |", "| x | 1 |", "| y | 22 |"]
    with pytest.raises(ValueError):
        tables.markdown_table(["a", "b"], [["only one"]])


@pytest.mark.parametrize("value, shown", [(0, "0"), (None, "–"), (0.5, "0.50"), (0.0012, "1.2e-03"), (12.345, "12.35")])
def test_ratio_format(value, shown):
    assert tables.ratio(value) == shown


@pytest.mark.parametrize("value, shown", [(0.25, "250 ms"), (2.5, "2.50 s"), (250, "250 s"), (7200, "2.0 h")])
def test_seconds_format(value, shown):
    assert tables.seconds(value) == shown


def test_byte_sizes():
    assert tables.byte_size(512) == "512 B"
    assert tables.byte_size(3 * 2**20) == "3.0 MiB"


def test_audit_table_says_why_a_cell_is_missing():
    audit = {"import numpy; from mpi4py import MPI": {"stock": {"na": "mpi4py recipe not merged yet"}}}
    assert "n/a (mpi4py recipe not merged yet)" in report.audit_table(audit)


def test_projection_model_latency_floor_and_throughput_bound():
    # one rank alone: n round trips of s
    assert projection.startup_seconds(1000, 1, service_seconds=0.001, throughput=30_000) == pytest.approx(1.0)
    # many ranks: R*n/X
    assert projection.startup_seconds(1000, 100_000, 0.001, 30_000) == pytest.approx(100_000 * 1000 / 30_000)
    assert projection.startup_seconds(0, 100_000) == 0
    with pytest.raises(ValueError):
        projection.startup_seconds(10, 0)


def test_projection_check_inverts_the_published_measurement():
    check = projection.check_against_langton(throughput=10_000)
    per_rank = check["operations_per_rank_implied_at_default_throughput"]
    # feeding the implied count back into the model gives 5.5 hours at 32k ranks
    assert projection.startup_seconds(round(per_rank), 32_768, 0.0005, 10_000) == pytest.approx(5.5 * 3600, rel=1e-3)
    assert check["operations_per_import_implied"] == pytest.approx(per_rank / 100)


def test_projection_from_audit_adds_the_execve_and_keeps_na():
    audit = {"-c pass": {"stock": {"outside": 99}, "python-static": {"outside": 0},
                         "pyinstaller": {"na": "no PyInstaller"}}}
    result = projection.project(audit, service_seconds=0.0005, throughput=30_000)
    row = result["workloads"]["-c pass"]
    assert row["stock"]["operations"] == 100
    assert row["python-static"]["seconds"]["100000"] == pytest.approx(100_000 / 30_000)
    assert row["pyinstaller"] == {"na": "no PyInstaller"}
    assert result["model"]["limits"]


def test_pyperf_result_parsing_and_geometric_mean(tmp_path):
    result = tmp_path / "r.json"
    result.write_text(json.dumps({"benchmarks": [{"runs": [{"warmups": [[1, 9.0]]}, {"values": [1.0, 3.0]},
                                                          {"values": [2.0]}]}]}))
    mean, deviation, values = runtime_speed.pyperf_mean_seconds(result)
    assert (mean, values) == (2.0, 3) and deviation == pytest.approx(1.0)
    assert runtime_speed.geometric_mean([0.5, 2.0]) == pytest.approx(1.0)


def test_bench_run_rejects_an_unknown_section_in_one_line():
    result = subprocess.run([sys.executable, str(BENCH / "run"), "--only", "audti"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "bench: error: --only: unknown section(s) audti; choose from audit, fuse, warm, runtime, build, footprint, "
        "projection"]


def test_cluster_startup_broadcasts_only_for_its_broadcast_contender_and_tables_every_cell():
    import cluster_startup as cluster
    root = Path("/mnt/served")
    commands = {name: cluster.srun_command(name, 2, 4, root, "stock/bin/python3.11")
                for name in (cluster.STOCK, cluster.BCAST, cluster.SERVED)}
    assert commands[cluster.STOCK][:6] == ["srun", "-u", "-N", "2", "-n", "4"]
    assert commands[cluster.STOCK][6] == "/mnt/served/stock/bin/python3.11"
    assert [word for word in commands[cluster.BCAST] if word.startswith("--bcast")] == [f"--bcast={cluster.LOCAL_COPY}"]
    assert not any(word.startswith("--bcast") for word in commands[cluster.SERVED] + commands[cluster.STOCK])
    assert commands[cluster.SERVED][6] == "/mnt/served/static/python-static"
    summary = [{"nodes": 2, "contender": cluster.BCAST, "median_last_first_line_seconds": 1.5,
                "median_metadata_operations": 27},
               {"nodes": 2, "contender": cluster.SERVED, "median_last_first_line_seconds": None,
                "median_metadata_operations": 0}]
    assert cluster.table(summary, {cluster.BCAST: "", cluster.SERVED: ""}, [2], 2).splitlines()[2:] == [
        f"| {cluster.BCAST} | 1.50 s (27 ops) |", f"| {cluster.SERVED} | failed or over budget |"]


def test_cluster_startup_gives_bench_runs_preparation_every_option_it_reads():
    """The cluster run prepares its contenders with bench/run's own code: every `args.NAME` that
    preparation reads must be among the options it passes, and its workload one of bench's."""
    import argparse
    import ast
    import cluster_startup as cluster
    tree = ast.parse((BENCH / "run").read_text())
    preparation = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "preparation")
    read = {node.attr for node in ast.walk(preparation)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "args"}
    # and getattr(args, option) over its table of skip_stock_* options
    read |= {node.value for node in ast.walk(preparation)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("skip_stock_")}
    cluster_options = argparse.Namespace(static="s", stock="", stock_mpi="", work_dir="w", cache_dir="c",
                                         results="r", nodes="2", ranks_per_node=2, runs=1, service_ms=1.0)
    given = vars(cluster.cluster_preparation_options(cluster_options))
    assert read and read <= set(given), sorted(read - set(given))
    skipped = [name for name in given if name.startswith("skip_stock_") and name != "skip_stock_numpy"]
    assert skipped and all(given[name] for name in skipped) and given["skip_stock_numpy"] is False
    assert cluster.WORKLOAD in cluster.BY_KEY and cluster.CODE.startswith(cluster.WORKLOAD)


def test_cluster_startup_rejects_node_counts_beyond_the_emulated_cluster_in_one_line():
    result = subprocess.run([sys.executable, str(BENCH / "cluster_startup.py"), "--nodes", "2,9"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["bench: error: --nodes 2,9: choose node counts from 1 to 4"]


def test_build_variants_names_the_unfrozen_tree_beside_a_binary_and_formats_audit_cells(tmp_path):
    sys.path.insert(0, str(BENCH.parent))
    from bench import build_variants
    binary = tmp_path / "build" / "bin" / "python-static"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"\0" * 10)
    assert build_variants.installed_files_size(binary) == "-"
    tree = tmp_path / "build" / "lib" / "python3.11" / "numpy"
    tree.mkdir(parents=True)
    (tree / "__init__.py").write_bytes(b"x" * 10000)
    assert build_variants.installed_files_size(binary) != "-"
    assert build_variants.audit_cell({"outside": 383, "total": 387, "failed": 21}, "") == "383 (387 / 21 failed)"
    assert build_variants.audit_cell(None, "exit 1: boom") == "n/a (exit 1: boom)"


def test_build_variants_rejects_a_missing_binary_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH / "build_variants.py"), f"UNFROZEN=numpy={tmp_path}/none"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"bench/build_variants.py: UNFROZEN=numpy={tmp_path}/none: give LABEL=BINARY with an existing binary"]


def test_audit_hook_cost_measures_a_slope_per_added_hook_and_tables_every_cell():
    import audit_hook_cost
    figures = audit_hook_cost.measure(sys.executable, 2000, Path(audit_hook_cost.__file__))
    assert sorted(figures) == [0, 1, 2] and all(figures[added][kind] > 0 for added in figures
                                                for kind in ("compile", "open"))
    synthetic = {0: {"compile": 100.0, "open": 900.0}, 1: {"compile": 150.0, "open": 960.0},
                 2: {"compile": 200.0, "open": 1020.0}}
    assert audit_hook_cost.slope(synthetic, "compile") == 50.0 and audit_hook_cost.slope(synthetic, "open") == 60.0
    text = audit_hook_cost.table({"a": synthetic, "b": {"na": "exit 1"}})
    assert "| a | open | 900 ns | 960 ns | 1020 ns | +60 ns |" in text and "| b | n/a: exit 1 |" in text


def test_audit_hook_cost_rejects_a_missing_binary_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH / "audit_hook_cost.py"), "--static", str(tmp_path / "none")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.returncode != 0 and result.stderr.strip().splitlines() == [
        f"bench/audit_hook_cost.py: --static {tmp_path / 'none'}: no such binary (scons builds it)"]


# --- the scipy and full-stack workloads, the stock scipy, the full-stack build costs ----------------

def test_scipy_workload_imports_every_public_subpackage_and_the_stack_workload_needs_all_four():
    import workloads
    scipy = workloads.BY_KEY["import scipy"]
    assert scipy.interpreter_arguments()[0] == "-c"
    imported = [name.strip() for name in scipy.code.removeprefix("import ").split(",")]
    assert imported == ["scipy"] + [f"scipy.{name}" for name in (
        "linalg", "sparse", "sparse.linalg", "special", "integrate", "optimize", "fft", "interpolate", "stats",
        "signal", "spatial")]
    assert scipy.needs == ("numpy", "scipy")
    stack = workloads.BY_KEY["import numpy, scipy, h5py; from mpi4py import MPI"]
    assert stack.code == stack.key and sorted(stack.needs) == sorted(workloads.FULL_STACK)
    assert stack.script_text() == stack.code + "\n"


def test_selected_workloads_keep_table_order_and_reject_unknown_names():
    import workloads
    assert [w.slug for w in workloads.selected_workloads("stack, scipy")] == ["scipy", "stack"]
    assert workloads.selected_workloads("") == workloads.WORKLOADS
    with pytest.raises(ValueError, match="unknown workload.s. scipi; choose from pass, json"):
        workloads.selected_workloads("scipy,scipi")


def test_bench_run_rejects_an_unknown_workload_in_one_line():
    result = subprocess.run([sys.executable, str(BENCH / "run"), "--workloads", "scipi"], capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "bench: error: --workloads: unknown workload(s) scipi; choose from pass, json, numpy, numpy_mpi4py, app, "
        "scipy, stack, gpaw, netcdf4"]


def test_a_workload_is_unavailable_for_every_package_it_needs_and_lacks_in_its_order():
    import contenders
    import workloads
    stack = workloads.BY_KEY["import numpy, scipy, h5py; from mpi4py import MPI"]
    reasons = {"numpy": "", "scipy": "no scipy wheel", "mpi4py": "", "h5py": "no stock h5py"}
    assert contenders.unavailable_for(stack, reasons) == "no scipy wheel; no stock h5py"
    assert contenders.unavailable_for(workloads.BY_KEY["import numpy"], reasons) == ""
    assert contenders.unavailable_for(workloads.BY_KEY["import scipy"], reasons) == "no scipy wheel"


def _preparation(tmp_path, **fields):
    import contenders
    defaults = dict(stock_python=Path(sys.executable), static_binary=tmp_path / "python-static", work_dir=tmp_path,
                    cache_dir=tmp_path / "cache", numpy_sdist=None, build_tools_tar=None,
                    mpi4py_reason="")
    return contenders.Preparation(**{**defaults, **fields})


def test_stock_scipy_is_the_stock_wheel_built_against_the_stock_numpy_wheel_and_a_failure_is_its_reason(
        tmp_path, monkeypatch):
    import contenders
    tools = tmp_path / "build-tools.tar"
    tools.write_bytes(b"tools")
    prep = _preparation(tmp_path, build_tools_tar=tools, numpy_recipe="numpy-recipe", scipy_recipe="scipy-recipe",
                        stock_wheel_dir=tmp_path / "wheels", source_dirs=(tmp_path / "sources",))
    built, installed = [], []

    def fake_stock_wheel(python, recipe, work, source_dirs, dependencies=()):
        built.append((recipe, work, source_dirs, list(dependencies)))
        wheel = tmp_path / f"{recipe}.whl"
        wheel.write_bytes(recipe.encode())
        return wheel

    monkeypatch.setattr(contenders, "stock_wheel", fake_stock_wheel)
    monkeypatch.setattr(contenders, "install_stock_package",
                        lambda prep, facts, site, log, *, name, sdist, key: installed.append((name, sdist.name)) or key)
    reason, key = contenders.install_stock_scipy(prep, {"series": "3.11"}, tmp_path / "site", tmp_path / "log")
    assert reason == "" and key
    assert built == [("numpy-recipe", tmp_path / "wheels", [tmp_path / "sources"], []),
                     ("scipy-recipe", tmp_path / "wheels", [tmp_path / "sources"], [tmp_path / "numpy-recipe.whl"])]
    assert installed == [("scipy", "scipy-recipe.whl")]

    def failing_stock_wheel(*arguments, **keywords):
        raise contenders.SlitherError("scipy 1.15.3: no lock of its build requirements (x)\nmore")

    monkeypatch.setattr(contenders, "stock_wheel", failing_stock_wheel)
    assert contenders.install_stock_scipy(prep, {}, tmp_path, tmp_path / "log") == (
        "stock scipy wheel not built: scipy 1.15.3: no lock of its build requirements (x)", "")
    skipped = _preparation(tmp_path, scipy_reason="--skip-stock-scipy")
    assert contenders.install_stock_scipy(skipped, {}, tmp_path, tmp_path / "log") == ("--skip-stock-scipy", "")


def test_stock_h5py_comes_from_the_h5py_suites_venv_with_its_hdf5_served_from_the_tree(tmp_path, monkeypatch):
    """The served tree gets the h5py of harness.stock.h5py's venv (bytecode kept) and the shared
    HDF5's libraries in stock/hdf5/lib; a stock build that fails is the workloads' reason."""
    import contenders
    from harness.stock import h5py as stock_h5py
    from harness.stock import hdf5 as stock_hdf5
    from harness.suites import binary_under_test
    wheels = tmp_path / "wheels"
    prep = _preparation(tmp_path, stock_wheel_dir=wheels, stock_mpi_prefix=tmp_path / "mpich")
    venv_site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    (venv_site / "h5py" / "__pycache__").mkdir(parents=True)
    (venv_site / "h5py" / "__init__.py").write_text("from . import defs\n")
    (venv_site / "h5py" / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"bytecode")
    (venv_site / "h5py-3.14.0.dist-info").mkdir()
    (venv_site / "numpy").mkdir()  # the venv's numpy is not the tree's: not copied
    (tmp_path / "venv" / ".slither-suite").write_text("numpy, mpi4py, h5py wheels")
    prefix = stock_hdf5.shared_hdf5_prefix(wheels, "parallel")
    (prefix / "lib").mkdir(parents=True)
    (prefix / "lib" / "libhdf5.so.310.5.0").write_bytes(b"elf")
    (prefix / "lib" / "libhdf5.so.310").symlink_to("libhdf5.so.310.5.0")
    (prefix / "lib" / "libhdf5.a").write_bytes(b"not shared")
    (prefix.parent / "stamp.json").write_text("parallel HDF5")
    asked = []
    monkeypatch.setattr(binary_under_test, "package_recipe",
                        lambda binary, name: ({"modules": {"numpy": {}, "mpi4py": {}, "h5py": {}}}, "recipe"))

    def fake_venv(python, build, build_dir, work, source_dirs, *, stock_mpi_prefix=""):
        asked.append((work, stock_mpi_prefix))
        return tmp_path / "venv" / "bin" / "python", "HDF5 parallel"

    monkeypatch.setattr(stock_h5py, "stock_h5py_venv", fake_venv)
    tree, site = prep.served / "stock", prep.served / "stock" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    reason, key, libraries = contenders.install_stock_h5py(prep, tree, site)
    assert reason == "" and key and libraries == ("stock/hdf5/lib",)
    assert asked == [(wheels, str(tmp_path / "mpich"))]  # the suite's wheels and HDF5, the tree's MPI
    assert (site / "h5py" / "__pycache__" / "__init__.cpython-311.pyc").read_bytes() == b"bytecode"
    assert (site / "h5py-3.14.0.dist-info").is_dir() and not (site / "numpy").exists()
    assert sorted(p.name for p in (tree / "hdf5" / "lib").iterdir()) == ["libhdf5.so.310", "libhdf5.so.310.5.0"]
    assert (tree / "hdf5" / "lib" / "libhdf5.so.310").is_symlink()

    def failing_venv(*arguments, **keywords):
        raise contenders.SlitherError("a parallel stock h5py needs the shared MPI (`scons reference-mpi`)\nmore")

    monkeypatch.setattr(stock_h5py, "stock_h5py_venv", failing_venv)
    assert contenders.install_stock_h5py(prep, tmp_path / "t2", tmp_path / "s2") == (
        "stock h5py not built: a parallel stock h5py needs the shared MPI (`scons reference-mpi`)", "", ())
    skipped = _preparation(tmp_path, h5py_reason="--skip-stock-h5py")
    assert contenders.install_stock_h5py(skipped, tree, site) == ("--skip-stock-h5py", "", ())


def test_a_packages_library_directory_is_searched_only_by_the_workloads_that_import_it(tmp_path):
    import contenders
    import workloads
    stock = contenders.Contender("stock", "", interpreter="stock/bin/python3.11", library_path="stock/lib",
                                 package_library_paths={"h5py": ("stock/hdf5/lib",)})
    stack = workloads.BY_KEY["import numpy, scipy, h5py; from mpi4py import MPI"]
    assert stock.environment(tmp_path, stack)["LD_LIBRARY_PATH"] == f"{tmp_path}/stock/hdf5/lib:{tmp_path}/stock/lib"
    assert stock.environment(tmp_path, workloads.BY_KEY["import scipy"])["LD_LIBRARY_PATH"] == f"{tmp_path}/stock/lib"
    assert stock.environment(tmp_path)["LD_LIBRARY_PATH"] == f"{tmp_path}/stock/lib"
    static = contenders.Contender("python-static", "", interpreter="static/python-static")
    assert "LD_LIBRARY_PATH" not in static.environment(tmp_path, stack)


def test_full_stack_cold_build_is_a_new_build_dir_and_empty_cache_on_two_jobs_and_is_recorded(tmp_path, monkeypatch):
    import build_costs
    calls = []

    def fake_scons(arguments, log):
        calls.append(arguments)
        build_dir = Path(next(a for a in arguments if a.startswith("BUILD_DIR=")).split("=", 1)[1])
        (build_dir / "bin").mkdir(parents=True)
        (build_dir / "bin" / "python-static").write_bytes(b"\0" * 8192)
        return {"seconds": 2500.0, "steps": "steps: cpython built, scipy built"}

    monkeypatch.setattr(build_costs, "scons", fake_scons)
    (tmp_path / "cache" / "downloads" / "locks").mkdir(parents=True)
    (tmp_path / "cache" / "downloads" / "scipy-1.15.3.tar.gz").write_bytes(b"sdist")
    entry = build_costs.measure_full_stack_cold(tmp_path / "work", tmp_path / "cache", tmp_path / "log")
    assert calls == [["MODULES=numpy,scipy,mpi4py,h5py", "JOBS=2", f"BUILD_DIR={tmp_path}/work/stack-cold-build",
                      f"CACHE_DIR={tmp_path}/work/stack-cold-cache"]]
    assert not (tmp_path / "work" / "stack-cold-build").exists() and not (tmp_path / "work" / "stack-cold-cache").exists()
    assert entry["seconds"] == 2500.0 and entry["modules"] == "numpy,scipy,mpi4py,h5py" and entry["binary_bytes"] > 0
    record = tmp_path / "full-stack-cold.json"
    build_costs.record_full_stack_cold(entry, record)
    recorded = build_costs.recorded_full_stack_cold(record)
    assert recorded["seconds"] == 2500.0 and recorded["from"].startswith("full-stack-cold.json, measured ")


def test_the_timed_full_stack_binary_and_its_build_tools_can_be_kept_for_the_bench_and_a_failed_build_keeps_nothing(
        tmp_path, monkeypatch):
    import build_costs
    outcome = {"seconds": 2500.0, "steps": "steps: scipy built"}

    def fake_scons(arguments, log):
        build_dir = Path(next(a for a in arguments if a.startswith("BUILD_DIR=")).split("=", 1)[1])
        (build_dir / "bin").mkdir(parents=True)
        (build_dir / "bin" / "python-static").write_bytes(b"ELF binary")
        (build_dir / "cpython-3.11.2-gnu").mkdir()
        (build_dir / "cpython-3.11.2-gnu" / "build-tools.tar").write_bytes(b"tools")
        (build_dir / "cpython-3.11.2-gnu" / "libpython3.11.a").write_bytes(b"not wanted")
        return dict(outcome)

    monkeypatch.setattr(build_costs, "scons", fake_scons)
    (tmp_path / "cache" / "downloads").mkdir(parents=True)
    kept = tmp_path / "kept"
    entry = build_costs.measure_full_stack_cold(tmp_path / "work", tmp_path / "cache", tmp_path / "log", kept_dir=kept)
    assert (kept / "bin" / "python-static").read_bytes() == b"ELF binary"
    assert (kept / "cpython-3.11.2-gnu" / "build-tools.tar").read_bytes() == b"tools"
    assert sorted(str(p.relative_to(kept)) for p in kept.rglob("*") if p.is_file()) == [
        "bin/python-static", "cpython-3.11.2-gnu/build-tools.tar"]
    assert entry["kept"] == [str(kept / "bin/python-static"), str(kept / "cpython-3.11.2-gnu/build-tools.tar")]
    assert not (tmp_path / "work" / "stack-cold-build").exists()
    record = tmp_path / "full-stack-cold.json"
    build_costs.record_full_stack_cold(entry, record)
    assert "kept" not in json.loads(record.read_text()) and "/" not in build_costs.recorded_full_stack_cold(record)["commit"]
    shutil.rmtree(kept)
    outcome = {"na": "scons failed (exit 2), log x", "seconds": 10.0}
    entry = build_costs.measure_full_stack_cold(tmp_path / "work", tmp_path / "cache", tmp_path / "log", kept_dir=kept)
    assert not kept.exists() and "kept" not in entry


def test_only_a_measured_full_stack_cold_build_is_recorded_and_a_record_of_other_modules_is_not_taken(tmp_path):
    import build_costs
    record = tmp_path / "full-stack-cold.json"
    build_costs.record_full_stack_cold({"na": "scons failed (exit 2)", "seconds": 30.0}, record)
    assert not record.exists()
    assert "no record in full-stack-cold.json" in build_costs.recorded_full_stack_cold(record)["na"]
    record.write_text(json.dumps({"modules": "numpy,scipy", "seconds": 1500.0}))
    assert build_costs.recorded_full_stack_cold(record) == {
        "na": "full-stack-cold.json records MODULES=numpy,scipy, not numpy,scipy,mpi4py,h5py"}


def test_stack_footprint_sizes_each_contender_with_its_packages_and_measures_rss_of_what_it_runs(tmp_path, monkeypatch):
    import build_costs
    import contenders
    import workloads
    scipy = workloads.BY_KEY["import scipy"]
    stack = workloads.BY_KEY["import numpy, scipy, h5py; from mpi4py import MPI"]
    (tmp_path / "stock" / "lib").mkdir(parents=True)
    (tmp_path / "stock" / "lib" / "scipy.so").write_bytes(b"x" * 400_000)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "python-static").write_bytes(b"x" * 100_000)
    (tmp_path / "pyinstaller").mkdir()
    (tmp_path / "pyinstaller" / "scipy").write_bytes(b"x" * 200_000)
    no_h5py = "no stock h5py"
    stock = contenders.Contender("stock", "", interpreter="stock/bin/python3.11", tree="stock",
                                 packages=("numpy", "scipy", "mpi4py"), unavailable={stack.key: no_h5py})
    onefile = contenders.Contender("pyinstaller", "", onefiles={scipy.key: "pyinstaller/scipy"}, tree="pyinstaller",
                                   packages=stock.packages, unavailable={stack.key: no_h5py})
    static = contenders.Contender("python-static", "", interpreter="static/python-static", tree="static",
                                  packages=workloads.FULL_STACK)
    monkeypatch.setattr(build_costs, "peak_rss_kib", lambda command, cwd, env: 1024 * len(command))
    footprint = build_costs.stack_footprint([stock, onefile, static], [scipy, stack], [stack, scipy], tmp_path)
    assert footprint["stock"]["missing"] == ["h5py"] and "missing" not in footprint["python-static"]
    assert footprint["stock"]["na"] == {stack.key: no_h5py} and scipy.key in footprint["stock"]["peak_rss_kib"]
    assert footprint["pyinstaller"]["what"].startswith("the 'import scipy' one-file")
    without = contenders.Contender("pyinstaller", "", onefiles={"-c pass": "pyinstaller/pass"},
                                   unavailable={scipy.key: "no scipy", stack.key: "no scipy; no stock h5py"})
    assert build_costs.stack_footprint([without], [], [stack, scipy], tmp_path)["pyinstaller"]["size_na"] == (
        "no scipy; no stock h5py")
    assert footprint["python-static"]["size_ratio_na"] == "other packages than stock's"
    assert footprint["stock"]["size_ratio_to_stock"] == 1
    assert set(footprint["python-static"]["peak_rss_kib"]) == {scipy.key, stack.key}
    text = report.full_stack_table({"modules": "numpy,scipy,mpi4py,h5py", "rss_workloads": [scipy.key, stack.key],
                                    "cold": {"na": "not measured in this run"}, "footprint": footprint})
    lines = text.splitlines()
    assert lines[2] == "| cold full build (empty cache) | n/a (not measured in this run) |  |"
    stock_row = next(line for line in lines if line.startswith("| stock |"))
    assert "numpy, scipy, mpi4py (without h5py)" in stock_row and f"n/a ({no_h5py})" in stock_row
    assert next(line for line in lines if line.startswith("| python-static |")) == (
        "| python-static | numpy, scipy, mpi4py, h5py | 100.0 KiB | n/a (other packages than stock's) | the binary "
        "| 3.0 MiB | 3.0 MiB |")
    stock.packages = static.packages
    same = build_costs.stack_footprint([stock, static], [], [], tmp_path)
    assert same["python-static"]["size_ratio_to_stock"] == pytest.approx(100 / 400, rel=0.1)


def test_full_stack_table_names_where_a_cold_figure_came_from():
    text = report.full_stack_table({"modules": "numpy,scipy,mpi4py,h5py", "rss_workloads": [], "footprint": {},
                                    "cold": {"seconds": 2700.0, "steps": "steps: scipy built",
                                             "from": "full-stack-cold.json, measured 2026-12-02T05:00:00+00:00 at abc",
                                             "load_average_before": [1.5, 1.0, 1.0], "cores": 2}})
    assert text.splitlines()[2] == (
        "| cold full build (empty cache) | 2700 s | steps: scipy built (figure from full-stack-cold.json, measured "
        "2026-12-02T05:00:00+00:00 at abc); load average at start 1.5 on 2 cores |")
    assert "full_stack" not in json.dumps(report.build_table({"builds": {}, "footprint": {}}))


def test_build_table_without_builds_or_numpy_footprint_is_the_full_stack_table_alone():
    stack = {"modules": "numpy,scipy,mpi4py,h5py", "rss_workloads": [], "footprint": {}, "cold": {"na": "x"}}
    assert report.build_table({"builds": {}, "footprint": {}, "full_stack": stack}) == report.full_stack_table(stack)


def test_full_stack_headline_compares_sizes_only_when_stock_has_every_package():
    sys.path.insert(0, str(BENCH.parent))
    from bench import publish
    footprint = {"stock": {"size_bytes": 400 * 2**20, "packages": ["numpy", "scipy", "mpi4py"], "missing": ["h5py"]},
                 "python-static": {"size_bytes": 200 * 2**20, "size_ratio_to_stock": 0.5}}
    stack = {"modules": "numpy,scipy,mpi4py,h5py", "cold": {"na": "not measured"}, "footprint": footprint}
    assert publish.full_stack_headlines(stack) == []
    del footprint["stock"]["missing"]
    stack["cold"] = {"seconds": 2700.0, "cores": 2}
    assert publish.full_stack_headlines(stack) == [
        "* A cold `scons MODULES=numpy,scipy,mpi4py,h5py` on 2 cores took 2700 s.",
        "* `MODULES=numpy,scipy,mpi4py,h5py`: the binary is 200.0 MiB on disk, the stock install tree with the same "
        "packages 400.0 MiB (0.50×)."]


def test_step_costs_are_read_from_each_builds_last_log_line_and_tabled(tmp_path):
    import build_costs
    from slither.configure_make import BUILT_IN_MARKER
    assert build_costs.BUILT_IN_MARKER == BUILT_IN_MARKER  # the line the builds write is the one read
    (tmp_path / "libraries" / "openssl-3.0.20-gnu").mkdir(parents=True)
    (tmp_path / "libraries" / "openssl-3.0.20-gnu" / "build.log").write_text(
        "# openssl\nmake ...\n# built in 4 min 10 s (CPU 7 min 55 s)\n")
    (tmp_path / "libraries" / "zlib-1.2.13.dfsg-gnu").mkdir(parents=True)
    (tmp_path / "libraries" / "zlib-1.2.13.dfsg-gnu" / "build.log").write_text("# zlib\nmake: *** failed\n")
    (tmp_path / "cpython-3.11.2-gnu").mkdir()
    (tmp_path / "cpython-3.11.2-gnu" / "build.log").write_text("# cpython\n# built in 6 min 02 s (CPU 11 min 40 s)\n")
    costs = build_costs.step_costs(tmp_path)
    assert costs == {"cpython-3.11.2-gnu": "6 min 02 s (CPU 11 min 40 s)",
                     "openssl-3.0.20-gnu": "4 min 10 s (CPU 7 min 55 s)"}
    table = build_costs.format_step_costs([{"label": "after", "modules": "", "seconds": 900, "binary_bytes": 2**25,
                                            "steps": costs}])
    assert table.splitlines()[2] == ("| after | (stdlib only) | 15.0 min | 32.0 MiB | cpython-3.11.2-gnu | "
                                     "6 min 02 s (CPU 11 min 40 s) |")
    assert table.splitlines()[3] == "| | | | | openssl-3.0.20-gnu | 4 min 10 s (CPU 7 min 55 s) |"


def test_data_by_path_table_has_every_contender_and_a_dash_where_nothing_was_traced():
    from data_by_path import table
    rows = [{"contender": "first use", "median_ms": 12.34, "written_bytes": 30, "calls_in_data_dir": 9,
             "calls_elsewhere": 0},
            {"contender": "racing 16x", "median_ms": 80.0, "written_bytes": 30, "calls_in_data_dir": None,
             "calls_elsewhere": None}]
    lines = table(rows, "import sklearn").splitlines()
    assert lines[4] == "| first use | 12.3 | 30 | 9 | 0 |"
    assert lines[5] == "| racing 16x | 80.0 | 30 | - | - |"


# --- the application workloads: import gpaw, import netCDF4 -----------------------------------------

def test_application_workloads_are_selectable_and_name_the_modules_of_their_binary():
    import workloads
    gpaw, netcdf4 = workloads.BY_SLUG["gpaw"], workloads.BY_SLUG["netcdf4"]
    assert (gpaw.key, gpaw.code, gpaw.needs) == ("import gpaw", "import gpaw, gpaw.mpi", ("gpaw",))
    assert (netcdf4.key, netcdf4.code, netcdf4.needs) == ("import netCDF4", "import netCDF4", ("netCDF4",))
    assert workloads.modules_of(gpaw.stack) == "numpy,scipy,mpi4py,gpaw"
    assert workloads.modules_of(netcdf4.stack) == "numpy,mpi4py,netcdf4"   # the recipe's name, not the import's
    assert workloads.selected_workloads("netcdf4,gpaw") == (gpaw, netcdf4)
    assert all(package in workloads.PACKAGES for w in workloads.WORKLOADS for package in (*w.needs, *w.stack))
    assert not any(w.stack for w in workloads.WORKLOADS if w.slug not in ("gpaw", "netcdf4"))
    import fuse_sweep
    assert {gpaw.key, netcdf4.key} <= set(fuse_sweep.SWEPT_WORKLOADS)


def test_a_one_file_names_to_pyinstaller_what_compiled_code_imports(tmp_path, monkeypatch):
    """A parallel netCDF4's extension imports mpi4py.MPI from C, which PyInstaller's analysis
    does not see (the one-file then fails at start with ModuleNotFoundError: mpi4py)."""
    import contenders
    import workloads
    from types import SimpleNamespace
    given = []

    def pyinstaller(command, **keywords):
        given.append(command)
        dist = Path(command[command.index("--distpath") + 1])
        dist.mkdir(parents=True)
        (dist / command[command.index("--name") + 1]).write_text("one-file")

    monkeypatch.setattr(contenders, "run_checked", pyinstaller)
    prep = SimpleNamespace(work_dir=tmp_path, stock_python=Path("/stock/bin/python3.11"))
    for slug in ("netcdf4", "numpy"):
        contenders.build_onefile(prep, workloads.BY_SLUG[slug], f"workload_{slug}.py", tmp_path / "pyi",
                                 tmp_path / "site", tmp_path / f"cached-{slug}", tmp_path / "log")
        assert (tmp_path / f"cached-{slug}").read_text() == "one-file"
    netcdf4, numpy = given
    assert [netcdf4[i + 1] for i, word in enumerate(netcdf4) if word == "--hidden-import"] == ["mpi4py", "mpi4py.MPI"]
    assert "--hidden-import" not in numpy


def _distribution(site: Path, name: str, version: str, files: dict, elsewhere=()) -> None:
    """A pip-installed distribution: its files, and a dist-info whose RECORD lists them (and
    `elsewhere`, files pip put outside site-packages, as ../../../bin/NAME)."""
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Name: {name}\nVersion: {version}\n")
    for relative, content in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_bytes(content)
    listed = [*files, *elsewhere, f"{info.name}/METADATA", f"{info.name}/RECORD"]
    (info / "RECORD").write_text("".join(f"{path},sha256=x,1\n" for path in listed))


def _gpaw_venv(venv: Path) -> Path:
    site = venv / "lib" / "python3.11" / "site-packages"
    _distribution(site, "numpy", "2.2.6", {"numpy/__init__.py": b"released numpy"})
    _distribution(site, "scipy", "1.15.3", {"scipy/__init__.py": b"released scipy"})
    _distribution(site, "ase", "3.26.0", {"ase/__init__.py": b"ase",
                                          "ase/__pycache__/__init__.cpython-311.pyc": b"pyc"},
                  elsewhere=["../../../bin/ase"])
    _distribution(site, "typing_extensions", "4.15.0", {
        "typing_extensions.py": b"te", "__pycache__/typing_extensions.cpython-311.pyc": b"te pyc"})
    _distribution(site, "gpaw", "26.7.0", {"gpaw/__init__.py": b"gpaw", "gpaw/mpi/__init__.py": b"gpaw.mpi",
                                           "_gpaw.cpython-311-x86_64-linux-gnu.so": b"elf"})
    (site / "__pycache__" / "unrelated.cpython-311.pyc").write_bytes(b"no distribution lists it")
    (venv / ".slither-suite").write_text("gpaw venv wheels")
    return site


def _tree_site(tmp_path: Path, **installed) -> Path:
    site = tmp_path / "served" / "stock" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    for name, version in installed.items():
        _distribution(site, name, version, {f"{name}/__init__.py": b"the tree's"})
    return site


def test_a_stock_venvs_distributions_are_copied_by_their_record_but_the_trees_own_packages(tmp_path):
    import contenders
    venv_site = _gpaw_venv(tmp_path / "venv")
    site = _tree_site(tmp_path, numpy="2.2.6", scipy="1.15.3")
    copied = contenders.copy_venv_distributions(venv_site, site, "gpaw", {})
    assert sorted(copied) == ["ase 3.26.0", "gpaw 26.7.0", "typing_extensions 4.15.0"]
    assert (site / "numpy" / "__init__.py").read_bytes() == b"the tree's"   # one numpy per tree
    assert (site / "_gpaw.cpython-311-x86_64-linux-gnu.so").read_bytes() == b"elf"
    assert (site / "gpaw" / "mpi" / "__init__.py").is_file() and (site / "gpaw-26.7.0.dist-info" / "RECORD").is_file()
    assert (site / "ase" / "__pycache__" / "__init__.cpython-311.pyc").read_bytes() == b"pyc"
    assert (site / "__pycache__" / "typing_extensions.cpython-311.pyc").is_file()
    assert not (site / "__pycache__" / "unrelated.cpython-311.pyc").exists()
    assert not (site.parent / "bin").exists() and not (tmp_path / "served" / "stock" / "bin").exists()
    # copied again (a second package that came with the same distributions): left as they are
    assert contenders.copy_venv_distributions(venv_site, site, "gpaw", {}) == []


def test_a_stock_venv_is_refused_before_any_copy_when_the_tree_lacks_or_differs_in_its_own_packages(tmp_path):
    import contenders
    venv_site = _gpaw_venv(tmp_path / "venv")
    site = _tree_site(tmp_path, numpy="2.2.6")
    before = sorted(p.name for p in site.iterdir())
    with pytest.raises(contenders.SlitherError, match=r"^gpaw runs on scipy 1\.15\.3, which the stock tree lacks "
                                                      r"\(--skip-stock-scipy\)$"):
        contenders.copy_venv_distributions(venv_site, site, "gpaw", {"scipy": "--skip-stock-scipy"})
    assert sorted(p.name for p in site.iterdir()) == before
    other = _tree_site(tmp_path / "other", numpy="2.3.0", scipy="1.15.3")
    with pytest.raises(contenders.SlitherError, match=r"^gpaw's venv has numpy 2\.2\.6, the stock tree numpy 2\.3\.0$"):
        contenders.copy_venv_distributions(venv_site, other, "gpaw", {})
    with pytest.raises(contenders.SlitherError, match="the stock netCDF4 venv has no netCDF4 installed"):
        contenders.copy_venv_distributions(venv_site, site, "netCDF4", {})
    (venv_site / "ase" / "__init__.py").unlink()
    with pytest.raises(contenders.SlitherError, match=r"^ase-3\.26\.0\.dist-info's RECORD lists ase/__init__\.py, which .* lacks$"):
        contenders.copy_venv_distributions(venv_site, _tree_site(tmp_path / "third", numpy="2.2.6", scipy="1.15.3"),
                                           "gpaw", {})
    assert not (tmp_path / "third" / "served" / "stock" / "lib" / "python3.11" / "site-packages" / "gpaw").exists()


def test_stock_gpaw_comes_from_the_gpaw_suites_venv_and_loads_the_served_mpi(tmp_path, monkeypatch):
    import contenders
    from harness.stock import gpaw as stock_gpaw
    from harness.suites import binary_under_test
    mpich = tmp_path / "mpich"
    (mpich / "lib").mkdir(parents=True)
    (mpich / "lib" / "libmpi.so.12.4.2").write_bytes(b"elf")
    (mpich / "lib" / "libmpi.so.12").symlink_to("libmpi.so.12.4.2")
    prep = _preparation(tmp_path, stock_wheel_dir=tmp_path / "wheels", stock_mpi_prefix=mpich,
                        static_build_dir=tmp_path / "build-gpaw", source_dirs=(tmp_path / "sources",))
    _gpaw_venv(tmp_path / "venv")
    asked = []
    monkeypatch.setattr(binary_under_test, "package_recipe",
                        lambda binary, name: ({"modules": {"gpaw": {}}, "target": "gnu"}, "recipe"))

    def fake_venv(python, binary, build, build_dir, work, source_dirs, *, stock_mpi_prefix=""):
        asked.append((binary, build_dir, work, source_dirs, stock_mpi_prefix))
        return tmp_path / "venv" / "bin" / "python", "GPAW 26.7.0 shared"

    monkeypatch.setattr(stock_gpaw, "stock_gpaw_venv", fake_venv)
    tree = prep.served / "stock"
    site = _tree_site(tmp_path, numpy="2.2.6", scipy="1.15.3")
    reason, key, libraries = contenders.install_stock_gpaw(prep, tree, site, {})
    assert reason == "" and key and libraries == ("stock/mpich/lib",)
    assert asked == [(prep.static_binary, tmp_path / "build-gpaw", tmp_path / "wheels", [tmp_path / "sources"],
                      str(mpich))]
    assert (site / "gpaw" / "__init__.py").is_file() and (tree / "mpich" / "lib" / "libmpi.so.12").is_symlink()
    # without scipy in the tree: the tree's reason, never a half-installed gpaw
    bare = _tree_site(tmp_path / "bare", numpy="2.2.6")
    assert contenders.install_stock_gpaw(prep, tree, bare, {"scipy": "stock scipy wheel not built: x"}) == (
        "stock gpaw not installed: gpaw runs on scipy 1.15.3, which the stock tree lacks (stock scipy wheel not "
        "built: x)", "", ())
    assert not (bare / "gpaw").exists()

    def failing_venv(*arguments, **keywords):
        raise contenders.SlitherError(f"{tmp_path}/build-gpaw/libraries/libxc-7.0.0-gnu/prefix/lib not found: give "
                                      "the BUILD_DIR the GPAW binary was built in (--build-dir)\nmore")

    monkeypatch.setattr(stock_gpaw, "stock_gpaw_venv", failing_venv)
    assert contenders.install_stock_gpaw(prep, tree, site, {})[0].startswith(
        f"stock gpaw not built: {tmp_path}/build-gpaw/libraries/libxc-7.0.0-gnu/prefix/lib not found")
    assert contenders.install_stock_gpaw(_preparation(tmp_path, gpaw_reason="--skip-stock-gpaw"), tree, site, {}) == (
        "--skip-stock-gpaw", "", ())
    without_mpi = _preparation(tmp_path, stock_wheel_dir=tmp_path / "wheels")
    assert "run `scons reference-mpi` or give --stock-mpi" in (
        contenders.install_stock_gpaw(without_mpi, tree, site, {})[0])


def test_stock_netcdf4_comes_from_the_netcdf4_suites_venv_with_its_netcdf_c_and_hdf5_served(tmp_path, monkeypatch):
    import contenders
    from harness.stock import hdf5 as stock_hdf5
    from harness.stock import netcdf as stock_netcdf
    from harness.suites import binary_under_test
    wheels = tmp_path / "wheels"
    prep = _preparation(tmp_path, stock_wheel_dir=wheels, stock_mpi_prefix=tmp_path / "mpich")
    venv_site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    _distribution(venv_site, "numpy", "2.2.6", {"numpy/__init__.py": b"stock wheel"})
    _distribution(venv_site, "mpi4py", "4.1.2", {"mpi4py/__init__.py": b"absolute runpath"})
    _distribution(venv_site, "netCDF4", "1.7.5.1.post1", {"netCDF4/__init__.py": b"nc",
                                                          "netCDF4/_netCDF4.cpython-311-x86_64-linux-gnu.so": b"elf"})
    for name in ("cftime", "certifi", "packaging"):
        _distribution(venv_site, name, "1.0", {f"{name}/__init__.py": name.encode()})
    (tmp_path / "venv" / ".slither-suite").write_text("netCDF4 venv wheels")
    for prefix, library in ((stock_netcdf.shared_netcdf_prefix(wheels, "parallel"), "libnetcdf.so.22"),
                            (stock_hdf5.shared_hdf5_prefix(wheels, "parallel"), "libhdf5.so.310")):
        (prefix / "lib").mkdir(parents=True)
        (prefix / "lib" / library).write_bytes(b"elf")
        (prefix / "lib" / "libstatic.a").write_bytes(b"not shared")
        (prefix.parent / "stamp.json").write_text(library)
    monkeypatch.setattr(binary_under_test, "package_recipe", lambda binary, name: (
        {"modules": {"numpy": {}, "mpi4py": {}, "netcdf4": {}}, "target": "gnu"}, "recipe"))
    monkeypatch.setattr(stock_netcdf, "stock_netcdf4_venv",
                        lambda *arguments, **keywords: (tmp_path / "venv" / "bin" / "python", "netCDF-C shared"))
    tree = prep.served / "stock"
    site = _tree_site(tmp_path, numpy="2.2.6", mpi4py="4.1.2")
    (tree / "hdf5" / "lib").mkdir(parents=True)     # stock h5py's copy of the same HDF5, first
    (tree / "hdf5" / "lib" / "libhdf5.so.310").write_bytes(b"h5py's copy")
    reason, key, libraries = contenders.install_stock_netcdf4(prep, tree, site, {})
    assert reason == "" and key and libraries == ("stock/netcdf-c/lib", "stock/hdf5/lib")
    assert sorted(p.name for p in (tree / "netcdf-c" / "lib").iterdir()) == ["libnetcdf.so.22"]
    assert (tree / "hdf5" / "lib" / "libhdf5.so.310").read_bytes() == b"h5py's copy"
    assert sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info")) == [
        "certifi", "cftime", "mpi4py", "netCDF4", "numpy", "packaging"]
    assert (site / "mpi4py" / "__init__.py").read_bytes() == b"the tree's"
    # a parallel netCDF4 imports mpi4py: without the tree's, the tree's reason
    no_mpi = _tree_site(tmp_path / "no-mpi", numpy="2.2.6")
    assert contenders.install_stock_netcdf4(prep, tree, no_mpi, {"mpi4py": "no shared MPI"})[0] == (
        "stock netCDF4 not installed: netCDF4 runs on mpi4py 4.1.2, which the stock tree lacks (no shared MPI)")
    assert contenders.install_stock_netcdf4(_preparation(tmp_path, netcdf4_reason="--skip-stock-netcdf4"), tree,
                                            site, {}) == ("--skip-stock-netcdf4", "", ())

    def binary_without_netcdf4(binary, name):
        raise contenders.SlitherError(f"{binary} has no netCDF4 built in (it has: numpy); build it with scons "
                                      "MODULES=netCDF4")

    monkeypatch.setattr(binary_under_test, "package_recipe", binary_without_netcdf4)
    assert contenders.install_stock_netcdf4(prep, tree, site, {})[0] == (
        f"stock netCDF4 not built: {prep.static_binary} has no netCDF4 built in (it has: numpy); build it with scons "
        "MODULES=netCDF4")


def test_application_workloads_search_their_packages_library_directories_each_once(tmp_path):
    import contenders
    import workloads
    stock = contenders.Contender("stock", "", interpreter="stock/bin/python3.11", package_library_paths={
        "h5py": ("stock/hdf5/lib",), "gpaw": ("stock/mpich/lib",),
        "netCDF4": ("stock/netcdf-c/lib", "stock/hdf5/lib")})
    assert stock.environment(tmp_path, workloads.BY_SLUG["gpaw"])["LD_LIBRARY_PATH"] == f"{tmp_path}/stock/mpich/lib"
    assert stock.environment(tmp_path, workloads.BY_SLUG["netcdf4"])["LD_LIBRARY_PATH"] == (
        f"{tmp_path}/stock/netcdf-c/lib:{tmp_path}/stock/hdf5/lib")
    both = workloads.Workload("import h5py, netCDF4", "both", code="import h5py, netCDF4", needs=("h5py", "netCDF4"))
    assert stock.environment(tmp_path, both)["LD_LIBRARY_PATH"] == (
        f"{tmp_path}/stock/hdf5/lib:{tmp_path}/stock/netcdf-c/lib")


def test_the_stock_tree_installs_what_the_workloads_need_and_says_why_a_package_is_missing(tmp_path, monkeypatch):
    """prepare_stock, every install step faked: the gpaw workload brings scipy (GPAW runs on it),
    each package's reason reaches exactly the workloads that need it, and each package's
    library directories are on its workloads' LD_LIBRARY_PATH."""
    import contenders
    import workloads
    assert contenders.stock_packages_wanted([workloads.BY_SLUG["gpaw"]]) == {"gpaw", "scipy"}
    assert contenders.stock_packages_wanted([workloads.BY_SLUG["netcdf4"]]) == {"netCDF4"}
    installed = []
    monkeypatch.setattr(contenders, "interpreter_facts", lambda python: {"version": "3.11.2", "series": "3.11"})
    monkeypatch.setattr(contenders, "copy_stock_tree", lambda python, facts, tree: "")
    monkeypatch.setattr(contenders, "links_libpython", lambda python: True)
    monkeypatch.setattr(contenders, "site_packages_of",
                        lambda python, tree, env: tree / "lib" / "python3.11" / "site-packages")
    monkeypatch.setattr(contenders, "install_stock_numpy", lambda *a: installed.append("numpy") or ("", "numpy-key"))
    monkeypatch.setattr(contenders, "install_stock_mpi4py", lambda *a: installed.append("mpi4py") or ("", "mpi-key"))
    monkeypatch.setattr(contenders, "install_stock_scipy", lambda *a: installed.append("scipy") or ("", "scipy-key"))
    monkeypatch.setattr(contenders, "install_stock_h5py", lambda *a: installed.append("h5py") or ("", "h5py-key", ()))

    def fake_gpaw(prep, tree, site, reasons):
        installed.append("gpaw")
        assert reasons["scipy"] == ""   # installed before GPAW, which runs on it
        return "", "gpaw-key", ("stock/mpich/lib",)

    monkeypatch.setattr(contenders, "install_stock_gpaw", fake_gpaw)
    monkeypatch.setattr(contenders, "install_stock_netcdf4", lambda prep, tree, site, reasons: installed.append(
        "netCDF4") or ("stock netCDF4 not built: no shared netCDF-C", "", ()))
    prep = _preparation(tmp_path, workloads=(workloads.BY_SLUG["pass"], workloads.BY_SLUG["gpaw"],
                                             workloads.BY_SLUG["netcdf4"]))
    stock = contenders.prepare_stock(prep, tmp_path / "log")
    assert installed == ["numpy", "mpi4py", "scipy", "gpaw", "netCDF4"]   # no h5py: no workload needs it
    assert stock.packages == ("numpy", "scipy", "mpi4py", "gpaw")
    assert stock.package_keys == ("numpy-key", "mpi-key", "scipy-key", "gpaw-key")
    assert stock.unavailable == {"import netCDF4": "stock netCDF4 not built: no shared netCDF-C"}
    assert stock.package_library_paths == {"gpaw": ("stock/mpich/lib",)}
    assert "GPAW against the build's libxc and OpenBLAS" in stock.description and "netCDF4 against" not in (
        stock.description)


def test_python_static_names_the_modules_that_build_an_application_workloads_binary(tmp_path):
    import contenders
    import workloads
    binary = tmp_path / "build" / "bin" / "python-static"
    binary.parent.mkdir(parents=True)
    # has numpy, scipy, mpi4py and gpaw: `python-static -c "import NAME"` succeeds for those only
    binary.write_text('#!/bin/sh\ncase "$2" in "import numpy"|"import scipy"|"import mpi4py"|"import gpaw") exit 0;; '
                      'esac\nexit 1\n')
    binary.chmod(0o755)
    prep = _preparation(tmp_path, static_binary=binary, workloads=(workloads.BY_SLUG["gpaw"],
                                                                   workloads.BY_SLUG["netcdf4"]))
    static = contenders.prepare_static(prep)
    assert static.packages == workloads.GPAW_STACK   # its stack is asked, not only what the workloads import
    assert static.unavailable == {"import netCDF4": "netCDF4 not built into python-static (scons "
                                                    "MODULES=numpy,mpi4py,netcdf4 builds one with it)"}


def test_a_failed_pyinstaller_one_file_is_that_workloads_reason_and_the_others_are_built(tmp_path, monkeypatch):
    import contenders
    import workloads
    site = tmp_path / "served" / "stock" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    stock = contenders.Contender("stock", "", interpreter="stock/bin/python3.11", packages=("numpy", "gpaw"))
    prep = _preparation(tmp_path, workloads=(workloads.BY_SLUG["pass"], workloads.BY_SLUG["gpaw"]))
    prep.cache_dir.mkdir()
    monkeypatch.setattr(contenders, "install_pyinstaller", lambda prep, log: tmp_path / "pyinstaller-x")

    def fake_build(prep, workload, script, pyinstaller, site, cached, log):
        if workload.slug == "gpaw":
            raise contenders.SlitherError(f"PyInstaller one-file of 'import gpaw' failed (exit 1); log: {log}\n  tail")
        cached.write_bytes(b"one-file")

    monkeypatch.setattr(contenders, "build_onefile", fake_build)
    onefile = contenders.prepare_pyinstaller(prep, stock, tmp_path / "bench.log")
    assert onefile.onefiles == {"-c pass": "pyinstaller/pass"}
    assert onefile.unavailable == {"import gpaw": "PyInstaller one-file not built: PyInstaller one-file of 'import "
                                                  f"gpaw' failed (exit 1); log: {tmp_path / 'bench.log'}"}


def test_an_application_workloads_sizes_compare_its_binary_with_the_stock_tree_of_the_same_packages(
        tmp_path, monkeypatch):
    import build_costs
    import contenders
    import workloads
    sys.path.insert(0, str(BENCH.parent))
    from bench import publish
    gpaw = workloads.BY_SLUG["gpaw"]
    (tmp_path / "stock").mkdir()
    (tmp_path / "stock" / "gpaw.so").write_bytes(b"x" * 400_000)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "python-static").write_bytes(b"x" * 200_000)
    stock = contenders.Contender("stock", "", interpreter="stock/bin/python3.11", tree="stock",
                                 packages=workloads.GPAW_STACK)
    static = contenders.Contender("python-static", "", interpreter="static/python-static", tree="static",
                                  packages=workloads.GPAW_STACK)
    onefile = contenders.Contender("pyinstaller", "", tree="pyinstaller", packages=workloads.GPAW_STACK,
                                   onefiles={"-c pass": "pyinstaller/pass"},
                                   unavailable={gpaw.key: "PyInstaller one-file not built: x",
                                                "import netCDF4": "stock netCDF4 not built: y"})
    monkeypatch.setattr(build_costs, "peak_rss_kib", lambda command, cwd, env: 2048)
    applications = build_costs.application_footprints([stock, onefile, static], workloads.WORKLOADS, tmp_path)
    assert list(applications) == ["import gpaw", "import netCDF4"]
    entry = applications["import gpaw"]
    assert entry["modules"] == "numpy,scipy,mpi4py,gpaw" and entry["rss_workloads"] == ["import gpaw"]
    assert entry["footprint"]["python-static"]["size_ratio_to_stock"] == pytest.approx(0.5, rel=0.1)
    assert entry["footprint"]["pyinstaller"]["size_na"] == "PyInstaller one-file not built: x"
    assert applications["import netCDF4"]["footprint"]["stock"]["missing"] == ["netCDF4"]
    text = report.build_table({"builds": {}, "footprint": {}, "applications": {"import gpaw": entry}})
    lines = text.splitlines()
    assert lines[0] == "Sizes for `import gpaw` (python-static built with MODULES=numpy,scipy,mpi4py,gpaw):"
    assert lines[2] == "| contender | packages | size on disk | size / stock | what | peak RSS, import gpaw |"
    assert next(line for line in lines if line.startswith("| python-static |")).endswith("| the binary | 2.0 MiB |")
    assert publish.application_headlines("import gpaw", entry) == [
        f"* `import gpaw` (`MODULES=numpy,scipy,mpi4py,gpaw`): the binary is "
        f"{tables.byte_size(entry['footprint']['python-static']['size_bytes'])} on disk, the stock install tree with "
        f"the same packages {tables.byte_size(entry['footprint']['stock']['size_bytes'])} "
        f"({tables.ratio(entry['footprint']['python-static']['size_ratio_to_stock'])}×)."]
    assert publish.application_headlines("import netCDF4", applications["import netCDF4"]) == []
