"""Turn failures (:mod:`._failures`, from either engine) into findings: a stable code, a kind,
a path, a message.

The mapping is by keyword (SPEC 2.5): a key the contract does not declare and a value
outside a closed set are drift; everything else is a violation. Messages are written here,
from the failure's structure, never taken from an engine's own wording.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from qase_contract._util.credentials import REDACTED, is_credential_name, is_credential_path
from qase_contract._util.json_types import json_type
from qase_contract._util.pointer import child
from qase_contract.findings import Finding, make_finding
from qase_contract.validation._failures import Failure

_SHOWN_LENGTH = 60
_SCALARS = frozenset({str, int, float, bool, type(None)})
_TYPE_VIOLATIONS = frozenset({"wrong-type", "null-not-allowed", "not-an-object"})
_RANGE = {
    "minimum": "below the minimum",
    "maximum": "above the maximum",
    "exclusiveMinimum": "not above the exclusive minimum",
    "exclusiveMaximum": "not below the exclusive maximum",
}


def shown(value: object) -> str:
    """A short JSON rendering of ``value`` for messages: nesting clipped (so it never recurses
    deep) and the values of credential-named keys inside it redacted."""
    try:
        # A plain scalar has nothing to clip or redact (a subclass takes the long way).
        text = orjson.dumps(value if type(value) in _SCALARS else _displayable(value, 8)).decode()
    except (TypeError, orjson.JSONEncodeError):
        text = f"<{json_type(value)}>"
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def shown_at(path: str, value: object) -> str:
    """``value`` as :func:`shown` renders it, unless its path names a credential."""
    return REDACTED if is_credential_path(path) else shown(value)


def _displayable(value: object, depth: int) -> object:
    """A copy of ``value`` clipped below ``depth``, with credential-named keys' values redacted."""
    if isinstance(value, dict):
        if depth <= 0:
            return {}
        return {
            key: REDACTED
            if isinstance(key, str) and is_credential_name(key)
            else _displayable(item, depth - 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_displayable(item, depth - 1) for item in value] if depth > 0 else []
    return value


def unknown_field(path: str, key: str, instance: object, schema_path: str) -> Finding:
    """Drift: ``key`` of the object at ``path`` is not declared by the contract."""
    known = _UNKNOWN_FIELDS.get((path, key))
    if known is None:
        where = child(path, key)
        known = (where, f'field "{key}" is not in the contract', is_credential_path(where))
        if len(_UNKNOWN_FIELDS) < _REMEMBERED_FIELDS and len(path) + len(key) <= _REMEMBERED_LENGTH:
            _UNKNOWN_FIELDS[(path, key)] = known
    where, message, secret = known
    actual = None
    if isinstance(instance, dict):
        actual = REDACTED if secret else shown(instance.get(key))
    return make_finding(
        "unknown-field", where, message, schema_path=schema_path, expected="no such field", actual=actual
    )


#: (object path, key) -> the unknown field's path, message and whether it names a credential:
#: a corpus brings the same few new fields again and again. Bounded in number and length: hostile
#: keys are endless, and can be megabytes long.
_UNKNOWN_FIELDS: dict[tuple[str, str], tuple[str, str, bool]] = {}
_REMEMBERED_FIELDS = 4096
_REMEMBERED_LENGTH = 256


def unknown_value(path: str, instance: object, known_values: Iterable[object], schema_path: str) -> Finding:
    """Drift: the value at ``path`` is outside a closed set of the contract."""
    known = ", ".join(shown(item) for item in known_values)
    seen = shown_at(path, instance)
    return make_finding(
        "unknown-value",
        path,
        f"{seen} is not one of the known values ({known})",
        schema_path=schema_path,
        expected=f"one of {known}",
        actual=seen,
    )


def findings_from(failures: Iterable[Failure]) -> list[Finding]:
    """The findings of one delivery's failures, whichever engine reported them."""
    findings: list[Finding] = []
    for failure in failures:
        findings.extend(_findings_for(failure))
    if len(findings) < 2:
        return findings  # nothing to shadow or repeat: the common case of one finding
    return _without_repeats(_without_shadowed_values(findings))


def _findings_for(failure: Failure) -> list[Finding]:
    keyword, path, place, instance, value, keys, inner, branches = failure
    # The commonest first: an unknown field is most of the drift of a corpus.
    if keyword in ("additionalProperties", "unevaluatedProperties") and value is False:
        return [unknown_field(path, key, instance, place) for key in keys]
    if keyword == "propertyNames" and inner is not None:
        return [_refused_key(keys[0], path, inner)]
    if keyword in ("anyOf", "oneOf") and branches:
        return _best_branch(failure)
    if keyword == "required":
        key = keys[0]
        return [
            make_finding(
                "missing-field",
                child(path, key),
                f'required field "{key}" is missing',
                schema_path=place,
                expected="present",
                actual="missing",
            )
        ]
    if keyword == "type":
        return [_type_finding(instance, value, path, place)]
    if keyword == "enum":
        return [unknown_value(path, instance, value if isinstance(value, list) else [value], place)]
    if keyword in _RANGE:
        seen = shown_at(path, instance)
        return [
            make_finding(
                "out-of-range",
                path,
                f"{seen} is {broken_limit(keyword, value)}",
                schema_path=place,
                expected=f"{keyword} {shown(value)}",
                actual=seen,
            )
        ]
    if keyword in ("pattern", "format", "minLength", "maxLength"):
        seen = shown_at(path, instance)
        return [
            make_finding(
                "bad-format",
                path,
                f"{seen} {broken_limit(keyword, value)}",
                schema_path=place,
                expected=_expectation(keyword, value),
                actual=seen,
            )
        ]
    if keyword == "const":
        code = "wrong-event" if path == "/event_name" else "wrong-value"
        seen, wanted = shown_at(path, instance), shown(value)
        return [
            make_finding(
                code, path, f"{seen} is not {wanted}", schema_path=place, expected=wanted, actual=seen
            )
        ]
    return [
        make_finding("invalid-value", path, _rule_broken(keyword, path, instance, value), schema_path=place)
    ]


def _refused_key(key: str, path: str, why: Failure) -> Finding:
    """A key ``propertyNames`` refuses: a bad format at the key's own path."""
    if why.keyword == "pattern":
        reason = f"{key!r} does not match {why.value!r}"
    else:
        reason = f"{shown(key)} {broken_limit(why.keyword, why.value)}"
    return make_finding(
        "bad-format",
        child(path, key),
        f"key {shown(key)} is not allowed here: {reason}",
        schema_path=why.place,
        actual=shown(key),
    )


def _rule_broken(keyword: str, path: str, instance: object, value: object) -> str:
    """Any other rule (``minItems``, ``not``, ``uniqueItems``, a false schema, ...)."""
    if keyword == "false":
        return f"{shown_at(path, instance)} is not allowed here"
    limit = f" {shown(value)}" if isinstance(value, (int, float, str)) and not isinstance(value, bool) else ""
    return f"{shown_at(path, instance)} breaks {keyword}{limit}"


def broken_limit(keyword: str, limit: object) -> str:
    """How a value breaks a limit keyword, worded as its finding is: "above the maximum 10"."""
    if keyword in _RANGE:
        return f"{_RANGE[keyword]} {shown(limit)}"
    if keyword == "multipleOf":
        return f"not a multiple of {shown(limit)}"
    return f"does not match {_expectation(keyword, limit)}"


def _expectation(keyword: str, limit: object) -> str:
    return f"pattern {limit}" if keyword == "pattern" else f"{keyword} {shown(limit)}"


def _type_finding(instance: object, declared: Any, path: str, schema_path: str) -> Finding:
    allowed = [declared] if isinstance(declared, str) else list(declared)
    expected = " or ".join(str(name) for name in allowed)
    actual = json_type(instance)
    # The body and the payload are always objects: anything else there, null included,
    # is not-an-object (SPEC 2.1).
    if "object" in allowed and path in ("", "/payload"):
        what = "the delivery" if path == "" else "payload"
        return make_finding(
            "not-an-object",
            path,
            f"{what} must be a JSON object, got {actual}",
            schema_path=schema_path,
            expected="object",
            actual=actual,
        )
    if instance is None:
        return make_finding(
            "null-not-allowed",
            path,
            f"null is not allowed here (expected {expected})",
            schema_path=schema_path,
            expected=expected,
            actual="null",
        )
    return make_finding(
        "wrong-type",
        path,
        f"expected {expected}, got {actual} {shown_at(path, instance)}",
        schema_path=schema_path,
        expected=expected,
        actual=f"{actual} {shown_at(path, instance)}",
    )


def _best_branch(failure: Failure) -> list[Finding]:
    """Findings of the ``anyOf``/``oneOf`` alternative that fits best.

    The best branch has the fewest violations, then matches the value's JSON type, then has
    the fewest drift findings; so an unknown field inside a nullable object stays drift
    instead of becoming "expected null".
    """
    candidates = [findings_from(branch) for branch in failure.branches]

    def misfit(found: list[Finding]) -> tuple[int, bool, int]:
        # Fewest violations; on a tie, a branch of the value's own JSON type; then least drift.
        wrong_type_here = any(f.code in _TYPE_VIOLATIONS and f.path == failure.path for f in found)
        return (sum(f.is_violation for f in found), wrong_type_here, len(found))

    return min(candidates, key=misfit)


def _without_shadowed_values(findings: list[Finding]) -> list[Finding]:
    """Drop an ``unknown-value`` where the same value already has the wrong type (SPEC 2.5)."""
    mistyped = {f.path for f in findings if f.code in _TYPE_VIOLATIONS}
    return [f for f in findings if not (f.code == "unknown-value" and f.path in mistyped)]


def _without_repeats(findings: list[Finding]) -> list[Finding]:
    """One finding per code and path: a key that breaks two ``propertyNames`` rules is one
    refused key (and one engine may stop at the first rule, the other not)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for finding in findings:
        if (finding.code, finding.path) not in seen or finding.code != "bad-format":
            seen.add((finding.code, finding.path))
            kept.append(finding)
    return kept
