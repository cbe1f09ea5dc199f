"""From deliveries to outcomes: the step between the readers and the reporters.

An :class:`Outcome` is a delivery's verdict at its location; an unreadable record is an
outcome too, so it is counted, reported and fails the run like any violation.
A :class:`Tally` counts outcomes per status and per event for every reporter's summary.
"""

import fnmatch
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Literal, NamedTuple

from qase_contract.findings import Finding, Result, make_finding
from qase_contract.findings import Status as ResultStatus
from qase_contract.sources._model import Delivery, LineBatch, Location, ReadFailure, record_of
from qase_contract.validation._validator import Validator

#: A result's status, or ``unreadable`` for a record that could not be read at all.
RecordStatus = Literal[ResultStatus, "unreadable"]
NO_EVENT = "(no event)"


class Outcome(NamedTuple):
    """The verdict on one record: a validation result, or why the record could not be read.

    A named tuple for the same reason as :class:`~qase_contract.sources._paths.Location`.
    """

    location: Location
    result: Result | None
    failure: str | None = None
    size: int = 0

    @property
    def status(self) -> RecordStatus:
        result = self.result
        return "unreadable" if result is None else result.status

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


class ConformingRun(NamedTuple):
    """Consecutive conforming deliveries, counted per event rather than listed one by one:
    what worker processes send back when no reporter lists conforming deliveries."""

    counts: dict[str, int]
    size: int


Records = Iterable[Delivery | LineBatch]


def check(deliveries: Records, validator: Validator) -> Iterator[Outcome]:
    """The outcome of every delivery, in order."""
    validate = validator.validate
    for item in deliveries:
        records: Iterable[Delivery] = item.deliveries() if isinstance(item, LineBatch) else (item,)
        for body, location, _, size in records:
            if type(body) is ReadFailure:
                yield Outcome(location, None, body.reason, size)
            else:
                yield Outcome(location, validate(body), None, size)


def check_counting_conforming(
    deliveries: Records, validator: Validator, *, run_length: int = 1000
) -> Iterator[Outcome | ConformingRun]:
    """Like :func:`check`, for reporters that do not list conforming deliveries: those come
    as :class:`ConformingRun` counts, which spares an outcome and a report call per delivery
    of a mostly conforming corpus. Counts are order-free, so a run goes out when full, not
    before every other outcome: deliveries read one by one make runs of at most
    ``run_length``; a :class:`LineBatch` (a block of about a mebibyte, so a progress bar still
    moves) makes one run of its own.

    The records of a :class:`LineBatch` are checked in a loop of their own, which makes a
    location only for a delivery that does not conform: the bulk of a large JSON Lines dump
    costs little more than its checks.
    """
    validate, check_lines = validator.validate, validator.check_lines
    run: dict[str, int] = {}
    run_size = counted = 0
    new = tuple.__new__
    for item in deliveries:
        if isinstance(item, LineBatch):
            source, first, lines, size = item
            conforming, others = check_lines(lines)
            for index, verdict in others:
                line_size = len(record_of(lines[index])) + 1
                size -= line_size
                place = new(Location, (source, first + index, None, ""))
                yield new(Outcome, (place, verdict, None, line_size))
            if conforming:
                # A batch is a block of the file: its run is counted at once, and is as
                # short as a progress bar needs.
                yield ConformingRun(dict(Counter(conforming)), size)
            continue
        body, location, _, size = item
        result = None if type(body) is ReadFailure else validate(body)
        name = None if result is None else result.event_name
        if result is not None and name is not None and result.status == "conforming":
            run[name] = run.get(name, 0) + 1
            run_size += size
            counted += 1
            if counted >= run_length:
                yield ConformingRun(run, run_size)
                run, run_size, counted = {}, 0, 0
            continue
        if result is None:
            assert isinstance(body, ReadFailure)
            yield Outcome(location, None, body.reason, size)
        else:
            yield Outcome(location, result, None, size)
    if run:
        yield ConformingRun(run, run_size)


class EventFilter(NamedTuple):  # not a dataclass: see tests/cli/test_start_up.py
    """Which events to report, by name or shell-style pattern (``run.*``).

    Records with no event name (unparsable or unreadable ones) always pass: they could be
    any event, and dropping them would hide broken input.
    """

    patterns: tuple[str, ...] = ()

    def __call__(self, outcome: Outcome) -> bool:
        return self.matches(outcome.event_name)

    def matches(self, name: str | None) -> bool:
        if not self.patterns or name is None:
            return True
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns)

    def unmatched(self, known: Iterable[str]) -> list[str]:
        """Patterns that match no known event: likely typos worth a warning."""
        names = list(known)
        return [p for p in self.patterns if not any(fnmatch.fnmatchcase(n, p) for n in names)]


class Tally:
    """Counts for the summary: every record read, per status and per event."""

    __slots__ = ("affecting", "counts", "failed", "filtered")

    def __init__(self) -> None:  # by hand, not a dataclass: see tests/cli/test_start_up.py
        self.counts: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.failed = 0
        self.filtered = 0
        #: Deliveries with a finding that affects the consumer whose read-set judged them, and
        #: unreadable records (nothing is known of what they hold).
        self.affecting = 0

    def add(self, outcome: Outcome) -> None:
        # One dict update per record: this runs for every delivery of a corpus.
        result = outcome.result
        if result is None:
            self.counts[(NO_EVENT, "unreadable")] += 1
            self.failed += 1
            self.affecting += 1
            return
        status = result.status
        self.counts[(result.event_name or NO_EVENT, status)] += 1
        if status != "conforming" and not result.ok:  # a conforming result is always ok
            self.failed += 1
            # Judged by a read-set, a result fails only on a finding that affects the consumer.
            self.affecting += result.judged_by_reads

    def add_run(self, run: ConformingRun, event_filter: EventFilter) -> None:
        for name, count in run.counts.items():
            if event_filter.matches(name):
                self.counts[(name, "conforming")] += count
            else:
                self.filtered += count

    @property
    def statuses(self) -> Counter[str]:
        statuses: Counter[str] = Counter()
        for (_, status), count in self.counts.items():
            statuses[status] += count
        return statuses

    @property
    def by_event(self) -> dict[str, Counter[str]]:
        events: dict[str, Counter[str]] = {}
        for (event, status), count in self.counts.items():
            events.setdefault(event, Counter())[status] += count
        return events

    @property
    def deliveries(self) -> int:
        """Every record read, those --event left out included."""
        return sum(self.counts.values()) + self.filtered

    def as_dict(self) -> dict[str, object]:
        statuses = self.statuses
        return {
            "deliveries": self.deliveries,
            "conforming": statuses["conforming"],
            "drift": statuses["drift"],
            "violations": statuses["violation"],
            "unreadable": statuses["unreadable"],
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
