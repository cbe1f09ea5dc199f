"""Whether a drift run passes, and why, in one line.

``--fail-on`` says what fails the run: ``breaking`` changes (what ``validate`` calls
violations: a type the contract does not allow, a null it forbids, a broken value limit, a
required field missing, a record with no event to profile), any ``drift`` (additive changes
too: new fields, values, events), or ``never``. Without a baseline the differences from the
contract are judged; with one, only the shapes the baseline lacks, since it records the
differences already accepted. The default is ``breaking``, and ``drift`` with ``--baseline``,
whose purpose is to catch every new shape. A corpus that could not be read in full fails
whatever ``--fail-on`` says: a CI gate must never pass on a corpus it did not see.
"""

from __future__ import annotations

from dataclasses import dataclass

from qase_contract._util.words import counted
from qase_contract.contract._reads import ReadSet
from qase_contract.drift._baseline import BaselineCheck
from qase_contract.drift._compare import CHANGE_CODES, DriftReport, EventDrift
from qase_contract.findings import Kind, affects_consumer

FAIL_ON = ("breaking", "drift", "never")
#: Records the profile skips that validate rejects as violations (unreadable ones fail anyway).
BREAKING_SKIPS = frozenset({"unparsable", "not-an-object", "legacy-envelope", "no-event-name"})
#: Event names shown in a verdict before "and N more".
_NAMES_SHOWN = 3


@dataclass(frozen=True)
class DriftVerdict:
    passed: bool
    fail_on: str
    reason: str

    @property
    def line(self) -> str:
        """``FAILED (--fail-on breaking): 2 breaking changes in 1 event (case.created)``."""
        return f"{'PASSED' if self.passed else 'FAILED'} (--fail-on {self.fail_on}): {self.reason}"


def default_fail_on(with_baseline: bool) -> str:
    return "drift" if with_baseline else "breaking"


def judge(
    report: DriftReport,
    check: BaselineCheck | None = None,
    fail_on: str | None = None,
    reads: ReadSet | None = None,
) -> DriftVerdict:
    """The verdict on a report (and the baseline check, when there is one). With a consumer's
    ``reads``, only the changes that affect it count (``validate --reads``'s rule)."""
    fail_on = fail_on or default_fail_on(check is not None)
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    incomplete = incomplete_corpus(report)
    if incomplete is not None:
        return DriftVerdict(False, fail_on, incomplete)
    if check is not None:
        return _judge_baseline(check, fail_on)
    return _judge_contract(report, fail_on, reads)


def incomplete_corpus(report: DriftReport) -> str | None:
    """Why the corpus cannot be trusted as read, if it cannot: a record that could not be read
    (a misspelt folder, a file that could not be opened), or nothing to profile at all."""
    for skipped in report.skipped:
        if skipped.reason == "unreadable":
            where = f"first {skipped.first_location}: {skipped.message}"
            return f"{counted(skipped.count, 'record')} could not be read ({where})"
    if report.deliveries == sum(item.count for item in report.skipped):
        return "no delivery in the corpus could be profiled"
    return None


def _judge_contract(report: DriftReport, fail_on: str, reads: ReadSet | None) -> DriftVerdict:
    breaking = {name: _changes(event, "violation", reads) for name, event in report.events.items()}
    breaking = {name: count for name, count in breaking.items() if count}
    additive = [
        name
        for name, event in report.events.items()
        if name not in breaking and (_changes(event, "drift", reads) if reads is not None else event.differs)
    ]
    records = sum(item.count for item in report.skipped if item.reason in BREAKING_SKIPS)
    parts = []
    if breaking:
        parts.append(f"{counted(sum(breaking.values()), 'breaking change')} in {_events(list(breaking))}")
    if records:
        parts.append(f"{counted(records, 'record')} with no event to profile (see skipped)")
    if additive:
        parts.append(f"{_events(additive)} with additive drift only")
    fails = {
        "breaking": bool(breaking or records),
        "drift": bool(breaking or records or additive),
        "never": False,
    }[fail_on]
    if not parts:
        if reads is not None and any(event.differs for event in report.events.values()):
            return DriftVerdict(
                True, fail_on, f"no change touches what {reads.source or 'the read-set'} reads"
            )
        return DriftVerdict(True, fail_on, "the corpus matches the contract")
    if not breaking and not records and fail_on == "breaking":
        return DriftVerdict(True, fail_on, f"no breaking change; {parts[0]}")
    return DriftVerdict(not fails, fail_on, "; ".join(parts))


def _judge_baseline(check: BaselineCheck, fail_on: str) -> DriftVerdict:
    # With a read-set, only the new shapes that touch a read path are judged (issue 14).
    judged = [shape for shape in check.new if check.reads is None or shape.read_path is not None]
    new = len(judged)
    breaking = sum(shape.breaking for shape in judged)
    if not new:
        others = f" ({counted(len(check.new), 'new shape')} touch nothing it reads)" if check.new else ""
        return DriftVerdict(
            True, fail_on, f"the corpus shows nothing the baseline {check.source} lacks{others}"
        )
    touching = f" touching what {check.reads} reads" if check.reads is not None else ""
    shapes = f"{counted(new, 'new shape')}{touching} the baseline {check.source} lacks"
    if breaking:
        shapes += f" ({breaking} breaking)"
    fails = {"breaking": bool(breaking), "drift": True, "never": False}[fail_on]
    if not breaking and fail_on == "breaking":
        return DriftVerdict(True, fail_on, f"no breaking new shape; {shapes}")
    return DriftVerdict(not fails, fail_on, shapes)


def _changes(event: EventDrift, kind: Kind, reads: ReadSet | None) -> int:
    """How many changes of ``kind`` the event shows; with ``reads``, those that affect them."""
    count = 0
    for key, (change_kind, code) in CHANGE_CODES.items():
        if change_kind != kind:
            continue
        for item in getattr(event, key):
            if reads is None:
                count += 1
                continue
            read_path = reads.read_path_of(event.name, item.path, kind)
            count += affects_consumer(kind, code or item.code, read_path, strict=False)
    return count


def _events(names: list[str]) -> str:
    """``3 events (a, b, c)``, or ``5 events (a, b, c and 2 more)``."""
    shown = ", ".join(names[:_NAMES_SHOWN])
    more = f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
    return f"{counted(len(names), 'event')} ({shown}{more})"
