"""Files and folders in states a test cannot always make for real."""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path
from typing import Any

import pytest


def unsearchable_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``folder`` (which exists) one that can be neither listed nor looked into: mode 000,
    or, for root (who reads whatever the mode says; CI runs as root), every look-up at or
    below it refused with EACCES as the kernel would for anyone else."""
    if os.geteuid() != 0:
        folder.chmod(0)  # pytest's clean-up of tmp_path restores the mode to remove it
        return
    inside = os.fsencode(folder)

    def refused(path: Any) -> bool:
        try:
            name = os.fsencode(os.fspath(path))
        except TypeError:
            return False  # a file descriptor
        return name == inside or name.startswith(inside + b"/")

    def guard(original: Any) -> Any:
        def guarded(path: Any, *args: Any, **kwargs: Any) -> Any:
            if refused(path):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return original(path, *args, **kwargs)

        return guarded

    for name in ("stat", "lstat", "scandir", "open", "listdir"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))
    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))


def unreadable_file(file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``file`` one that cannot be opened: mode 000, or, for root, every open of it refused
    with EACCES, whichever way it is opened (a Path, or its text as the readers open it)."""
    if os.geteuid() != 0:
        file.chmod(0)
        return
    locked = os.fsencode(file)

    def guard(original: Any) -> Any:
        def guarded(path: Any, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(path, int) and os.fsencode(os.fspath(path)) == locked:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return original(path, *args, **kwargs)

        return guarded

    monkeypatch.setattr(os, "open", guard(os.open))
    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(Path, "open", guard(Path.open))
