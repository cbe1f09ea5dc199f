"""Where a command's report goes: standard output, or a file replaced only when the run ends."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from qase_contract._util.files import umask


@contextmanager
def report_stream(output: str | None) -> Iterator[IO[str]]:
    """Standard output, or ``output`` written through a temporary file in the same folder so a
    reader never sees half a report. The file is put in place when the run ends, also by a
    deliberate exit (a usage error is reported in the chosen format, and that report says
    why); a crash leaves the previous file untouched."""
    if output is None or output == "-":
        yield sys.stdout
        return
    if not output:
        raise click.UsageError("--output: the file name is empty")
    target = Path(output)
    if _exists_but_not_a_file(target):
        # A device, a FIFO or a process substitution (/dev/null, >(cat)): written straight
        # through, never replaced by a file.
        try:
            stream = target.open("w", encoding="utf-8", newline="")
        except OSError as error:
            raise _cannot_write(output, error) from None
        with stream:
            yield stream
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))  # replace the file it points to, keep the link
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        # mkstemp makes the file private (0600); a report gets the mode any new file would.
        os.fchmod(handle, 0o666 & ~umask())
    except OSError as error:
        raise _cannot_write(output, error) from None
    finished = False
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            try:
                yield stream
                finished = True
            except SystemExit:
                finished = True
                raise
    finally:
        if finished:
            Path(temporary).replace(target)
        else:
            Path(temporary).unlink(missing_ok=True)


def _cannot_write(output: str, error: OSError) -> click.UsageError:
    return click.UsageError(f"--output {output}: cannot write there: {error.strerror or error}")


def _exists_but_not_a_file(target: Path) -> bool:
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except OSError:
        return False  # not there yet (or a dangling link): made as a new file


def colour_wanted(choice: str, stream: IO[str]) -> bool:
    """``--color auto`` colours a terminal unless ``NO_COLOR`` is set (no-color.org) or TERM is dumb."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()
