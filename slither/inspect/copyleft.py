"""Strong copyleft among the components linked into a binary, and the line that says so.

Read from the manifest's component list (slither.plan.licences makes it), by the build summary
and `python3 -m slither inspect`; here, below the plan, because inspecting needs no plan.
"""

from __future__ import annotations

import re


# A GPL or AGPL id with no exception: distributing the binary puts all of it under that licence.
_STRONG_COPYLEFT = re.compile(r"(^|[ (])A?GPL-[0-9]")


def is_strong_copyleft(licence: str) -> bool:
    return bool(_STRONG_COPYLEFT.search(licence)) and " WITH " not in licence and " OR " not in licence


def copyleft_warning(components: list[dict], stdlib_modules) -> str:
    """One line naming the copyleft components linked in and what leaves them out, or ""."""
    copyleft = [component for component in components if is_strong_copyleft(component["licence"])]
    if not copyleft:
        return ""
    stdlib = set(stdlib_modules)
    # A stdlib module's GPL library is in only because HOST_LIBRARIES took it from the host.
    from_host = sorted({component["name"] for component in copyleft
                        if any(module in stdlib for module in component["used_by"])})
    packages = sorted({module for component in copyleft for module in component["used_by"] if module not in stdlib})
    licences = sorted({component["licence"] for component in copyleft})
    named = "; ".join(f"{component['name']} for {', '.join(component['used_by']) or 'the binary'}"
                      for component in copyleft)
    remedies = ([f"HOST_LIBRARIES without {', '.join(from_host)}"] if from_host else []) + \
               ([f"dropping {', '.join(packages)} from MODULES"] if packages else [])
    return (f"licence: {' and '.join(licences)} code is linked in ({named}): the binary as distributed "
            f"falls under it; {' and '.join(remedies) or 'a rebuild without it'} leaves it out")
