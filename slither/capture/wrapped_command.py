"""What a compiler wrapper does: pass everything through, and capture extension links.

An extension link runs for real first (build-time imports keep working); only when it succeeds
is its static twin made. If making the twin fails, the real .so is deleted too, so the
package's build fails now and an incremental rebuild links (and captures) it again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import SlitherError
from .archives import archives_made_by_the_build
from .extension_names import has_extension_suffix, may_be_extension, original_init_symbol
from .driver_arguments import (LinkCommand, LinkInput, expand_response_files, is_shared_object_name,
                               parse_link_command)
from .partial_link import (Toolchain, defined_symbols, is_under, keep_globals_apart, link_relocatable,
                           localize_all_but, plan_partial_link)
from ..files import sha256_of
from .records import (PRIVATE_LIBRARY_DIR, CaptureRecord, PrivateLibraryRecord, read_private_library_records,
                      write_private_library_record, write_record)


@dataclass(frozen=True)
class CaptureSettings:
    role: str                  # "c", "c++" or "fortran"
    record_dir: Path
    toolchain: Toolchain
    package_roots: tuple[Path, ...] = ()   # besides the link's working directory


def is_extension_link(command: LinkCommand, toolchain: Toolchain, cwd: Path) -> bool:
    """Versioned suffixes always are; a plain `.so` is when its objects define PyInit_<stem>."""
    if has_extension_suffix(os.path.basename(command.output)):
        return True
    objects = [cwd / item.value for item in command.inputs if item.kind == "object"]
    if not objects:
        return False
    init_symbol = original_init_symbol(command.output)
    return init_symbol in defined_symbols(toolchain.nm, *objects, external_only=True)


ASSEMBLER_SUFFIXES = (".s", ".S", ".sx")


def assemble_link_sources(command: LinkCommand, compiler: list[str], cwd: Path, scratch: Path) -> None:
    """Build systems may hand assembler files straight to an extension's link (numpy's meson
    passes its SVML .s files): assemble them with the same driver, so that their objects join
    the capture like every other object. C or Fortran sources on a link line stay refused:
    their compile flags are not on it."""
    for index, source in enumerate(command.sources):
        if not source.endswith(ASSEMBLER_SUFFIXES):
            raise SlitherError(f"the link also compiles {source}; only object files and assembler "
                               "sources can be captured")
        assembled = scratch / f"{index}-{Path(source).name}.o"
        result = subprocess.run([*compiler, "-c", source, "-o", str(assembled)], cwd=cwd,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise SlitherError(f"assembling {source} for the capture failed: {result.stdout.strip()[-200:]}")
        command.inputs.append(LinkInput("object", str(assembled)))
    command.sources = []


def capture_extension_link(command: LinkCommand, compiler: list[str], settings: CaptureSettings,
                           cwd: Path) -> Path:
    """Make the static twin of a finished extension link; returns its record's path."""
    with tempfile.TemporaryDirectory(prefix="slither-capture-") as scratch:
        assemble_link_sources(command, compiler, cwd, Path(scratch))
        return _capture_objects(command, compiler, settings, cwd)


def write_relocatable_object(toolchain: Toolchain, plan, destination: Path, symbol_policy) -> Path:
    """`ld -r` of the plan into destination, then symbol_policy(path) on it; atomic (a temporary
    beside it), so that a failed capture leaves no object the next build would take."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.stem}.",
                                              suffix=".o.tmp")
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        link_relocatable(toolchain, plan, temporary)
        symbol_policy(temporary)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)
    return destination


def _capture_objects(command: LinkCommand, compiler: list[str], settings: CaptureSettings,
                     cwd: Path) -> Path:
    output = (cwd / command.output).resolve()
    init_symbol = original_init_symbol(output.name)
    private = {path: record.object for path, record in read_private_library_records(settings.record_dir).items()}
    plan = plan_partial_link(command, package_roots=[cwd, *settings.package_roots], cwd=cwd,
                             archives_of_the_build=archives_made_by_the_build(settings.record_dir),
                             private_libraries=private)
    output_sha256 = sha256_of(output)
    stem = f"{init_symbol[len('PyInit_'):]}-{output_sha256[:16]}"
    record_dir = settings.record_dir
    object_path = write_relocatable_object(
        settings.toolchain, plan, record_dir / f"{stem}.o",
        lambda path: localize_all_but(settings.toolchain, path, init_symbol))
    record = CaptureRecord(
        output=str(output), output_sha256=output_sha256, object=str(object_path),
        init_symbol=init_symbol, role=settings.role, libraries=plan.libraries,
        library_dirs=plan.library_dirs, external_inputs=plan.external_inputs,
        link_flags=command.link_flags, compiler=compiler, working_directory=str(cwd),
        private_libraries=plan.private_libraries)
    return write_record(record_dir, stem, record)


def capture_private_library_link(command: LinkCommand, settings: CaptureSettings, cwd: Path) -> Path | None:
    """A `-shared` link of a library inside the package tree that is no extension (scipy.special's
    libsf_error_state.so): its objects as one relocatable object, globals kept, recorded for the
    extensions that link it. None for a library outside the package tree (not the package's)."""
    output = (cwd / command.output).resolve()
    if not is_under(output, [cwd, *settings.package_roots]):
        return None
    plan = plan_partial_link(command, package_roots=[cwd, *settings.package_roots], cwd=cwd,
                             archives_of_the_build=archives_made_by_the_build(settings.record_dir))
    stem = f"{output.name.split('.', 1)[0]}-{sha256_of(output)[:16]}"
    object_path = write_relocatable_object(
        settings.toolchain, plan, settings.record_dir / PRIVATE_LIBRARY_DIR / f"{stem}.o",
        lambda path: keep_globals_apart(settings.toolchain, path))
    return write_private_library_record(settings.record_dir, stem, PrivateLibraryRecord(
        output=str(output), object=str(object_path), libraries=plan.libraries,
        library_dirs=plan.library_dirs, external_inputs=plan.external_inputs))


def run_wrapped(compiler: list[str], arguments: list[str], settings: CaptureSettings,
                link_arguments: list[str] | None = None) -> int:
    """The wrapper's whole job; returns its exit status (or never returns, for pass-through).
    link_arguments: the driver form of the line when `compiler` is not a driver (a direct ld)."""
    command = parse_link_command(link_arguments if link_arguments is not None
                                 else expand_response_files(arguments))
    output_name = os.path.basename(command.output) if command is not None else ""
    if command is None or not is_shared_object_name(output_name):
        os.execvp(compiler[0], [*compiler, *arguments])  # same process: same output, same status
    status = subprocess.run([*compiler, *arguments]).returncode
    if status != 0:
        return status
    cwd = Path.cwd()
    try:
        # a versioned name (libsymspg.so.2.5.0) is never an extension, only the package's own library
        if may_be_extension(output_name) and is_extension_link(command, settings.toolchain, cwd):
            capture_extension_link(command, compiler, settings, cwd)
        elif not command.sources:
            try:
                capture_private_library_link(command, settings, cwd)
            except SlitherError:
                pass  # not fatal here: only an extension that links it needs it (and then says so)
    except SlitherError as error:
        (cwd / command.output).unlink(missing_ok=True)
        reason = " ".join(str(error).split())
        sys.stderr.write(f"slither capture: error: extension {command.output}: {reason}\n")
        return 1
    return 0
