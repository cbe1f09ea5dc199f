"""Assertions for test suites: a delivery that breaks the contract fails with a readable report.

Inside a pytest session the plugin puts a policy in force for each test (the
session's validator, honouring ``--qase-schemas``, and the strictness asked for by
``--qase-strict`` or ``@pytest.mark.qase_strict``); outside pytest the built-in contract
is used, leniently. Explicit arguments always win.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qase_contract._util.words import counted
from qase_contract.errors import UnknownEvent
from qase_contract.reporters._base import reads_words
from qase_contract.testing._policy import Policy, policy_of_running_test
from qase_contract.validation._validator import default_validator

if TYPE_CHECKING:
    from qase_contract.findings import Finding, Result
    from qase_contract.validation._validator import Validator


def current_policy() -> Policy:
    """The policy of the running test, or the built-in contract judged leniently."""
    return policy_of_running_test() or Policy(default_validator, strict=False)


def assert_conforms(
    delivery: object,
    event: str | None = None,
    strict: bool | None = None,
    *,
    validator: Validator | None = None,
) -> Result:
    """Raise ``AssertionError`` unless ``delivery`` conforms; return the verdict otherwise.

    ``delivery`` is a ``dict`` or the JSON text as ``str``/``bytes``. ``event`` also requires
    that event name (an event the schemas do not know raises :class:`UnknownEvent`).
    ``strict`` makes drift fail; ``None`` follows the running test (see the module doc).
    """
    __tracebackhide__ = True
    policy = current_policy()
    checker = validator if validator is not None else policy.validator()
    if event is not None and checker.schema_set.schema_id_for(event) is None:
        raise UnknownEvent(event, checker.schema_set.event_schemas)
    result = checker.validate(delivery).with_strict(policy.strict if strict is None else strict)
    problems = []
    if event is not None and result.event_name != event:
        problems.append(f"expected event_name {event!r}, got {result.event_name!r}")
    if not result.ok:
        problems.append(nonconformity_report(result))
    if problems:
        raise AssertionError("\n".join(problems))
    return result


def nonconformity_report(result: Result, where: str | None = None) -> str:
    """Several lines: which delivery breaks the contract, then each finding's path, expected and actual."""
    violations, drift = len(result.violations), len(result.drift)
    counts = [counted(violations, "violation")] if violations else []
    if drift:
        counts.append(f"{drift} drift{' (strict: drift fails)' if result.strict else ''}")
    head = f"{_event_label(result)} does not conform to the Qase webhook contract: {', '.join(counts)}"
    if result.judged_by_reads:
        affecting = len(result.affecting)
        head += f"; {affecting} of them affect{'s' * (affecting == 1)} what you read"
    lines = [f"{where}: {head}" if where else head]
    lines.extend(_finding_line(finding) for finding in result.findings)
    return "\n".join(lines)


def _event_label(result: Result) -> str:
    return f"{result.event_name} delivery" if result.event_name else "a delivery without an event_name"


def _finding_line(finding: Finding) -> str:
    line = f"  {finding.path or '/'}: expected {finding.expected}, actual {finding.actual}"
    reads = "" if finding.affects is None else f"; {reads_words(finding.read_path, finding.affects)}"
    line += f"  [{finding.kind} {finding.code}{reads}]"
    if not finding.path or finding.expected is None or finding.actual is None:
        # Findings about the whole body (unparsable, legacy envelope, ...) explain themselves.
        line += f"\n      {finding.message}"
    return line
