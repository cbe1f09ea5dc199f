"""How the receiver answers a delivery it has checked: as the verdict says, or as it was told.

By default a delivery is answered 200 (400 when the body is not JSON). A team that wants to
see what Qase does when a consumer fails tells the receiver to answer otherwise:
``respond`` answers every checked delivery with one status (and ``respond_body``),
``fail_rate`` answers that share of them 500, drawn from a generator seeded with ``seed``
so that a run can be repeated, and ``delay`` holds each answer back that many seconds.
Requests refused before they are checked (401, 404, 405, 413, ...) keep their own answers.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

import orjson

#: The statuses an answer may have: a final one (an informational 1xx cannot end an exchange).
FIRST_STATUS, LAST_STATUS = 200, 599
#: Statuses whose answers carry no body (RFC 9110, 6.4.1).
BODILESS = frozenset({204, 304})
FAILURE_STATUS = 500
#: The longest --delay: past Qase's 15 seconds, with room to see what a slow answer does.
MAX_DELAY = 600.0

#: Why a delivery got its answer, as the live line and the JSON line name it.
BY_VERDICT, BY_RESPOND, BY_FAIL_RATE = "", "--respond", "--fail-rate"


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer chosen for one checked delivery: its status, and which rule chose it."""

    status: int
    by: str = BY_VERDICT
    body: bytes | None = None


@dataclass
class AnswerPolicy:
    """What to answer checked deliveries; the default answers by the verdict. Thread-safe."""

    respond: int | None = None
    respond_body: str | None = None
    fail_rate: float = 0.0
    seed: int = 0
    delay: float = 0.0
    _random: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.respond is not None and not FIRST_STATUS <= self.respond <= LAST_STATUS:
            raise ValueError(f"an answer's status is {FIRST_STATUS} to {LAST_STATUS}, not {self.respond}")
        if not 0.0 <= self.fail_rate <= 1.0:  # also refuses nan
            raise ValueError(f"a fail rate is from 0 to 1, not {self.fail_rate}")
        if not 0.0 <= self.delay <= MAX_DELAY:
            raise ValueError(f"a delay is from 0 to {MAX_DELAY:g} seconds, not {self.delay}")
        self._random = random.Random(self.seed)

    def answer(self, status: int) -> Answer:
        """The answer to a checked delivery the verdict would answer ``status``.

        The fail-rate draw is taken for every checked delivery, in the order they are checked,
        so a run with the same seed and the same deliveries fails the same ones.
        """
        if self.fail_rate:
            with self._lock:
                failed = self._random.random() < self.fail_rate
            if failed:
                return Answer(FAILURE_STATUS, BY_FAIL_RATE)
        body = self.respond_body.encode("utf-8") if self.respond_body is not None else None
        if self.respond is not None:
            return Answer(self.respond, BY_RESPOND, body)
        return Answer(status, BY_VERDICT, body)

    def describe(self) -> list[str]:
        """The banner's lines for what is not the default."""
        lines = []
        if self.respond is not None or self.respond_body is not None:
            status = self.respond if self.respond is not None else "by the verdict"
            body = " with the body given" if self.respond_body is not None else ""
            lines.append(f"answering {status}{body}")
        if self.fail_rate:
            lines.append(f"answering 500 to {self.fail_rate * 100:g}% of deliveries (seed {self.seed})")
        if self.delay:
            lines.append(f"answering after {self.delay:g} s")
        return lines


def body_content_type(body: bytes) -> str:
    """``application/json`` for a body that is JSON, else plain UTF-8 text."""
    try:
        orjson.loads(body)
    except orjson.JSONDecodeError:
        return "text/plain; charset=utf-8"
    return "application/json"
