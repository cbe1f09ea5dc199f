"""Turn python-jsonschema errors into findings: a stable code, a kind, a path, a message.

The mapping is by keyword (SPEC 2.5): a key the contract does not declare and a value
outside a closed set are drift; everything else is a violation.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from qase_contract._util.credentials import REDACTED, is_credential_name, is_credential_path
from qase_contract._util.json_types import json_type
from qase_contract._util.pointer import child, pointer
from qase_contract.findings import Finding, make_finding

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from jsonschema.exceptions import ValidationError

_SHOWN_LENGTH = 60
_UNEXPECTED = re.compile(r"\((?P<keys>.*) (?:was|were) unexpected\)$", re.DOTALL)
_REQUIRED = re.compile(r"^(?P<key>.*) is a required property$", re.DOTALL)
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
        text = orjson.dumps(_displayable(value, 8)).decode()
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


def _names_credential(key: object) -> bool:
    return isinstance(key, str) and is_credential_name(key)


def _holds_credentials(value: object, depth: int = 8) -> bool:
    """Whether a credential-named key appears in ``value`` (within the depth messages show)."""
    if isinstance(value, dict) and depth > 0:
        return any(
            _names_credential(key) or _holds_credentials(item, depth - 1) for key, item in value.items()
        )
    if isinstance(value, list) and depth > 0:
        return any(_holds_credentials(item, depth - 1) for item in value)
    return False


@dataclass(frozen=True, slots=True)
class SchemaPlaces:
    """Names the schema keyword behind an error: its file and pointer where the subschema is known."""

    root_name: str
    locations: Mapping[int, str]

    def of(self, error: ValidationError) -> str:
        place = self.locations.get(id(error.schema))
        if place is not None:
            return child(place, error.validator)
        return f"{self.root_name}#{pointer(error.absolute_schema_path)}"


def unknown_field(path: str, key: str, instance: object, schema_path: str) -> Finding:
    """Drift: ``key`` of the object at ``path`` is not declared by the contract."""
    return make_finding(
        "unknown-field",
        child(path, key),
        f'field "{key}" is not in the contract',
        schema_path=schema_path,
        expected="no such field",
        actual=shown_at(child(path, key), instance.get(key)) if isinstance(instance, dict) else None,
    )


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


def drift_findings(errors: Iterable[Any], schema_name: Callable[[str], str]) -> list[Finding] | None:
    """Findings straight from jsonschema-rs errors when they are all additive drift (unknown
    fields, unknown values of closed sets), else None and python-jsonschema explains.

    Drift is the common case in real corpora (one new field in every delivery of an event),
    and python-jsonschema takes about a millisecond to explain one delivery; this takes a few
    microseconds. ``schema_name`` turns an absolute keyword location into the finding's
    ``schema_path``. The differential tests hold both explanations equal.
    """
    findings: list[Finding] = []
    for error in errors:
        kind = error.kind
        name = kind.name
        path = pointer(error.instance_path)
        schema_path = schema_name(str(error.absolute_keyword_location))
        if name in ("additionalProperties", "unevaluatedProperties"):
            findings.extend(unknown_field(path, key, error.instance, schema_path) for key in kind.unexpected)
        elif name == "enum":
            findings.append(unknown_value(path, error.instance, kind.options, schema_path))
        else:
            return None
    return findings


def findings_from_errors(errors: Iterable[ValidationError], places: SchemaPlaces) -> list[Finding]:
    findings: list[Finding] = []
    for error in errors:
        findings.extend(_findings_for(error, places))
    return _without_shadowed_values(findings)


def _findings_for(error: ValidationError, places: SchemaPlaces) -> list[Finding]:
    keyword = str(error.validator)
    path = pointer(error.absolute_path)
    schema_path = places.of(error)
    value: Any = error.validator_value

    if "propertyNames" in error.relative_schema_path:
        # The instance of a propertyNames error is the offending key itself.
        return [
            make_finding(
                "bad-format",
                child(path, error.instance),
                f"key {shown(error.instance)} is not allowed here: {error.message}",
                schema_path=schema_path,
                actual=shown(error.instance),
            )
        ]
    if keyword in ("anyOf", "oneOf") and error.context:
        return _best_branch(error, places)
    if keyword in ("additionalProperties", "unevaluatedProperties") and value is False:
        return [unknown_field(path, key, error.instance, schema_path) for key in _unexpected_keys(error)]
    if keyword == "required":
        key = _required_key(error)
        return [
            make_finding(
                "missing-field",
                child(path, key),
                f'required field "{key}" is missing',
                schema_path=schema_path,
                expected="present",
                actual="missing",
            )
        ]
    if keyword == "type":
        return [_type_finding(error, path, schema_path)]
    if keyword == "enum":
        return [unknown_value(path, error.instance, value, schema_path)]
    if keyword in _RANGE:
        return [
            make_finding(
                "out-of-range",
                path,
                f"{shown_at(path, error.instance)} is {broken_limit(keyword, value)}",
                schema_path=schema_path,
                expected=f"{keyword} {shown(value)}",
                actual=shown_at(path, error.instance),
            )
        ]
    if keyword in ("pattern", "format", "minLength", "maxLength"):
        expected = _expectation(keyword, value)
        return [
            make_finding(
                "bad-format",
                path,
                f"{shown_at(path, error.instance)} {broken_limit(keyword, value)}",
                schema_path=schema_path,
                expected=expected,
                actual=shown_at(path, error.instance),
            )
        ]
    if keyword == "const":
        code = "wrong-event" if path == "/event_name" else "wrong-value"
        return [
            make_finding(
                code,
                path,
                f"{shown_at(path, error.instance)} is not {shown(value)}",
                schema_path=schema_path,
                expected=shown(value),
                actual=shown_at(path, error.instance),
            )
        ]
    # python-jsonschema's message quotes the value: not for a credential, nor one holding any.
    hidden = is_credential_path(path) or _holds_credentials(error.instance)
    message = f"{shown_at(path, error.instance)} breaks {keyword}" if hidden else error.message
    return [make_finding("invalid-value", path, message, schema_path=schema_path)]


def broken_limit(keyword: str, limit: object) -> str:
    """How a value breaks a limit keyword, worded as its finding is: "above the maximum 10"."""
    if keyword in _RANGE:
        return f"{_RANGE[keyword]} {shown(limit)}"
    if keyword == "multipleOf":
        return f"not a multiple of {shown(limit)}"
    return f"does not match {_expectation(keyword, limit)}"


def _expectation(keyword: str, limit: object) -> str:
    return f"pattern {limit}" if keyword == "pattern" else f"{keyword} {shown(limit)}"


def _type_finding(error: ValidationError, path: str, schema_path: str) -> Finding:
    declared: Any = error.validator_value
    allowed = [declared] if isinstance(declared, str) else list(declared)
    expected = " or ".join(str(name) for name in allowed)
    actual = json_type(error.instance)
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
    if error.instance is None:
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
        f"expected {expected}, got {actual} {shown_at(path, error.instance)}",
        schema_path=schema_path,
        expected=expected,
        actual=f"{actual} {shown_at(path, error.instance)}",
    )


def _best_branch(error: ValidationError, places: SchemaPlaces) -> list[Finding]:
    """Findings of the ``anyOf``/``oneOf`` alternative that fits best.

    The best branch has the fewest violations, then matches the value's JSON type, then has
    the fewest drift findings; so an unknown field inside a nullable object stays drift
    instead of becoming "expected null".
    """
    by_branch: dict[object, list[ValidationError]] = defaultdict(list)
    for suberror in error.context or ():
        by_branch[suberror.relative_schema_path[0]].append(suberror)
    candidates = [findings_from_errors(suberrors, places) for suberrors in by_branch.values()]
    here = pointer(error.absolute_path)

    def misfit(found: list[Finding]) -> tuple[int, bool, int]:
        # Fewest violations; on a tie, a branch of the value's own JSON type; then least drift.
        wrong_type_here = any(f.code in _TYPE_VIOLATIONS and f.path == here for f in found)
        return (sum(f.is_violation for f in found), wrong_type_here, len(found))

    return min(candidates, key=misfit)


def _unexpected_keys(error: ValidationError) -> list[str]:
    """The keys an ``additionalProperties: false`` or ``unevaluatedProperties: false`` error is about.

    For ``additionalProperties`` they follow from the schema itself. For
    ``unevaluatedProperties`` (evaluated keys depend on every ``$ref`` and branch applied)
    they are read back from python-jsonschema's message, which lists them as Python reprs.
    """
    instance = error.instance if isinstance(error.instance, dict) else {}
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        declared = schema.get("properties", {})
        patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
        return [
            key
            for key in instance
            if key not in declared and not any(pattern.search(key) for pattern in patterns)
        ]
    match = _UNEXPECTED.search(error.message)
    if match:
        try:
            parsed = ast.literal_eval(f"({match['keys']},)")
        except (ValueError, SyntaxError):
            parsed = ()
        return [key for key in parsed if isinstance(key, str)]
    return []


def _required_key(error: ValidationError) -> str:
    match = _REQUIRED.match(error.message)
    if match:
        try:
            key = ast.literal_eval(match["key"])
        except (ValueError, SyntaxError):
            key = None
        if isinstance(key, str):
            return key
    instance = error.instance if isinstance(error.instance, dict) else {}
    required: Any = error.validator_value
    missing = [key for key in required if key not in instance]
    return str(missing[0]) if missing else "?"


def _without_shadowed_values(findings: list[Finding]) -> list[Finding]:
    """Drop an ``unknown-value`` where the same value already has the wrong type (SPEC 2.5)."""
    mistyped = {f.path for f in findings if f.code in _TYPE_VIOLATIONS}
    return [f for f in findings if not (f.code == "unknown-value" and f.path in mistyped)]
