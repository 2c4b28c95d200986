"""After a package is installed: match its extension files to captures, name them, rename init.

The install step (pip, meson install, a wheel) decides where each extension lives, and so its
dotted module name; the capture only knew the build tree. Matching is by the .so's sha256
(installation copies the file), falling back to its file name when the install rewrote it
(e.g. stripped it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..commands import capture
from ..errors import SlitherError
from .extension_names import (dotted_module_name, has_extension_suffix, may_be_extension,
                              original_init_symbol, static_init_symbol)
from ..files import sha256_of
from .records import CaptureRecord, read_private_library_records, read_records


@dataclass(frozen=True)
class CapturedExtension:
    """One extension module ready for the inittab and the final link."""
    module: str                        # dotted name, e.g. "tinypkg.sub._speed"
    init_symbol: str                   # unique C identifier of its init function
    object: Path                       # relocatable object defining only init_symbol
    libraries: tuple[str, ...]         # -l names the final link must add
    library_dirs: tuple[str, ...]
    external_inputs: tuple[str, ...]
    link_flags: tuple[str, ...]
    role: str                          # "c", "c++" or "fortran"
    installed_file: Path
    # objects of the package-private shared libraries it links: one copy each in the binary
    private_objects: tuple[Path, ...] = ()


def installed_extension_files(installed_root: Path, nm: str) -> list[Path]:
    """Extension modules under the root: versioned suffixes, and plain `.so` exporting PyInit_<stem>."""
    found = []
    for path in sorted(installed_root.rglob("*.so")):
        if not path.is_file() or not may_be_extension(path.name):
            continue
        if has_extension_suffix(path.name):
            found.append(path)
        elif original_init_symbol(path.name) in exported_symbols(nm, path):
            found.append(path)
    return found


def exported_symbols(nm: str, shared_object: Path) -> set[str]:
    output = capture([nm, "-D", "-P", "--defined-only", str(shared_object)], what=f"nm -D {shared_object}")
    return {line.split()[0] for line in output.splitlines() if line.strip()}


def match_record(installed_file: Path, relative: Path, by_sha256: dict[str, CaptureRecord],
                 by_name: dict[str, list[CaptureRecord]]) -> CaptureRecord:
    record = by_sha256.get(sha256_of(installed_file))
    # Same bytes under another module name would export the wrong PyInit_: not a match.
    if record is not None and record.init_symbol == original_init_symbol(installed_file.name):
        return record
    candidates = by_name.get(installed_file.name, [])
    if len(candidates) > 1:
        # Several builds of the same file name: the one built at the same relative path wins.
        candidates = [candidate for candidate in candidates
                      if Path(candidate.output).as_posix().endswith("/" + relative.as_posix())]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SlitherError(f"extension {installed_file} has no capture record: it was not linked "
                           f"through the slither compiler wrappers (CC/CXX/LDSHARED)")
    raise SlitherError(f"extension {installed_file} matches {len(candidates)} capture records by name; "
                       f"empty the record directory and rebuild the package")


def rename_init_symbol(objcopy: str, record: CaptureRecord, new_symbol: str, output_dir: Path) -> Path:
    source = Path(record.object)
    if not source.is_file():
        raise SlitherError(f"capture object {source} is missing; rebuild the package")
    output_dir.mkdir(parents=True, exist_ok=True)
    destination = output_dir / f"{new_symbol}.o"
    temporary = output_dir / f".{new_symbol}.o.tmp"
    capture([objcopy, f"--redefine-sym={record.init_symbol}={new_symbol}", str(source), str(temporary)],
            what=f"objcopy (rename {record.init_symbol} in {source.name})")
    temporary.replace(destination)
    return destination


def copy_private_object(source: Path, output_dir: Path) -> Path:
    """A private shared library's object beside the renamed extension objects (one archive
    directory; its name, `lib<name>-<sha>.o`, cannot be an extension's `PyInit_...o`)."""
    if not source.is_file():
        raise SlitherError(f"capture object {source} is missing; rebuild the package")
    output_dir.mkdir(parents=True, exist_ok=True)
    destination = output_dir / source.name
    temporary = output_dir / f".{source.name}.tmp"
    temporary.write_bytes(source.read_bytes())
    temporary.replace(destination)
    return destination


def finalize_captures(record_dir: Path, installed_root: Path, *, output_dir: Path | None = None,
                      objcopy: str = "objcopy", nm: str = "nm") -> list[CapturedExtension]:
    """Every extension installed under `installed_root`, by dotted name, with its renamed object.

    The renamed objects go to `output_dir` (default: `<record_dir>/finalized`); the captured
    objects are left untouched, so finalizing again (or another install) gives the same result.
    """
    record_dir, installed_root = Path(record_dir), Path(installed_root)
    output_dir = Path(output_dir) if output_dir is not None else record_dir / "finalized"
    records = read_records(record_dir)
    private_by_object = {record.object: record for record in read_private_library_records(record_dir).values()}
    by_sha256 = {record.output_sha256: record for record in records}
    by_name: dict[str, list[CaptureRecord]] = defaultdict(list)
    for record in records:
        by_name[Path(record.output).name].append(record)
    extensions: dict[str, CapturedExtension] = {}
    for installed_file in installed_extension_files(installed_root, nm):
        relative = installed_file.relative_to(installed_root)
        module = dotted_module_name(relative)
        if module in extensions:
            raise SlitherError(f"two extension files for module {module}: "
                               f"{extensions[module].installed_file} and {installed_file}")
        record = match_record(installed_file, relative, by_sha256, by_name)
        init_symbol = static_init_symbol(module)
        private = [private_by_object[path] for path in record.private_libraries if path in private_by_object]
        if len(private) != len(record.private_libraries):
            raise SlitherError(f"extension {installed_file} links a private shared library whose capture is "
                               f"missing; empty {record_dir} and rebuild the package")
        extensions[module] = CapturedExtension(
            module=module, init_symbol=init_symbol,
            object=rename_init_symbol(objcopy, record, init_symbol, output_dir),
            libraries=tuple(dict.fromkeys([*record.libraries, *(name for p in private for name in p.libraries)])),
            library_dirs=tuple(dict.fromkeys([*record.library_dirs, *(d for p in private for d in p.library_dirs)])),
            external_inputs=tuple(dict.fromkeys([*record.external_inputs,
                                                 *(i for p in private for i in p.external_inputs)])),
            link_flags=tuple(record.link_flags), role=record.role, installed_file=installed_file,
            private_objects=tuple(copy_private_object(Path(p.object), output_dir) for p in private))
    return [extensions[module] for module in sorted(extensions)]
