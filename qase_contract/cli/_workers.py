"""How many worker processes a command runs (``--jobs``), shared by validate and drift."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import click

from qase_contract.sources._paths import STDIN

#: Above this much input, worker processes repay their start-up (about 50 ms each).
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
#: More workers than this only cost start-up time and memory on any machine it runs on.
MAX_JOBS = 256

Command = TypeVar("Command", bound=Callable[..., object])


def jobs_option(what: str) -> Callable[[Command], Command]:
    """``-j/--jobs``; ``what`` the workers do, for the help text."""
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=0, max=MAX_JOBS),
        default=None,
        help=f"Worker processes {what}; 0 uses every core. Default: one up to 16 MiB of input, "
        "every free core above.",
    )


def workers(jobs: int | None, input_size: int) -> int:
    """``--jobs`` (``0``: every usable core), or by default every free core once the input is
    large enough to repay starting workers."""
    if jobs == 1 or (jobs is None and input_size <= PARALLEL_MIN_BYTES):
        return 1
    from qase_contract.validation._parallel import default_jobs, free_cores

    return jobs or (default_jobs() if jobs == 0 else free_cores())


def input_size(paths: Iterable[str]) -> int:
    """The bytes of the files the paths name (standard input counts as nothing)."""
    return sum(_path_size(Path(path)) for path in paths if path != STDIN)


def _path_size(path: Path) -> int:
    try:
        if path.is_file():
            return path.stat().st_size
    except OSError:
        return 0  # cannot be looked up: reading it reports why
    return _folder_size(os.fspath(path))


def _folder_size(folder: str) -> int:
    """The bytes of the files below ``folder``, by ``os.scandir`` (no Path per file: it would
    cost more than reading a small one); symlinked folders are not followed, as ``os.walk``
    does not, so a symlink loop ends."""
    size = 0
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    size += _folder_size(entry.path)
                elif entry.is_file():
                    size += entry.stat().st_size
    return size
