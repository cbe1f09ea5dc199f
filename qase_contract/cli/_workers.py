"""How many worker processes a command runs (``--jobs``), shared by validate and drift."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from typing import NamedTuple, TypeVar

import click

from qase_contract.sources._model import ListedFile
from qase_contract.sources._paths import Listed, list_inputs

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


class InputPlan(NamedTuple):
    """How a run reads its input: on how many worker processes, and, on one, what it reads
    (listed already, so a folder is walked once) and how many bytes that is, when counted."""

    workers: int
    listed: Iterable[Listed]
    size: int | None


#: Files listed ahead at most while the input is sized: a folder of more is walked again to
#: be read, so memory stays flat.
LISTED_AHEAD = 65536


def plan_input(paths: Iterable[str], jobs: int | None) -> InputPlan:
    """The workers for ``--jobs`` and what one reads. By default, the input is listed ahead
    until it is known to be small (read from that listing on one process) or large enough to
    repay workers; ``--jobs 1`` reads it as it is listed, without sizing it. Raises
    :class:`~qase_contract.errors.SourceError` as :func:`list_inputs` does."""
    paths = list(paths)
    if jobs is not None:
        count = workers(jobs, 0)
        return InputPlan(count, list_inputs(paths) if count == 1 else (), None)
    listed = list_inputs(paths)
    ahead: list[Listed] | None = []  # None once too many to keep
    # Standard input, a FIFO or a device can keep the run waiting before it reads what follows
    # them: that is listed again when its turn comes, as --jobs 1 lists it.
    waits = False
    size = 0
    for item in listed:
        if type(item) is ListedFile:
            if item.size:
                size += item.size
                if size > PARALLEL_MIN_BYTES:
                    count = workers(None, size)
                    if count > 1:
                        return InputPlan(count, (), None)
                    if ahead is None or waits:
                        return InputPlan(1, list_inputs(paths), None)
                    return InputPlan(1, chain(ahead, [item], listed), None)
            elif item.size is None:
                waits = True
        elif type(item) is str:  # standard input
            waits = True
        if ahead is not None:
            ahead.append(item)
            if len(ahead) > LISTED_AHEAD:
                ahead = None  # counted on, then walked again to be read
    return InputPlan(1, list_inputs(paths) if ahead is None or waits else ahead, size)


def input_size(paths: Iterable[str]) -> int:
    """The bytes of the files the paths name, as they are listed to be read (standard input,
    and a file whose size says nothing, count as nothing). Raises
    :class:`~qase_contract.errors.SourceError` as :func:`list_inputs` does."""
    return sum(item.size or 0 for item in list_inputs(paths) if type(item) is ListedFile)
