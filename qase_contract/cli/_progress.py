"""A progress bar on stderr for long runs; imported only when one is shown."""

from __future__ import annotations

import sys

import click


class ProgressBar:
    """Bytes of input checked so far, out of the total size of the input files."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._bar = click.progressbar(length=total, label="checking", file=sys.stderr)
        self._bar.__enter__()

    def update(self, size: int) -> None:
        self._bar.update(size)

    def close(self) -> None:
        # Records do not count every byte (blank lines, a final newline): the end is 100%.
        self._bar.update(max(self._total - self._bar.pos, 0))
        self._bar.__exit__(None, None, None)
