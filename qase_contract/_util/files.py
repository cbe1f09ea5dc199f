"""Which paths exist, and which can be read as files without blocking (a FIFO or a device could
wait forever)."""

from __future__ import annotations

import os
from pathlib import Path


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
