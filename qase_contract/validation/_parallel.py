"""Checking on several processes: same outcomes, same order, flat memory.

The parent plans units of work and the workers read and check them, so reading and parsing
run in parallel too: a large JSON Lines file is cut into byte ranges at line boundaries,
small files are grouped, and standard input (which only the parent can read) is sent in
batches. At most ``2 * jobs`` units are in flight. Workers send a conforming delivery back
as its event name and location only (most of a corpus), everything else as its outcome.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import cast

from qase_contract.contract._reads import ReadSet
from qase_contract.findings import Result
from qase_contract.sources._lines import MAX_RECORD_BYTES
from qase_contract.sources._model import Delivery, LineBatch, ListedFile, Location, ReadFailure
from qase_contract.sources._paths import list_inputs, read_listed, read_standard_input
from qase_contract.sources._streams import is_capture_file, is_json_lines_file, read_range
from qase_contract.validation._batch import ConformingRun, Outcome, check, check_counting_conforming
from qase_contract.validation._validator import Validator

#: Bytes of JSON Lines per unit: large enough to amortise a task, small enough to spread a
#: file over every worker and to keep memory flat.
CHUNK_BYTES = 4 * 1024 * 1024
#: Smaller files go to workers in groups of up to this many bytes or files: a unit of work
#: costs the parent a hand-over, which a group of a few single deliveries would not repay.
UNIT_BYTES = 1024 * 1024
FILES_PER_UNIT = 1024
BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class RangeUnit:
    """Lines of a JSON Lines file between two byte offsets that fall on line boundaries;
    ``first_line`` is the number of the first, so workers locate deliveries themselves."""

    path: str
    start: int
    end: int
    first_line: int
    captures: bool


@dataclass(frozen=True, slots=True)
class FilesUnit:
    files: tuple[ListedFile, ...]


@dataclass(frozen=True, slots=True)
class DeliveriesUnit:
    deliveries: tuple[Delivery, ...]


Unit = RangeUnit | FilesUnit | DeliveriesUnit
#: A worker's answer per delivery: (event name, location, size) when it conforms, else its
#: outcome; or, when conforming deliveries are not listed, a run of them counted per event.
Verdict = Outcome | ConformingRun | tuple[str, Location, int]
UnitVerdicts = list[Verdict]


def check_in_parallel(
    paths: Iterable[str],
    *,
    jobs: int,
    strict: bool = False,
    overlay: str | None = None,
    max_record: int = MAX_RECORD_BYTES,
    list_conforming: bool = True,
    reads: ReadSet | None = None,
) -> Iterator[Outcome | ConformingRun]:
    """The outcomes :func:`~qase_contract.validation._batch.check` gives for ``read_paths(paths)``,
    in the same order, computed on ``jobs`` worker processes.

    Without ``list_conforming``, consecutive conforming deliveries come as
    :class:`ConformingRun` counts: the parent then handles a few items per unit instead of
    one per delivery, which is what lets the workers run ahead of it.
    """
    conforming: dict[str, Result] = {}

    def outcomes_of(verdicts: UnitVerdicts) -> Iterator[Outcome | ConformingRun]:
        for verdict in verdicts:
            if isinstance(verdict, (Outcome, ConformingRun)):
                yield verdict
                continue
            name, location, size = verdict
            result = conforming.get(name)
            if result is None:
                result = conforming[name] = Result(name, (), strict)
            yield Outcome(location, result, None, size)

    settings = (strict, overlay, max_record, list_conforming, reads)
    with ProcessPoolExecutor(jobs, start_method(), initializer=_start_worker, initargs=settings) as pool:
        pending: deque[Future[UnitVerdicts] | Outcome] = deque()
        for item in _plan(paths, max_record):
            if isinstance(item, Delivery):
                assert isinstance(item.body, ReadFailure), "planning yields only failures as deliveries"
                pending.append(Outcome(item.location, None, item.body.reason, item.size))
            else:
                pending.append(pool.submit(_work, item))
            while len(pending) > 2 * jobs:
                yield from _settle(pending.popleft(), outcomes_of)
        while pending:
            yield from _settle(pending.popleft(), outcomes_of)


def _settle(
    head: Future[UnitVerdicts] | Outcome,
    outcomes_of: Callable[[UnitVerdicts], Iterator[Outcome | ConformingRun]],
) -> Iterator[Outcome | ConformingRun]:
    if isinstance(head, Outcome):
        yield head
    else:
        yield from outcomes_of(head.result())


def start_method() -> multiprocessing.context.BaseContext:
    """fork where there is one: workers start in milliseconds, and the command that runs them
    has no threads of its own (Python 3.14 would pick forkserver, which starts far slower)."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


#: Linux's load figures; its fourth field is "runnable tasks/all tasks".
LOADAVG = Path("/proc/loadavg")


def default_jobs() -> int:
    """One job per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def free_cores() -> int:
    """The usable cores not taken by other work right now (at least one).

    The kernel's count of runnable tasks (``/proc/loadavg``, its fourth field, this process
    included) says how many cores are busy at this moment; the load averages would say how
    busy they were over the last minute, which counts the previous command of a script. A
    worker on a core that another task holds only adds its start-up and the hand-over of
    outcomes, so on a busy two-core machine one process beats two. The count is the whole
    machine's, so it is used only when this process may run on every core (not in a container
    given a few cores of a busy host), and it is the least of a few readings, as one catches
    passing tasks.
    """
    usable = default_jobs()
    if usable != os.cpu_count():
        return usable
    try:
        readings = []
        for reading in range(_READINGS):
            if reading:
                time.sleep(_READING_GAP)
            readings.append(int(LOADAVG.read_text(encoding="ascii").split()[3].split("/")[0]))
    except (OSError, ValueError, IndexError):
        return usable  # not Linux: every usable core, as before
    return max(1, min(usable, usable - (min(readings) - 1)))


_READINGS = 3
_READING_GAP = 0.005


def _plan(paths: Iterable[str], max_record: int) -> Iterator[Unit | Delivery]:
    """Units of work in input order; a failure found while planning (a symlink loop, an
    empty folder) comes as its delivery, in its place."""
    small: list[ListedFile] = []
    small_bytes = 0
    for item in list_inputs(paths):
        # A file of no known size (a FIFO, a device) may keep its worker waiting: it goes in a
        # unit of its own, which holds up no other file.
        if type(item) is ListedFile and item.size is not None and not _large_json_lines(item, max_record):
            small.append(item)
            small_bytes += item.size
            if len(small) == FILES_PER_UNIT or small_bytes >= UNIT_BYTES:
                yield FilesUnit(tuple(small))
                small, small_bytes = [], 0
            continue
        if small:
            yield FilesUnit(tuple(small))
            small, small_bytes = [], 0
        if isinstance(item, Delivery):
            yield item
        elif type(item) is ListedFile and item.size is None:
            yield FilesUnit((item,))
        elif type(item) is ListedFile:
            try:
                yield from _ranges(Path(item.path), max_record)
            except OSError:
                # It went unreadable since it was looked at: read whole, it is reported.
                yield FilesUnit((item,))
        else:  # standard input, which only this process can read
            stdin = cast("Iterator[Delivery]", read_standard_input(max_record))
            while batch := tuple(islice(stdin, BATCH_SIZE)):
                yield DeliveriesUnit(batch)
    if small:
        yield FilesUnit(tuple(small))


def _large_json_lines(listed: ListedFile, max_record: int) -> bool:
    size = listed.size
    return (
        size is not None
        and size > CHUNK_BYTES
        and is_json_lines_file(Path(listed.path), max_record=max_record)
    )


def _ranges(path: Path, max_record: int) -> Iterator[RangeUnit]:
    """Byte ranges of about :data:`CHUNK_BYTES`, each ending just after a newline.

    The parent reads each range once to count its lines (a fraction of what parsing it
    costs), so every worker numbers its lines as a sequential read would.
    """
    captures = is_capture_file(path, max_record=max_record)
    with path.open("rb") as stream:
        start, first_line = 0, 1
        while chunk := stream.read(CHUNK_BYTES):
            lines = chunk.count(b"\n")
            # The rest of the line the chunk cut, read in bounded pieces however long it is.
            while not chunk.endswith(b"\n"):
                chunk = stream.readline(CHUNK_BYTES)
                if not chunk:
                    break
                lines += chunk.endswith(b"\n")
            end = stream.tell()
            yield RangeUnit(str(path), start, end, first_line, captures)
            start, first_line = end, first_line + lines


_worker: tuple[Validator, int, bool] | None = None


def _start_worker(
    strict: bool, overlay: str | None, max_record: int, list_conforming: bool, reads: ReadSet | None
) -> None:
    global _worker
    _worker = (Validator(strict=strict, schemas=overlay, reads=reads), max_record, list_conforming)


def _work(unit: Unit) -> UnitVerdicts:
    """A worker's part: read the unit and check every delivery in it."""
    assert _worker is not None, "worker started without a validator"
    validator, max_record, list_conforming = _worker
    deliveries: Iterable[Delivery | LineBatch]
    if isinstance(unit, RangeUnit):
        deliveries = read_range(
            Path(unit.path),
            unit.start,
            unit.end,
            unit.first_line,
            captures=unit.captures,
            max_record=max_record,
            batched=True,
        )
    elif isinstance(unit, FilesUnit):
        deliveries = read_listed(unit.files, max_record=max_record, batched=True)
    else:
        deliveries = unit.deliveries
    if not list_conforming:
        return list(check_counting_conforming(deliveries, validator, run_length=sys.maxsize))
    verdicts: list[Verdict] = []
    for outcome in check(deliveries, validator):
        result = outcome.result
        if result is not None and result.status == "conforming" and result.event_name is not None:
            verdicts.append((result.event_name, outcome.location, outcome.size))
        else:
            verdicts.append(outcome)
    return verdicts
