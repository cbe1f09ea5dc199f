"""Checking on several processes, in order, with a bounded number of batches in flight.

Each worker builds its own :class:`Validator` once; the parent reads, the workers parse
and validate. At most ``2 * jobs`` batches wait at a time, so memory stays flat however
large the input.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from qase_contract.checking import Outcome, outcome_of
from qase_contract.findings import Result
from qase_contract.sources import Delivery
from qase_contract.validator import Validator

#: What a worker sends back per delivery: the event name of a conforming delivery (most of
#: a corpus, and cheap to send), or the whole outcome.
_Verdict = str | Outcome

BATCH_SIZE = 500
_worker_validator: Validator | None = None


def check_in_parallel(
    deliveries: Iterable[Delivery], *, jobs: int, strict: bool = False, overlay: str | None = None
) -> Iterator[Outcome]:
    """Like :func:`qase_contract.checking.check`, on ``jobs`` worker processes."""
    iterator = iter(deliveries)
    conforming: dict[str, Result] = {}
    with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(strict, overlay)) as pool:
        pending: deque[tuple[list[Delivery], Future[list[_Verdict]]]] = deque()
        while True:
            while len(pending) < 2 * jobs:
                batch = list(islice(iterator, BATCH_SIZE))
                if not batch:
                    break
                pending.append((batch, pool.submit(_check_batch, batch)))
            if not pending:
                return
            batch, verdicts = pending.popleft()
            for delivery, verdict in zip(batch, verdicts.result(), strict=True):
                if isinstance(verdict, str):
                    result = conforming.get(verdict)
                    if result is None:
                        result = conforming[verdict] = Result(verdict, (), strict)
                    yield Outcome(delivery.location, result, None, delivery.size)
                else:
                    yield verdict


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _start_worker(strict: bool, overlay: str | None) -> None:
    global _worker_validator
    _worker_validator = Validator(strict=strict, schemas=overlay)


def _check_batch(batch: list[Delivery]) -> list[_Verdict]:
    assert _worker_validator is not None, "worker started without a validator"
    verdicts: list[_Verdict] = []
    for delivery in batch:
        outcome = outcome_of(delivery, _worker_validator)
        result = outcome.result
        if result is not None and result.status == "conforming" and result.event_name is not None:
            verdicts.append(result.event_name)
        else:
            verdicts.append(outcome)
    return verdicts
