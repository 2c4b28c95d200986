"""The build-step cache and the download store: where they live by default (CACHE_DIR).

Here, below the plan, because every layer asks: the SCons tools, `prune-cache`, the harness.
"""

import os


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "slither")
