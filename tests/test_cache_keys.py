"""Cache keys do not depend on where or how a build runs.

A step's cache key is its action's signature (the command with `$( $)` parts left out) and the
content of its inputs. Two builds that differ only in BUILD_DIR (relative or absolute), SOURCES,
JOBS and the path by which scons's own interpreter is named (`scons` runs it as python3.11,
`python3 -m SCons` as python3: the path numpy's test build missed the cache by) must declare
the same key inputs for every step, for every recipe in modules/. Declaring is enough to check
that: nothing is built, so this runs in seconds.
"""

import hashlib
import json
import os
import subprocess
import sys

from conftest import assert_built, ROOT
from slither.recipes import module_recipes
from slither.plan.build_plan import available_modules

# Declares the same binary under two configurations and prints, per step (by its path inside
# BUILD_DIR), what its cache key is made of: the action signature and one description per input
# (a Value by its text, a file inside BUILD_DIR by its relative path, any other file by its
# content, which is what the key uses).
PROBE = r'''
import hashlib, json, os, sys
configurations = json.loads(os.environ["PROBE_CONFIGURATIONS"])
described = {}
for label, settings in configurations.items():
    env = Environment(tools=["default", "slither"], toolpath=[os.environ["PROBE_TOOLPATH"]],
                      SLITHER_CACHE_DIR="")
    env["SLITHER_PYTHON"] = settings["python"]
    products = env.StaticPython("probe", modules=settings["modules"], build_dir=settings["build_dir"],
                                source_dirs=settings["sources"], jobs=settings["jobs"])
    build_dir = env.Dir(settings["build_dir"]).abspath
    def describe(child):
        if child.__class__.__name__ == "Value":
            return "value " + child.get_text_contents()
        path = child.abspath
        if path.startswith(build_dir + os.sep):
            return "built " + os.path.relpath(path, build_dir)
        with open(path, "rb") as stream:
            return "file " + hashlib.sha256(stream.read()).hexdigest()
    steps, pending, seen = {}, list(products), set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        node.scan()
        children = node.children()
        pending.extend(children)
        if node.has_builder():
            steps[os.path.relpath(node.abspath, build_dir)] = {
                "action": node.get_executor().get_contents().decode("utf-8", "replace"),
                "inputs": sorted(describe(child) for child in children)}
    described[label] = steps
print("PROBE-RESULT " + json.dumps(described))
Exit(0)
'''


def declared_keys(tmp_path, configurations):
    probe = tmp_path / "SConstruct"
    probe.write_text(PROBE)
    env = dict(os.environ, PROBE_CONFIGURATIONS=json.dumps(configurations),
               PROBE_TOOLPATH=str(ROOT / "site_scons" / "site_tools"))
    result = subprocess.run([sys.executable, "-m", "SCons", "-Q", "-f", str(probe)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    assert_built(result)
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE-RESULT "))
    return json.loads(line[len("PROBE-RESULT "):])


def test_every_step_key_is_independent_of_build_dir_sources_jobs_and_interpreter_path(tmp_path):
    other_name = tmp_path / "bin" / "python3"   # the same interpreter under another path
    other_name.parent.mkdir()
    other_name.symlink_to(sys.executable)
    (tmp_path / "sources-a").mkdir()
    (tmp_path / "sources-b").mkdir()
    # One recipe per package (variants such as numpy-noblas cannot share a binary with numpy).
    recipes = {}
    for name in available_modules():
        recipes.setdefault(module_recipes.distribution_name(module_recipes.load_module_recipe(name)), name)
    modules = sorted(recipes.values())
    keys = declared_keys(tmp_path, {
        "a": {"python": sys.executable, "build_dir": "build-a", "sources": [str(tmp_path / "sources-a")],
              "jobs": 2, "modules": modules},
        "b": {"python": str(other_name), "build_dir": str(tmp_path / "elsewhere" / "build-b"),
              "sources": [str(tmp_path / "sources-b")], "jobs": 7, "modules": modules},
    })
    first, second = keys["a"], keys["b"]
    assert sorted(first) == sorted(second)
    assert any(step.endswith("/extensions.a") for step in first)  # the package steps are covered
    differing = {step: (first[step], second[step]) for step in first if first[step] != second[step]}
    assert differing == {}


def test_the_interpreter_running_the_steps_stays_a_signed_input(tmp_path):
    """Out of the command line, but still an input by content: another Python rebuilds."""
    keys = declared_keys(tmp_path, {"a": {"python": sys.executable, "build_dir": "build", "sources": [],
                                          "jobs": 1, "modules": ["markupsafe"]}})["a"]
    with open(os.path.realpath(sys.executable), "rb") as stream:
        interpreter = "file " + hashlib.sha256(stream.read()).hexdigest()
    for step in ("cpython-3.11.2-gnu/install.tar", "cpython-3.11.2-gnu/build-tools.tar",
                 "packages/cp311-gnu/markupsafe-3.0.2/extensions.a"):
        assert interpreter in keys[step]["inputs"], step
        assert sys.executable not in keys[step]["action"], step


# Declares one binary per TARGET profile file and prints the action signature of the steps named
# in PROBE_STEPS (paths inside that profile's BUILD_DIR, {label} its name).
SIGNATURE_PROBE = r'''
import json, os
signatures = {}
for label, profile in json.loads(os.environ["PROBE_PROFILES"]).items():
    env = Environment(tools=["default", "slither"], toolpath=[os.environ["PROBE_TOOLPATH"]], SLITHER_CACHE_DIR="")
    env.StaticPython("probe", toolchain=profile, modules=["mpi4py"], build_dir=label)
    signatures[label] = {step: env.File(os.path.join(label, step.format(label=label))).get_executor()
                         .get_contents().decode("utf-8", "replace") for step in json.loads(os.environ["PROBE_STEPS"])}
print("PROBE-RESULT " + json.dumps(signatures))
Exit(0)
'''


def test_function_actions_that_read_cc_are_signed_by_it(tmp_path):
    """The Python function actions that run the compiler (the archive probes of the extension
    link flags, the static MPI check) declare CC: another compiler reruns them."""
    profiles = {}
    for label, cc in (("plain", "gcc"), ("tuned", "gcc -fno-common")):
        profile = tmp_path / f"{label}.py"
        profile.write_text(f'CC = "{cc}"\nCXX = "g++"\nFC = "gfortran"\nAR = "ar"\nRANLIB = "ranlib"\n'
                           'static_link_flags = ("-static",)\n')
        profiles[label] = str(profile)
    probe = tmp_path / "SConstruct"
    probe.write_text(SIGNATURE_PROBE)
    steps = ["work/probe/modules.rsp", "mpi/mpich-{label}/mpi-init-static"]
    env = dict(os.environ, PROBE_PROFILES=json.dumps(profiles), PROBE_STEPS=json.dumps(steps),
               PROBE_TOOLPATH=str(ROOT / "site_scons" / "site_tools"))
    result = subprocess.run([sys.executable, "-m", "SCons", "-Q", "-f", str(probe)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    assert_built(result)
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE-RESULT "))
    signatures = json.loads(line[len("PROBE-RESULT "):])
    for step in steps:
        plain, tuned = signatures["plain"][step], signatures["tuned"][step]
        assert plain != tuned, f"{step}: changing CC leaves its action signature unchanged"
        assert "gcc -fno-common" in tuned, step


def test_the_freeze_command_names_the_runtime_modules_and_the_build_manifest(tmp_path):
    """The freeze command takes its runtime modules and the build manifest by source position:
    the signed code listed with them must not shift them (it once did: the build manifest
    argument named freezer.py)."""
    keys = declared_keys(tmp_path, {"a": {"python": sys.executable, "build_dir": "build", "sources": [],
                                          "jobs": 1, "modules": []}})["a"]
    assert ("--runtime _slither_runtime.py --runtime _slither_resources.py --runtime _slither_sources.py "
            "--runtime _slither_discovery.py --runtime _slither_data_dir.py --build-manifest build-manifest.json"
            in keys["work/probe/frozen.bin"]["action"])
