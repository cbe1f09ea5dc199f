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
from qase_contract.sources import Delivery
from qase_contract.validator import Validator

BATCH_SIZE = 500
_worker_validator: Validator | None = None


def check_in_parallel(
    deliveries: Iterable[Delivery], *, jobs: int, strict: bool = False, overlay: str | None = None
) -> Iterator[Outcome]:
    """Like :func:`qase_contract.checking.check`, on ``jobs`` worker processes."""
    iterator = iter(deliveries)
    with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(strict, overlay)) as pool:
        pending: deque[Future[list[Outcome]]] = deque()
        while True:
            while len(pending) < 2 * jobs:
                batch = list(islice(iterator, BATCH_SIZE))
                if not batch:
                    break
                pending.append(pool.submit(_check_batch, batch))
            if not pending:
                return
            yield from pending.popleft().result()


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _start_worker(strict: bool, overlay: str | None) -> None:
    global _worker_validator
    _worker_validator = Validator(strict=strict, schemas=overlay)


def _check_batch(batch: list[Delivery]) -> list[Outcome]:
    assert _worker_validator is not None, "worker started without a validator"
    return [outcome_of(delivery, _worker_validator) for delivery in batch]
