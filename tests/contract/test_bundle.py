"""Bundled and open schemas: self-contained, valid 2020-12, and faithful to the library's verdicts.

Every bundle is judged by python-jsonschema and jsonschema-rs with nothing to resolve
references against and a retriever that refuses, on every shipped example and every case.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, NoReturn

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry

from qase_contract import SchemaSet, Validator
from qase_contract.contract._bundle import bundled, opened
from qase_contract.contract._inventory import ENVELOPE, schema_id_named
from qase_contract.errors import UnknownEvent
from qase_contract.findings import VIOLATION
from qase_contract.validation._parsing import Parsed, parse_body
from tests.helpers.data import case_files, case_input, example_files, load_json

SCHEMA_NAMES = [ENVELOPE, *sorted(SchemaSet.builtin().event_schemas)]


def refuse(uri: str) -> NoReturn:
    raise AssertionError(f"a bundled schema tried to retrieve {uri}")


@functools.cache
def third_party_validators(name: str, open_rendering: bool) -> tuple[Any, Any]:
    """python-jsonschema and jsonschema-rs validators for a bundle, with nothing to resolve against."""
    document = bundled(SchemaSet.builtin(), name)
    if open_rendering:
        document = opened(document)
    python = Draft202012Validator(document, registry=Registry(retrieve=refuse))  # type: ignore[call-arg]
    rust = jsonschema_rs.validator_for(document, retriever=refuse)
    return python, rust


def schema_name_for(body: object) -> str:
    """The schema the library dispatches ``body`` to: its event's, or the envelope's."""
    event_name = body.get("event_name") if isinstance(body, dict) else None
    known = isinstance(event_name, str) and event_name in SchemaSet.builtin().event_schemas
    return str(event_name) if known else ENVELOPE


def parsed_deliveries() -> list[tuple[str, object, dict[str, Any] | None]]:
    """(id, JSON body, case or None) for every example and every case that is JSON at all."""
    found: list[tuple[str, object, dict[str, Any] | None]] = [
        (f"example:{path.parent.name}/{path.stem}", load_json(path), None) for path in example_files()
    ]
    for path in case_files():
        case = load_json(path)
        parsed = parse_body(case_input(case))
        if isinstance(parsed, Parsed):
            found.append((f"case:{path.parent.name}/{path.stem}", parsed.value, case))
    return found


DELIVERIES = parsed_deliveries()
DELIVERY_IDS = [delivery_id for delivery_id, _, _ in DELIVERIES]


def walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_a_bundle_has_no_ref_and_passes_the_2020_12_metaschema(name: str) -> None:
    document = bundled(SchemaSet.builtin(), name)
    assert not [node["$ref"] for node in walk(document) if "$ref" in node]
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == schema_id_named(SchemaSet.builtin(), name)


def test_there_is_a_bundle_for_the_envelope_and_each_of_the_40_events() -> None:
    assert len(SCHEMA_NAMES) == 41


@pytest.mark.parametrize(("delivery_id", "body", "case"), DELIVERIES, ids=DELIVERY_IDS)
def test_third_party_validators_agree_with_the_library_on_a_bundle(
    delivery_id: str, body: object, case: dict[str, Any] | None
) -> None:
    name = schema_name_for(body)
    library_verdict = Validator().engine(schema_id_named(SchemaSet.builtin(), name)).is_valid(body)
    python, rust = third_party_validators(name, open_rendering=False)
    assert python.is_valid(body) is library_verdict
    assert rust.is_valid(body) is library_verdict
    if case is None:
        assert library_verdict, f"{delivery_id} is a shipped example: it conforms"


@pytest.mark.parametrize(("delivery_id", "body", "case"), DELIVERIES, ids=DELIVERY_IDS)
def test_the_open_bundle_accepts_drift_and_rejects_violations(
    delivery_id: str, body: object, case: dict[str, Any] | None
) -> None:
    kinds = {finding["kind"] for finding in case["findings"]} if case else set()
    python, rust = third_party_validators(schema_name_for(body), open_rendering=True)
    accepted = VIOLATION not in kinds
    assert python.is_valid(body) is accepted, delivery_id
    assert rust.is_valid(body) is accepted, delivery_id


def test_the_cases_include_both_drift_only_and_violating_deliveries() -> None:
    kinds = [{f["kind"] for f in case["findings"]} for _, _, case in DELIVERIES if case]
    assert sum(kinds_ == {"drift"} for kinds_ in kinds) >= 10
    assert sum(VIOLATION in kinds_ for kinds_ in kinds) >= 40


def test_a_ref_with_constraints_beside_it_keeps_them_when_inlined() -> None:
    payload = bundled(SchemaSet.builtin(), "case.created")["properties"]["payload"]
    assert payload["unevaluatedProperties"] is False
    assert "automation" in payload["required"]
    assert payload["properties"]["automation"]["properties"]["id"]["enum"] == [0, 1, 2]


def test_opening_drops_closing_keywords_and_enums_but_keeps_types_and_property_names() -> None:
    schema = {
        "type": "object",
        "properties": {"enum": {"type": "string", "enum": ["a"]}, "n": {"additionalProperties": {}}},
        "additionalProperties": False,
        "$defs": {"x": {"unevaluatedProperties": False, "enum": [1], "type": "integer"}},
        "examples": [{"additionalProperties": False}],
    }
    assert opened(schema) == {
        "type": "object",
        "properties": {"enum": {"type": "string"}, "n": {"additionalProperties": {}}},
        "$defs": {"x": {"type": "integer"}},
        "examples": [{"additionalProperties": False}],
    }


def test_opening_leaves_the_original_untouched() -> None:
    original = bundled(SchemaSet.builtin(), "custom_field.created")
    before = json.dumps(original, sort_keys=True)
    opened(original)
    assert json.dumps(original, sort_keys=True) == before


def write_overlay(folder: Path, schema: dict[str, Any]) -> SchemaSet:
    (folder / "events" / "node").mkdir(parents=True)
    (folder / "events" / "node" / "created.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    return SchemaSet.builtin().with_overlay(folder)


def test_a_recursive_overlay_schema_bundles_with_a_local_ref(tmp_path: Path) -> None:
    schema_set = write_overlay(
        tmp_path,
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "event_name": {"const": "node.created"},
                "payload": {"$ref": "#/$defs/node"},
            },
            "$defs": {
                "node": {
                    "type": "object",
                    "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                    "additionalProperties": False,
                }
            },
        },
    )
    document = bundled(schema_set, "node.created")
    refs = [node["$ref"] for node in walk(document) if "$ref" in node]
    assert set(refs) == {"#/$defs/node"}
    assert "node" in document["$defs"]
    validator = jsonschema_rs.validator_for(document, retriever=refuse)
    assert validator.is_valid({"event_name": "node.created", "payload": {"children": [{"children": []}]}})
    assert not validator.is_valid({"event_name": "node.created", "payload": {"children": [{"x": 1}]}})


def test_a_ref_beside_additional_properties_goes_under_all_of(tmp_path: Path) -> None:
    schema_set = write_overlay(
        tmp_path,
        {
            "type": "object",
            "properties": {
                "event_name": {"const": "node.created"},
                "payload": {
                    "$ref": "#/$defs/named",
                    "properties": {"size": {"type": "integer"}},
                },
            },
            "$defs": {"named": {"properties": {"name": {"type": "string"}}, "additionalProperties": False}},
        },
    )
    payload = bundled(schema_set, "node.created")["properties"]["payload"]
    assert payload["allOf"] == [{"properties": {"name": {"type": "string"}}, "additionalProperties": False}]
    validator = jsonschema_rs.validator_for(bundled(schema_set, "node.created"))
    assert not validator.is_valid({"event_name": "node.created", "payload": {"size": 1}})


def test_an_unknown_event_cannot_be_bundled() -> None:
    with pytest.raises(UnknownEvent):
        bundled(SchemaSet.builtin(), "case.creatd")
