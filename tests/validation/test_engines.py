"""Two engines, one verdict: jsonschema-rs and python-jsonschema agree, and the fallback works."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from qase_contract import Validator
from qase_contract.contract._schema_set import ENVELOPE_ID
from tests.helpers.data import case_files, case_input, example_files, fresh_builtin, load_json

EXAMPLE_DELIVERIES = [load_json(path) for path in example_files()]
CASE_DELIVERIES = [load_json(path) for path in case_files()]
# The legacy 2021 envelope is recognised before any schema runs, so no engine judges it.
PARSED_CASES = [
    case["delivery"]
    for case in CASE_DELIVERIES
    if isinstance(case.get("delivery"), dict)
    and not ("event" in case["delivery"] and "event_name" not in case["delivery"])
]


def engine_for(validator: Validator, delivery: dict[str, Any]) -> Any:
    event_name = delivery.get("event_name")
    schema_id = validator.schema_set.schema_id_for(event_name) if isinstance(event_name, str) else None
    return validator.engine(schema_id or ENVELOPE_ID)


def test_there_are_enough_deliveries_to_compare() -> None:
    assert len(EXAMPLE_DELIVERIES) >= 80
    assert len(PARSED_CASES) >= 45


@pytest.mark.parametrize("delivery", EXAMPLE_DELIVERIES + PARSED_CASES)
def test_both_engines_give_the_same_verdict(delivery: dict[str, Any]) -> None:
    validator = Validator()
    verdicts = engine_for(validator, delivery).verdicts(delivery)
    assert set(verdicts) == {"jsonschema-rs", "python-jsonschema"}
    assert len(set(verdicts.values())) == 1, verdicts


def test_the_differential_set_holds_both_valid_and_invalid_deliveries() -> None:
    validator = Validator()
    outcomes = {
        engine_for(validator, d).verdicts(d)["jsonschema-rs"]
        for d in EXAMPLE_DELIVERIES + PARSED_CASES
        if "event_name" in d
    }
    assert outcomes == {True, False}


@pytest.fixture(scope="module")
def reference_results() -> dict[Path, Any]:
    """Every case's result with jsonschema-rs deciding, computed before any test blocks it."""
    validator = Validator(schemas=fresh_builtin())
    assert validator.engine(ENVELOPE_ID).has_fast_path
    return {path: validator.validate(case_input(load_json(path))) for path in case_files()}


@pytest.fixture
def python_only(monkeypatch: pytest.MonkeyPatch) -> Validator:
    """A validator built where jsonschema-rs cannot be imported."""
    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)
    return Validator(schemas=fresh_builtin())


def test_without_jsonschema_rs_the_python_engine_decides(python_only: Validator) -> None:
    engine = python_only.engine(ENVELOPE_ID)
    assert not engine.has_fast_path
    assert set(engine.verdicts({})) == {"python-jsonschema"}


@pytest.mark.parametrize("path", case_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_without_jsonschema_rs_every_case_gets_the_same_findings(
    reference_results: dict[Path, Any], python_only: Validator, path: Path
) -> None:
    assert python_only.validate(case_input(load_json(path))) == reference_results[path]


def test_without_jsonschema_rs_every_example_still_conforms(python_only: Validator) -> None:
    assert all(python_only.validate(delivery).findings == () for delivery in EXAMPLE_DELIVERIES)


def drifted_variants() -> list[dict[str, Any]]:
    """Every example given each kind of drift the fast explanation handles, alone and together."""
    variants: list[dict[str, Any]] = []
    for index, example in enumerate(EXAMPLE_DELIVERIES):
        payload = example.get("payload")
        if not isinstance(payload, dict):
            continue
        variants.append({**example, "payload": {**payload, "undocumented": index}})
        variants.append({**example, "extra_envelope_key": [index], "payload": {**payload, "z~/": None}})
    return variants


@pytest.mark.parametrize("delivery", PARSED_CASES + drifted_variants())
def test_the_fast_drift_explanation_equals_python_jsonschemas(delivery: dict[str, Any]) -> None:
    from qase_contract.validation._explain import drift_findings

    validator = Validator()
    engine = engine_for(validator, delivery)
    if engine.is_valid(delivery):
        return
    fast = drift_findings(engine._fast.iter_errors(delivery), validator.schema_set.relative_name)
    full = sorted(engine.explain_fully(delivery), key=lambda f: f.sort_key())
    # None means python-jsonschema explains (any error that is not plain drift, and also a
    # spurious falseSchema error jsonschema-rs 0.61 lists beside drift in a custom field).
    if fast is not None:
        assert sorted(fast, key=lambda f: f.sort_key()) == full
    assert engine.explain(delivery) == (fast or engine.explain_fully(delivery))


def test_the_fast_drift_explanation_covers_the_drift_cases() -> None:
    from qase_contract.validation._explain import drift_findings

    validator = Validator()
    handled = 0
    for case in CASE_DELIVERIES:
        delivery = case.get("delivery")
        only_drift = case["findings"] and all(f["kind"] == "drift" for f in case["findings"])
        if only_drift and isinstance(delivery, dict):
            engine = engine_for(validator, delivery)
            errors = engine._fast.iter_errors(delivery)
            handled += drift_findings(errors, validator.schema_set.relative_name) is not None
    assert handled >= 10
