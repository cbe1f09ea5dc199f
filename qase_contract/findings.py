"""Findings and results: the frozen values the validator returns and every reporter renders.

Both are named tuples rather than frozen dataclasses: a corpus with drift makes one finding
per unexpected key, and a frozen dataclass costs four times as much to make (it sets every
field through ``object.__setattr__``) and milliseconds to create at every start-up.
"""

from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

__all__ = ["CODES", "DESCRIPTIONS", "DRIFT", "VIOLATION", "Finding", "Kind", "Result", "Status"]

Kind = Literal["violation", "drift"]

VIOLATION: Kind = "violation"
DRIFT: Kind = "drift"

#: Every finding code, with its kind. Drift codes are additive changes a consumer survives;
#: everything else breaks the contract.
CODES: dict[str, Kind] = {
    "unreadable": VIOLATION,
    "unparsable": VIOLATION,
    "not-an-object": VIOLATION,
    "legacy-envelope": VIOLATION,
    "missing-field": VIOLATION,
    "wrong-type": VIOLATION,
    "null-not-allowed": VIOLATION,
    "out-of-range": VIOLATION,
    "bad-format": VIOLATION,
    "wrong-event": VIOLATION,
    "wrong-value": VIOLATION,
    "invalid-value": VIOLATION,
    "engine-mismatch": VIOLATION,
    "unknown-field": DRIFT,
    "unknown-value": DRIFT,
    "unknown-event": DRIFT,
}


#: What each code means, in a line: for reporters that describe their rules (SARIF).
DESCRIPTIONS: dict[str, str] = {
    "unreadable": "The record could not be read (an I/O error, an empty or binary file, a broken entry).",
    "unparsable": "The body is not JSON: not UTF-8, truncated, a byte order mark, NaN, too deep, or empty.",
    "not-an-object": "The body or its payload is not a JSON object.",
    "legacy-envelope": "The obsolete 2021 envelope with event instead of event_name.",
    "missing-field": "A field the contract requires is absent.",
    "wrong-type": "A value has a JSON type the contract does not allow.",
    "null-not-allowed": "A value is null where the contract does not allow null.",
    "out-of-range": "A number is outside the range the contract allows.",
    "bad-format": "A string does not have the format the contract requires.",
    "wrong-event": "The event_name does not match the schema it was checked against.",
    "wrong-value": "A value differs from the one value the contract allows.",
    "invalid-value": "A value breaks another rule of the contract.",
    "engine-mismatch": "The two schema engines disagree on this delivery (a qase-contract bug).",
    "unknown-field": "A field the contract does not declare (additive drift).",
    "unknown-value": "A value outside a closed set of the contract (additive drift).",
    "unknown-event": "An event_name outside the catalogue (additive drift).",
}


class Finding(NamedTuple):
    """One difference between a delivery and the contract.

    ``path`` is a JSON Pointer into the delivery (``""`` is the whole body);
    ``schema_path`` names the schema file and the keyword that decided, as
    ``events/case/created.schema.json#/properties/payload/...``.
    ``expected`` and ``actual`` are short human texts for assertion messages.
    ``event`` is set only on ``legacy-envelope``: the value of the 2021 ``event`` key.

    When a consumer's read-set is in force (DESIGN decision 10), ``read_path`` is the read path
    the finding touches, as the read-set writes it (or None), and ``affects`` says whether the
    finding affects the consumer (:func:`affects_consumer`); without a read-set both are None.
    """

    kind: Kind
    code: str
    path: str
    message: str
    schema_path: str = ""
    expected: str | None = None
    actual: str | None = None
    event: str | None = None
    read_path: str | None = None
    affects: bool | None = None

    @property
    def is_violation(self) -> bool:
        return self.kind == VIOLATION

    def judged_by_reads(self, read_path: str | None, strict: bool) -> "Finding":
        """This finding judged against a read-set: ``read_path`` is the read path it touches."""
        affects = affects_consumer(self.kind, self.code, read_path, strict)
        if read_path == self.read_path and affects == self.affects:
            return self
        return self._replace(read_path=read_path, affects=affects)

    def sort_key(self) -> tuple[int, str, str, str]:
        return (0 if self.kind == VIOLATION else 1, self.path, self.code, self.message)


def affects_consumer(kind: Kind, code: str, read_path: str | None, strict: bool) -> bool:
    """Whether a finding that touches ``read_path`` (None: no read path) affects the consumer.

    A violation does; drift does only where a new value of a closed set reaches what the
    consumer reads (``unknown-value``), or any drift there under strict mode. Which read path
    a finding touches (at it, below it, or for violations above it) the read-set decides.
    """
    if read_path is None:
        return False
    return kind == VIOLATION or strict or code == "unknown-value"


_new = tuple.__new__


def make_finding(
    code: str,
    path: str,
    message: str,
    *,
    schema_path: str = "",
    expected: str | None = None,
    actual: str | None = None,
    event: str | None = None,
) -> Finding:
    """A finding whose kind follows from its code, so the two can never disagree."""
    # Made as the tuple it is: findings are made for every delivery that does not conform, and
    # the named tuple's own __new__ (a Python function filling in defaults) doubles the cost.
    return _new(Finding, (CODES[code], code, path, message, schema_path, expected, actual, event, None, None))


Status = Literal["conforming", "drift", "violation"]


class _ResultFields(NamedTuple):
    event_name: str | None
    findings: tuple[Finding, ...]
    strict: bool
    status: Status


class Result(_ResultFields):
    """The verdict on one delivery.

    ``findings`` are sorted: violations first, then drift, each by path, so the first
    finding is the one a human should read first and programs get a stable order.
    ``status`` is derived from them once, since every reporter and tally asks for it.
    """

    __slots__ = ()

    def __new__(
        cls, event_name: str | None, findings: Iterable[Finding] = (), strict: bool = False
    ) -> "Result":
        if type(findings) is not tuple or len(findings) > 1:
            findings = tuple(sorted(findings, key=Finding.sort_key))
        status: Status = "conforming"
        if findings:
            status = "violation" if findings[0].kind == VIOLATION else "drift"
        return _new(cls, (event_name, findings, strict, status))  # fewer frames than super()

    def __getnewargs__(self) -> tuple[str | None, tuple[Finding, ...], bool]:
        return (self.event_name, self.findings, self.strict)  # status is derived: not an argument

    def _replace(self, **changes: object) -> "Result":
        """A copy with some of ``event_name``, ``findings`` and ``strict`` changed, its findings
        sorted and its status derived again (``status`` itself cannot be set)."""
        if "status" in changes:
            raise TypeError("Result.status is derived from the findings; replace them instead")
        fields: dict[str, Any] = {
            "event_name": self.event_name,
            "findings": self.findings,
            "strict": self.strict,
            **changes,
        }
        return Result(**fields)

    __replace__ = _replace  # copy.replace (Python 3.13)

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == VIOLATION)

    @property
    def drift(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == DRIFT)

    def with_strict(self, strict: bool) -> "Result":
        """The same verdict judged leniently or strictly (drift failing)."""
        if strict == self.strict:
            return self
        findings = self.findings
        if self.judged_by_reads:
            findings = tuple(finding.judged_by_reads(finding.read_path, strict) for finding in findings)
        return Result(self.event_name, findings, strict)

    @property
    def judged_by_reads(self) -> bool:
        """Whether a read-set judged the findings (every finding then has ``affects``)."""
        return bool(self.findings) and self.findings[0].affects is not None

    @property
    def affecting(self) -> tuple[Finding, ...]:
        """The findings that affect the consumer whose read-set judged them."""
        return tuple(f for f in self.findings if f.affects)

    @property
    def ok(self) -> bool:
        """No violation; under ``strict`` no finding at all. Judged by a read-set: no finding
        that affects the consumer."""
        findings = self.findings
        if findings and findings[0].affects is not None:  # judged by a read-set (inlined: hot)
            return not any(f.affects for f in findings)
        if self.strict:
            return not self.findings
        return self.status != "violation"
