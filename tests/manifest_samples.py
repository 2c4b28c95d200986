"""A sample of the manifest a build embeds in its binary (the .slither_manifest section), as an
older binary has it: no `components` list.

Shared by the tests of `slither inspect` (tests/test_inspection.py) and of the licences it
prints (tests/test_licences.py), which add their components to it.
"""

MANIFEST = {"build": {"cpython": "3.11.2", "target": "gnu", "slither": "0.1.0", "stdlib_frozen": True,
                      "toolchain": {"CC": "gcc", "CXX": "g++", "static_link_flags": ["-static"]},
                      "modules": {"markupsafe": {"version": "3.0.2", "sha256": "ee55"}},
                      "inputs": {"Python-3.11.2.tgz": "2411c7"}},
            "builtin_modules": ["_json", "markupsafe._speedups"],
            "frozen_modules": [{"name": "json", "package": True, "size": 1000, "origin": "stdlib"}]}
