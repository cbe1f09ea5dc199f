"""Forward live deliveries to the team's consumer, off the path of Qase's acknowledgement.

The receiver hands each delivery over *after* its record is appended, and the handover only
puts it on a bounded queue: a slow or unreachable consumer never delays the answer to Qase
(which gives up after 15 s) and never loses a delivery, which is already in the capture file
and can be replayed with ``qase-contract send --from``. A few worker threads post the raw
bytes with the original headers, the secret included, and report each consumer's answer.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from qase_contract.live._outgoing import forward_headers
from qase_contract.live._receiver import Receipt
from qase_contract.live._sender import DEFAULT_TIMEOUT, ConsumerAnswer, Target, post
from qase_contract.reporters._live import forwarded_json, forwarded_line, forwarding_result
from qase_contract.sources._capture import utc_now

DEFAULT_WORKERS = 4
DEFAULT_BACKLOG = 1000

Poster = Callable[..., ConsumerAnswer]


@dataclass(frozen=True, slots=True)
class Forwarded:
    """What became of one forwarded delivery: the consumer's answer, or why it was not sent."""

    receipt: Receipt
    target: Target
    answer: ConsumerAnswer | None
    skipped: str = ""

    at: str = field(default_factory=utc_now)
    #: The target as it may be printed (the secret redacted, when the forwarder knows it).
    shown: str = ""

    def describe(self) -> str:
        return forwarded_line(
            self.at, self.shown or str(self.target), self.receipt, self.answer, self.skipped
        )

    def as_json(self) -> str:
        return forwarded_json(
            self.at, self.shown or str(self.target), self.receipt, self.answer, self.skipped
        )

    @property
    def result(self) -> str:
        """What the summary counts it under: the consumer's status, ``no answer`` or ``not forwarded``."""
        return forwarding_result(self.answer)


class Forwarder:
    """Posts deliveries to ``target`` from ``workers`` background threads.

    Called like the receiver's ``forward`` hook; ``on_result`` gets a :class:`Forwarded`
    for every delivery, from a worker thread. ``backlog`` bounds the deliveries waiting.
    ``secret`` is only kept out of what is printed of the target.
    """

    def __init__(
        self,
        target: Target,
        *,
        on_result: Callable[[Forwarded], None],
        workers: int = DEFAULT_WORKERS,
        backlog: int = DEFAULT_BACKLOG,
        timeout: float = DEFAULT_TIMEOUT,
        poster: Poster = post,
        secret: str | None = None,
    ) -> None:
        self.target = target
        self.shown = target.shown(secret)
        self._on_result = on_result
        self._timeout = timeout
        self._post = poster
        self._queue: queue.Queue[tuple[bytes, dict[str, str], Receipt]] = queue.Queue(maxsize=backlog)
        self._closing = threading.Event()
        self._threads = [
            threading.Thread(target=self._work, name=f"qase-forward-{n}", daemon=True) for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def __call__(self, body: bytes, headers: Mapping[str, str], receipt: Receipt) -> None:
        if self._closing.is_set():
            self._on_result(
                Forwarded(receipt, self.target, None, "the receiver is stopping", shown=self.shown)
            )
            return
        try:
            self._queue.put_nowait((body, forward_headers(headers), receipt))
        except queue.Full:
            self._on_result(
                Forwarded(receipt, self.target, None, "too many deliveries waiting", shown=self.shown)
            )

    def close(self, wait: float = 5.0) -> int:
        """Stop taking deliveries, give those waiting ``wait`` seconds; the number left unsent."""
        self._closing.set()
        deadline = time.monotonic() + wait
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return self._queue.qsize() + sum(thread.is_alive() for thread in self._threads)

    def _work(self) -> None:
        while True:
            try:
                body, headers, receipt = self._queue.get(timeout=0.05)
            except queue.Empty:
                if self._closing.is_set():
                    return
                continue
            answer = self._post(self.target, body, headers, timeout=self._timeout)
            self._on_result(Forwarded(receipt, self.target, answer, shown=self.shown))
