"""`python3 -m slither inspect BINARY`: what a static binary contains, read from its manifest
section (never by running it)."""

from __future__ import annotations

import json
from pathlib import Path

from slither.elf import MANIFEST_SECTION, read_section
from slither.errors import SlitherError
from slither.inspect.summary import builtin_line, frozen_lines, modules_line
from slither.units import human_size


def load_manifest(binary: Path) -> dict:
    if not Path(binary).is_file():
        raise SlitherError(f"{binary}: no such file")
    raw = read_section(binary, MANIFEST_SECTION)
    if raw is None:
        raise SlitherError(f"{binary}: no {MANIFEST_SECTION} section; not built by Slither "
                           "(or built before manifests were embedded)")
    return json.loads(raw.rstrip(b"\0").decode())


def format_inspection(manifest: dict, modules: bool = True) -> str:
    build = manifest.get("build", {})
    lines = [f"CPython {build.get('cpython')}  TARGET {build.get('target')}  "
             f"slither {build.get('slither')}  stdlib {'frozen' if build.get('stdlib_frozen') else 'as files'}"]
    toolchain = build.get("toolchain", {})
    lines.append(f"toolchain: CC={toolchain.get('CC')} CXX={toolchain.get('CXX')} "
                 f"static link: {' '.join(toolchain.get('static_link_flags', []))}")
    packages = build.get("modules", {})
    lines.append(modules_line(packages))
    lines += [f"  {name} {info['version']}: from REQUIREMENTS {info['requested_by']}"
              for name, info in sorted(packages.items()) if info.get("requested_by")]
    lines += [f"  {name} {info['version']}: brought in, needed by {', '.join(info['needed_by'])}"
              for name, info in sorted(packages.items()) if info.get("needed_by")]
    lines += [f"  {name}: a pure-Python fallback (its source has compiled code, its build made no extension module)"
              for name in manifest.get("pure_python_fallbacks", [])]
    lines.append("inputs (sha256):")
    lines += [f"  {digest}  {name}" for name, digest in sorted(build.get("inputs", {}).items())]
    builtin = manifest.get("builtin_modules", [])
    frozen = manifest.get("frozen_modules", [])
    extensions = manifest.get("extension_modules", [])  # absent in binaries built before it was recorded
    lines.append(builtin_line([name for name in builtin if name not in extensions], extensions))
    lines += frozen_lines(frozen)
    if modules:
        lines.append("built-in: " + " ".join(builtin))
        lines += [f"  {human_size(m['size']):>10}  {m['name']}{'/' if m['package'] else ''}  ({m['origin']})"
                  for m in frozen]
    return "\n".join(lines)


def format_licences(manifest: dict) -> str:
    """`inspect --licenses`: one line per component linked in: name, version, SPDX id, origin."""
    components = manifest.get("components")
    if components is None:
        raise SlitherError("this binary's manifest lists no components (built before licences were recorded)")
    rows = [(component["name"], component["version"] or "-", component["licence"], component["origin"]
             + (f"; for {', '.join(component['used_by'])}" if component.get("used_by") else ""))
            for component in components]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(f"{name:<{widths[0]}}  {version:<{widths[1]}}  {licence:<{widths[2]}}  {origin}"
                     for name, version, licence, origin in rows)
