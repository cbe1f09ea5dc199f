"""No finding shows the value of a field named like a credential, in any explanation path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from qase_contract import Validator, validate
from qase_contract._util.credentials import REDACTED, is_credential_name, is_credential_path
from qase_contract.findings import Finding
from qase_contract.testing._samples import sample_delivery
from tests.helpers.cli import invoke

SECRET = "sk_live_SECRET123"


def everything_shown(findings: tuple[Finding, ...]) -> str:
    return json.dumps([[f.message, f.expected, f.actual] for f in findings])


@pytest.mark.parametrize(
    ("payload", "path", "code"),
    [
        # Drift alone: jsonschema-rs explains it.
        pytest.param({"api_token": SECRET}, "/payload/api_token", "unknown-field", id="drift-only"),
        # With a violation beside it: python-jsonschema explains everything.
        pytest.param(
            {"api_token": SECRET, "id": "x"}, "/payload/api_token", "unknown-field", id="with-violation"
        ),
        pytest.param({"auth": {"key": SECRET}}, "/payload/auth", "unknown-field", id="nested-object"),
    ],
)
def test_an_undocumented_credential_field_is_reported_without_its_value(
    payload: dict[str, Any], path: str, code: str
) -> None:
    result = validate(sample_delivery("run.completed", payload=payload))
    (finding,) = [f for f in result.findings if f.path == path]
    assert finding.code == code
    assert finding.actual == REDACTED
    assert SECRET not in everything_shown(result.findings)


def run_completed_overlay(folder: Path, payload_schema: dict[str, Any]) -> Validator:
    """A validator whose run.completed payload follows ``payload_schema``."""
    from tests.helpers.overlays import write_schema

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://qase-contract.invalid/schemas/events/run/completed.schema.json",
        "$ref": "../../envelope.schema.json",
        "properties": {"event_name": {"const": "run.completed"}, "payload": payload_schema},
    }
    write_schema(folder, "events/run/completed.schema.json", schema)
    return Validator(schemas=folder)


def test_a_credential_value_breaking_a_declared_type_is_not_shown(tmp_path: Path) -> None:
    properties = {"password": {"type": "integer"}, "note": {"enum": ["a"]}}
    validator = run_completed_overlay(tmp_path, {"type": "object", "properties": properties})
    body = sample_delivery("run.completed", payload={})
    body["payload"] = {"password": SECRET, "note": "public"}
    result = validator.validate(body)
    assert {f.code for f in result.findings} == {"wrong-type", "unknown-value"}
    assert SECRET not in everything_shown(result.findings)
    assert "public" in everything_shown(result.findings)  # other values are still shown


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"extra": {"api_token": SECRET}}, id="unknown-object-holding-one"),
        pytest.param({"title": {"secret": SECRET}}, id="wrong-type-object-holding-one"),
        pytest.param({"x": [{"secret": SECRET}]}, id="array-holding-one"),
        pytest.param({"authorisation": f"Bearer {SECRET}", "private_key": SECRET}, id="more-names"),
    ],
)
def test_a_credential_inside_a_value_that_is_shown_is_redacted(payload: dict[str, Any]) -> None:
    result = validate(sample_delivery("run.started", payload=payload))
    assert result.findings
    assert SECRET not in everything_shown(result.findings)
    assert REDACTED in everything_shown(result.findings)


def test_an_overlay_rule_breaking_on_a_value_holding_a_credential_does_not_quote_it(tmp_path: Path) -> None:
    validator = run_completed_overlay(
        tmp_path, {"type": "object", "properties": {"meta": {"maxProperties": 1}}}
    )
    body = sample_delivery("run.completed", payload={})
    body["payload"] = {"meta": {"token": SECRET, "other": 1}}
    (finding,) = validator.validate(body).findings
    assert finding.code == "invalid-value"
    assert SECRET not in finding.message


def test_author_fields_are_ordinary_data() -> None:
    assert not is_credential_name("author_id")
    assert is_credential_name("Authorization")
    assert is_credential_path("/payload/auth/key")
    result = validate(sample_delivery("run.completed", payload={"author_name": "Ann"}))
    assert result.findings[0].actual == '"Ann"'


@pytest.mark.parametrize("format_", ["text", "json", "junit", "sarif", "github"])
def test_no_output_format_carries_a_credential_value(tmp_path: Any, format_: str) -> None:
    dump = tmp_path / "cred.jsonl"
    bodies = [
        sample_delivery("run.completed", payload={"api_token": SECRET}),
        sample_delivery("run.completed", payload={"password": SECRET, "id": "x"}),
    ]
    dump.write_bytes(b"".join(orjson.dumps(body) + b"\n" for body in bodies))
    run = invoke("validate", "-v", "--all", "--format", format_, str(dump))
    assert run.code == 1
    assert "/payload/api_token" in run.stdout
    assert SECRET not in run.stdout + run.stderr


def test_an_unknown_field_is_told_alike_however_often_it_comes() -> None:
    """What an unknown field's finding says is remembered per object path and key: the value
    is still read from each delivery, a credential still redacted, and keys too long to
    remember are told in full all the same."""
    from qase_contract.validation import _explain

    long_key = "k" * (_explain._REMEMBERED_LENGTH + 1)
    for _ in range(3):
        for value in ("first", "second"):
            payload = {"api_token": value, "note": value, long_key: value}
            findings = Validator().validate(sample_delivery("case.created", payload=payload)).findings
            by_path = {f.path: f for f in findings}
            assert by_path["/payload/api_token"].actual == REDACTED
            assert by_path["/payload/note"].actual == f'"{value}"'
            assert by_path[f"/payload/{long_key}"].message == f'field "{long_key}" is not in the contract'
    assert ("/payload", "note") in _explain._UNKNOWN_FIELDS
    assert all(len(path) + len(key) <= _explain._REMEMBERED_LENGTH for path, key in _explain._UNKNOWN_FIELDS)
