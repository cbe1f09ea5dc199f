"""SARIF output checked against the official SARIF 2.1.0 schema (a copy in tests/data)."""

from __future__ import annotations

import json

from tests.helpers.data import ROOT

SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))


def assert_valid_sarif(text: str) -> dict[str, object]:
    from jsonschema import Draft4Validator

    log = json.loads(text)
    validator = Draft4Validator(SARIF_SCHEMA)
    errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(log)]
    assert errors == []
    return log  # type: ignore[no-any-return]
