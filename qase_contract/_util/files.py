"""Which paths exist, and which can be read as files without blocking (a FIFO or a device could
wait forever)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from os import PathLike
from pathlib import Path
from typing import Any

import orjson


def why_not_a_regular_file(path: Path | os.DirEntry[str]) -> str | None:
    """Why ``path`` is not read as a file, or None to read it (a missing path included: its
    reader says so in its own words)."""
    try:
        if path.is_file():
            return None
        if path.is_symlink() and not os.path.exists(path):  # noqa: PTH110 - a DirEntry has no .exists()
            return "broken symlink: what it points to does not exist"
        if not os.path.lexists(path):
            return None
    except OSError:
        return None  # let reading it say what is wrong
    return "not a regular file (a FIFO, socket or device)"


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` through a temporary file in the same folder, so a reader (or a crash)
    never sees half a file; the new file gets the mode any new file would."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o666 & ~umask())  # mkstemp makes the file private (0600)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def umask() -> int:
    """The process's umask (the only way to read it is to set it; it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def read_json_file(
    path: str | PathLike[str], what: str, error: Callable[[str], Exception], *, missing: str = ""
) -> Any:
    """The JSON data of the ``what`` file (a baseline, a read-set); ``error(message)`` is raised
    with a message naming the file and why it cannot be read (``missing`` hints at a remedy)."""
    where = Path(path)
    problem = f"a folder, not a {what} file" if where.is_dir() else why_not_a_regular_file(where)
    if problem is not None:
        raise error(f"{path}: {problem}")
    try:
        # orjson, not json: a file nested thousands deep is a parse error, not a RecursionError.
        return orjson.loads(where.read_bytes())
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file{missing}") from None
    except OSError as problem_reading:
        raise error(f"{path}: cannot read the {what}: {problem_reading}") from None
    except orjson.JSONDecodeError as not_json:
        raise error(f"{path}: the {what} is not valid JSON: {not_json}") from None


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` while the block runs, for a read-merge-write of a file in
    it by several processes: ``flock`` on the folder itself, so no lock file is left behind;
    where there is no ``flock`` (Windows), no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def is_missing(path: str | os.PathLike[str]) -> bool:
    """Whether nothing is at ``path`` for certain. A path that cannot be looked up (under a
    folder that cannot be searched, mode 000) is not missing: reading it says why it fails."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False
    return False
