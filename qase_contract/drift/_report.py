"""The drift report as data: a stable, documented JSON structure (``report_data``).

It is built once; every rendering (``qase_contract.reporters``: JSON, text, Markdown) reads
the same data, so they can never disagree. Values are cut short, and never shown for a
field named like a credential.
"""

from __future__ import annotations

from typing import Any

from qase_contract.contract._reads import ReadSet
from qase_contract.drift._baseline import BaselineCheck
from qase_contract.drift._compare import CHANGE_CODES, DriftReport, EventDrift
from qase_contract.drift._profile import clip
from qase_contract.drift._shape import observed_schema
from qase_contract.drift._verdict import DriftVerdict
from qase_contract.findings import affects_consumer

REPORT_FORMAT = "qase-contract drift report"
REPORT_VERSION = 1
#: Example and unknown values are cut to this many characters.
SHOWN_LENGTH = 40


def report_data(
    report: DriftReport,
    baseline: BaselineCheck | None = None,
    verdict: DriftVerdict | None = None,
    reads: ReadSet | None = None,
) -> dict[str, Any]:
    """The report as JSON data; its structure is documented in docs/formats.md and kept stable.
    ``verdict`` (:func:`qase_contract.drift._verdict.judge`) says whether the run passes.

    With a consumer's ``reads``, every change also has ``read_path`` and ``affects`` (the rule
    of ``validate --reads``), and ``reads`` counts the changes that affect the consumer.
    """
    events = {name: _event_data(event) for name, event in report.events.items()}
    extra: dict[str, Any] = {}
    if reads is not None:
        affecting = sum(_judged(name, event, reads) for name, event in events.items())
        extra["reads"] = {"file": reads.source or "the read-set", "affecting_changes": affecting}
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "deliveries": report.deliveries,
        "summary": {
            "events_seen": len(events),
            "events_differing": sum(1 for event in report.events.values() if event.differs),
            "unknown_events": len(report.unknown_events),
            "unseen_events": len(report.unseen_events),
            "skipped_records": sum(item.count for item in report.skipped),
        },
        "events": events,
        "unseen_events": list(report.unseen_events),
        "skipped": [
            {
                "reason": item.reason,
                "count": item.count,
                "first_location": item.first_location,
                "message": item.message,
            }
            for item in report.skipped
        ],
        "notes": list(report.notes),
        "baseline": _baseline_data(baseline) if baseline is not None else None,
        "verdict": (
            {"passed": verdict.passed, "fail_on": verdict.fail_on, "reason": verdict.reason}
            if verdict is not None
            else None
        ),
        **extra,
    }


def _judged(name: str, event: dict[str, Any], reads: ReadSet) -> int:
    """Mark each change of ``event`` with the read path it touches and whether it affects the
    consumer; the number that do."""
    affecting = 0
    for key, (kind, code) in CHANGE_CODES.items():
        for item in event[key]:
            read_path = reads.read_path_of(name, item["path"], kind)
            item["read_path"] = read_path
            item["affects"] = affects_consumer(kind, code or item["code"], read_path, strict=False)
            affecting += item["affects"]
    return affecting


def _share(count: int, of: int) -> float:
    return round(count / of, 4) if of else 0.0


def _event_data(event: EventDrift) -> dict[str, Any]:
    return {
        "known": event.known,
        "schema": event.schema,
        "deliveries": event.deliveries,
        "differs": event.differs,
        "undocumented_fields": [
            {
                "path": item.path,
                "count": item.count,
                "of": item.of,
                "share": _share(item.count, item.of),
                "types": item.types,
                "first_location": item.first_location,
                "examples": [] if item.redacted else [clip(value, SHOWN_LENGTH) for value in item.examples],
                "redacted": item.redacted,
                "observed_schema": observed_schema(item.node),
            }
            for item in event.undocumented_fields
        ],
        "type_changes": [
            {
                "path": item.path,
                "expected": list(item.expected),
                "seen": item.seen,
                "unexpected": item.unexpected,
                "of": sum(item.seen.values()),
                "share": _share(item.unexpected, sum(item.seen.values())),
                "first_location": item.first_location,
            }
            for item in event.type_changes
        ],
        "forbidden_nulls": [
            {
                "path": item.path,
                "count": item.count,
                "of": item.of,
                "share": _share(item.count, item.of),
                "first_location": item.first_location,
            }
            for item in event.forbidden_nulls
        ],
        "unknown_values": [
            {
                "path": item.path,
                "allowed": list(item.allowed),
                "values": [
                    {
                        "value": clip(value.value, SHOWN_LENGTH),
                        "count": value.count,
                        "first_location": value.first_location,
                    }
                    for value in item.values
                ],
                "of": item.of,
                "complete": item.complete,
            }
            for item in event.unknown_values
        ],
        "limit_breaks": [
            {
                "path": item.path,
                "code": item.code,
                "keyword": item.keyword,
                "limit": item.limit,
                "count": item.count,
                "of": item.of,
                "share": _share(item.count, item.of),
                "first_location": item.first_location,
                "examples": [] if item.redacted else [clip(value, SHOWN_LENGTH) for value in item.examples],
                "redacted": item.redacted,
            }
            for item in event.limit_breaks
        ],
        "missing_required_fields": [
            {
                "path": item.path,
                "missing": item.missing,
                "of": item.of,
                "share": _share(item.missing, item.of),
            }
            for item in event.missing_required_fields
        ],
        "unseen_optional_fields": list(event.unseen_optional_fields),
        "observed_schema": event.observed_schema,
        "notes": list(event.notes),
    }


def _baseline_data(check: BaselineCheck) -> dict[str, Any]:
    return {
        "file": check.source,
        "passed": check.passed,
        "new": [
            {
                "event": item.event,
                "path": item.path,
                "what": item.what,
                "detail": clip(item.detail, SHOWN_LENGTH),
                "first_location": item.first_location,
                **({"read_path": item.read_path} if check.reads is not None else {}),
                "breaking": item.breaking,
            }
            for item in check.new
        ],
        "unseen": [
            {
                "event": item.event,
                "path": item.path,
                "what": item.what,
                "detail": clip(item.detail, SHOWN_LENGTH),
            }
            for item in check.unseen
        ],
        **({"reads": check.reads} if check.reads is not None else {}),
    }
