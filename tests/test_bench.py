"""Fast tests of bench/'s pure parts: strace parsing, table formatting, the projection model.

bench/run itself is a measurement, not a test; these check the arithmetic it rests on.
"""

import json
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
        "bench: error: --only: unknown section(s) audti; choose from audit, fuse, warm, runtime, build, projection"]


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
