"""Two engines, one verdict: jsonschema-rs decides and explains, python-jsonschema is the
fallback and the oracle, and both give the same findings on every example, every case, and
seeded corpora of drift and breaks (DESIGN decision 3)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qase_contract import Result, SchemaSet, Validator
from qase_contract.contract._schema_set import ENVELOPE_ID
from qase_contract.validation._engines import fast_engine_for
from tests.helpers.corpora import mixed_deliveries
from tests.helpers.data import case_files, case_input, example_files, fresh_builtin, load_json
from tests.helpers.overlays import RESULT_CREATED, result_delivery, write_schema

EXAMPLE_DELIVERIES = [load_json(path) for path in example_files()]
CASE_INPUTS = [case_input(load_json(path)) for path in case_files()]
#: Seeded, as the benchmarks draw them, with far more drift and breaks than a real corpus.
GENERATED = list(mixed_deliveries(1500, seed=12, drift=0.3, violations=0.4))


def drifted_variants() -> Iterator[dict[str, Any]]:
    """Every example with an unknown field in its payload, and with one in its envelope too."""
    for index, example in enumerate(EXAMPLE_DELIVERIES):
        payload = example.get("payload")
        if isinstance(payload, dict):
            yield {**example, "payload": {**payload, "undocumented": index}}
            yield {**example, "extra_envelope_key": [index], "payload": {**payload, "z~/": None}}


ALL_INPUTS = [*EXAMPLE_DELIVERIES, *CASE_INPUTS, *drifted_variants(), *GENERATED]


@pytest.fixture(scope="module")
def rust() -> Validator:
    validator = Validator(schemas=fresh_builtin())
    assert validator.engine(ENVELOPE_ID).fast_check is not None
    return validator


def python_only(schemas: object = None) -> Validator:
    """A validator whose schema set was first met where jsonschema-rs could not be imported:
    python-jsonschema alone decides and explains (the engines are chosen once per set)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "jsonschema_rs", None)
        validator = Validator(schemas=schemas if schemas is not None else fresh_builtin())  # type: ignore[arg-type]
        assert fast_engine_for(validator.schema_set) is None
    return validator


@pytest.fixture(scope="module")
def oracle() -> Validator:
    validator = python_only()
    assert validator.engine(ENVELOPE_ID).fast_check is None
    return validator


def shapes(result: Result) -> list[tuple[str, str, str]]:
    return [(finding.kind, finding.code, finding.path) for finding in result.findings]


def test_there_are_enough_deliveries_to_compare_and_of_every_kind(rust: Validator) -> None:
    statuses = {rust.validate(delivery).status for delivery in ALL_INPUTS}
    assert statuses == {"conforming", "drift", "violation"}
    assert len(ALL_INPUTS) > 1800


@pytest.mark.parametrize("delivery", ALL_INPUTS, ids=lambda _: "")
def test_both_engines_give_the_same_findings(rust: Validator, oracle: Validator, delivery: object) -> None:
    assert shapes(rust.validate(delivery)) == shapes(oracle.validate(delivery))


@pytest.mark.parametrize("path", case_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_both_engines_word_every_case_alike(rust: Validator, oracle: Validator, path: Path) -> None:
    # Messages, expected/actual and schema places too: findings are built from one structure.
    delivery = case_input(load_json(path))
    assert rust.validate(delivery) == oracle.validate(delivery)


@pytest.mark.parametrize(
    ("cases", "place"),
    [
        ({"": None}, "/payload/cases/"),
        ({"1": {"": 1}}, "/payload/cases/1"),
        ({"": {"": None}}, "/payload/cases/"),
        ({"1": 2, "": "x"}, "/payload/cases/"),
    ],
    ids=["empty key", "empty key below", "empty keys nested", "empty key beside"],
)
def test_an_empty_key_is_placed_where_it_stands(
    rust: Validator, oracle: Validator, cases: object, place: str
) -> None:
    # jsonschema-rs leaves empty keys out of its paths ({"": null}'s value was reported at
    # the object): such a delivery is explained by python-jsonschema, at the right place.
    delivery = load_json(example_files()[0]) | {"event_name": "plan.updated"}
    delivery["payload"] = {"id": 1, "cases": cases}
    found = rust.validate(delivery)
    assert found == oracle.validate(delivery)
    assert place in [finding.path for finding in found.findings]


def test_without_jsonschema_rs_every_example_still_conforms(oracle: Validator) -> None:
    assert all(oracle.validate(delivery).findings == () for delivery in EXAMPLE_DELIVERIES)


OVERLAY_DELIVERIES = [
    result_delivery(id=1, run=None),
    result_delivery(id=1, run={"id": 2}),
    result_delivery(id=1, run={"id": 2, "title": "nightly"}),
    result_delivery(id=1, run={"id": "2"}),
    result_delivery(id="1", run=[]),
    result_delivery(id=1, run={"title": None}),
    result_delivery(),
]
PATTERNS = {
    "type": "object",
    "properties": {
        "digits": {"type": "string", "pattern": "^\\d+$"},
        "upper": {"type": "string", "pattern": "^\\p{Lu}"},
        "meta": {
            "type": "object",
            "patternProperties": {"^x-\\d$": {"type": "integer"}},
            "additionalProperties": False,
        },
        "names": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$", "maxLength": 3}},
        "tags": {"type": "array", "minItems": 1, "uniqueItems": True},
        "mode": {"not": {"const": "off"}},
    },
}
PATTERN_PAYLOADS = [
    {"digits": "123", "upper": "Ab"},
    {"digits": "\u0663", "upper": "ab"},  # an Arabic-Indic three: not a digit to ECMA-262
    {"digits": "12\n"},
    {"meta": {"x-1": 1, "x-\u0663": 2, "y": 3}},
    {"meta": {"x-1": "one"}},
    {"names": {"abcd": 1, "ok": 2, "A": 3}},
    {"tags": []},
    {"tags": [1, 1]},
    {"mode": "off"},
]


def test_both_engines_agree_on_composition_and_ecma_patterns_of_overlays(tmp_path: Path) -> None:
    write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "../../envelope.schema.json",
        "properties": {"event_name": {"const": "run.completed"}, "payload": PATTERNS},
    }
    write_schema(tmp_path, "events/run/completed.schema.json", schema)
    rust = Validator(schemas=tmp_path)
    oracle = python_only(tmp_path)
    run_completed = [
        {
            "event_name": "run.completed",
            "timestamp": 1,
            "team_member_id": 1,
            "project_code": "P",
            "payload": p,
        }
        for p in PATTERN_PAYLOADS
    ]
    compared = 0
    for delivery in OVERLAY_DELIVERIES + run_completed:
        assert shapes(rust.validate(delivery)) == shapes(oracle.validate(delivery)), delivery
        compared += bool(rust.validate(delivery).findings)
    assert compared >= 10


def test_ecma_patterns_judge_digits_and_unicode_classes_as_ecma_does(tmp_path: Path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "../../envelope.schema.json",
        "properties": {"event_name": {"const": "run.completed"}, "payload": PATTERNS},
    }
    validator = Validator(schemas=write_schema(tmp_path, "events/run/completed.schema.json", schema))
    envelope = {"event_name": "run.completed", "timestamp": 1, "team_member_id": 1, "project_code": "P"}
    assert validator.validate({**envelope, "payload": {"digits": "123", "upper": "Ab"}}).findings == ()
    refused = validator.validate({**envelope, "payload": {"digits": "\u0663", "upper": "ab"}})
    assert shapes(refused) == [
        ("violation", "bad-format", "/payload/digits"),
        ("violation", "bad-format", "/payload/upper"),
    ]


def test_the_fast_engine_is_built_once_per_schema_set() -> None:
    schema_set = fresh_builtin()
    assert fast_engine_for(schema_set) is fast_engine_for(schema_set)


def test_jsonschema_rs_reports_every_unexpected_key_of_a_closed_object_without_properties() -> None:
    # jsonschema-rs 0.61 reports additionalProperties: false with no properties beside it as
    # one falseSchema error for the first key; the keys are read from the schema instead.
    body = load_json(next(path for path in example_files() if path.parent.name == "case.created"))
    body["payload"]["attachments"] = [{"hash": "a", "size": 1}]
    result = Validator().validate(body)
    assert shapes(result) == [
        ("drift", "unknown-field", "/payload/attachments/0/hash"),
        ("drift", "unknown-field", "/payload/attachments/0/size"),
    ]


def test_a_delivery_jsonschema_rs_refuses_is_never_passed_when_the_fallback_names_nothing(
    rust: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = load_json(example_files()[0]) | {"event_name": "plan.updated"}
    delivery["payload"] = {"id": 1, "cases": {"": None}}  # explained by the fallback
    engine = rust.engine(rust.schema_set.schema_id_for("plan.updated") or "")
    monkeypatch.setattr(type(engine), "python_failures", lambda self, instance: [])
    assert [finding.code for finding in engine.explain(delivery)] == ["engine-mismatch"]


def test_a_schema_set_built_by_hand_without_ids_is_still_explained() -> None:
    # jsonschema-rs gives no keyword location for a schema without "$id": explaining must not
    # stumble on it (SchemaSet is public; the loader always adds an "$id").
    builtin = SchemaSet.builtin()
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "additionalProperties": False}
    schemas = SchemaSet(
        {**builtin.resources, "urn:mine": schema}, {**builtin.event_schemas, "x.y": "urn:mine"}, ("builtin",)
    )
    result = Validator(schemas=schemas).validate({"event_name": "x.y", "n": 1, "z": 1})
    assert [(f.code, f.path) for f in result.findings] == [
        ("unknown-field", "/event_name"),
        ("unknown-field", "/z"),
    ]
