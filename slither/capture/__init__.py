"""The extension-capture layer: a package's own build links its extension modules as usual;
compiler wrappers record a static twin of each (docs/architecture.md).

    wrappers.write_wrappers      CC/CXX/LDSHARED/FC/LD/AR scripts for the package's build system
    wrapped_command              what those scripts run: pass through, or link + capture
    driver_arguments             a compiler driver's command line: a -shared link, and of what
    partial_link                 ld -r and the symbol-localization policy
    ld_ar_arguments, archives    direct ld links read as driver lines; archives made with ar
    finalize.finalize_captures   installed tree -> dotted names, renamed init symbols
"""

import importlib

# Imported on first use: every compiler call of a package build starts a wrapper through this
# package, and a pass-through must not pay for finalize's or the records' imports.
EXPORTS = {"CaptureRecord": "records", "CapturedExtension": "finalize",
           "finalize_captures": "finalize", "write_wrappers": "wrappers"}
__all__ = sorted(EXPORTS)


def __getattr__(name):
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{EXPORTS[name]}", __name__), name)
