"""From deliveries to outcomes: the step between the readers and the reporters.

An :class:`Outcome` is a delivery's verdict at its location; an unreadable record is an
outcome too, so it is counted, reported and fails the run like any violation.
A :class:`Tally` counts outcomes per status and per event for every reporter's summary.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from qase_contract.findings import Finding, Result, make_finding
from qase_contract.sources import Delivery, Location, ReadFailure
from qase_contract.validator import Validator

Status = Literal["conforming", "drift", "violation", "unreadable"]
STATUSES: tuple[Status, ...] = ("conforming", "drift", "violation", "unreadable")
NO_EVENT = "(no event)"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdict on one record: a validation result, or why the record could not be read."""

    location: Location
    result: Result | None
    failure: str | None = None
    size: int = 0

    @property
    def status(self) -> Status:
        return "unreadable" if self.result is None else self.result.status

    @property
    def event_name(self) -> str | None:
        return None if self.result is None else self.result.event_name

    @property
    def findings(self) -> tuple[Finding, ...]:
        if self.result is None:
            return (make_finding("unreadable", "", self.failure or "unreadable record"),)
        return self.result.findings

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok


def check(deliveries: Iterable[Delivery], validator: Validator) -> Iterator[Outcome]:
    """The outcome of every delivery, in order."""
    for delivery in deliveries:
        yield outcome_of(delivery, validator)


def outcome_of(delivery: Delivery, validator: Validator) -> Outcome:
    if isinstance(delivery.body, ReadFailure):
        return Outcome(delivery.location, None, delivery.body.reason, delivery.size)
    return Outcome(delivery.location, validator.validate(delivery.body), size=delivery.size)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events to report, by name or shell-style pattern (``run.*``).

    Records with no event name (unparsable or unreadable ones) always pass: they could be
    any event, and dropping them would hide broken input.
    """

    patterns: tuple[str, ...] = ()

    def __call__(self, outcome: Outcome) -> bool:
        name = outcome.event_name
        if not self.patterns or name is None:
            return True
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns)

    def unmatched(self, known: Iterable[str]) -> list[str]:
        """Patterns that match no known event: likely typos worth a warning."""
        names = list(known)
        return [p for p in self.patterns if not any(fnmatch.fnmatchcase(n, p) for n in names)]


@dataclass
class Tally:
    """Counts for the summary: every record read, per status and per event."""

    statuses: Counter[str] = field(default_factory=Counter)
    by_event: dict[str, Counter[str]] = field(default_factory=dict)
    failed: int = 0
    filtered: int = 0

    def add(self, outcome: Outcome) -> None:
        status = outcome.status
        self.statuses[status] += 1
        self.by_event.setdefault(outcome.event_name or NO_EVENT, Counter())[status] += 1
        if not outcome.ok:
            self.failed += 1

    @property
    def deliveries(self) -> int:
        return sum(self.statuses.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "deliveries": self.deliveries,
            "conforming": self.statuses["conforming"],
            "drift": self.statuses["drift"],
            "violations": self.statuses["violation"],
            "unreadable": self.statuses["unreadable"],
            "filtered_out": self.filtered,
            "by_event": {
                event: {
                    "deliveries": sum(counts.values()),
                    "conforming": counts["conforming"],
                    "drift": counts["drift"],
                    "violations": counts["violation"],
                    "unreadable": counts["unreadable"],
                }
                for event, counts in sorted(self.by_event.items())
            },
        }
