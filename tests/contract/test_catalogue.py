"""Meta-tests that keep the catalogue, the schema files and the examples honest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from qase_contract import EVENTS, Validator
from qase_contract.contract._catalog import EVENTS_BY_NAME
from qase_contract.contract._schema_set import SCHEMA_BASE, SchemaSet, unresolved_refs
from qase_contract.validation._engines import SchemaEngine
from tests.helpers.data import EXAMPLES, SCHEMAS, example_files, load_json

SCHEMA_FILES = sorted(
    p for p in SCHEMAS.rglob("*.schema.json") if "examples" not in p.relative_to(SCHEMAS).parts
)
EVENT_NAMES = [event.name for event in EVENTS]
# Composition the contract does not use: its errors would not map to one clear keyword (SPEC 2.5).
FORBIDDEN_KEYWORDS = {"oneOf", "anyOf", "allOf", "not", "if", "then", "else", "format"}


def walk(node: Any, path: str = "") -> Any:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key not in ("examples", "enum", "const"):
                yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from walk(item, f"{path}/{index}")


def test_the_catalogue_has_the_40_documented_events_once_each() -> None:
    assert len(EVENT_NAMES) == 40
    assert len(set(EVENT_NAMES)) == 40
    assert {event.entity for event in EVENTS} == {
        "Test case",
        "Test suite",
        "Test plan",
        "Shared step",
        "Milestone",
        "Custom field",
        "Test run",
        "Defect",
        "Test review",
    }


@pytest.mark.parametrize("event_name", EVENT_NAMES)
def test_every_catalogued_event_has_its_schema_pinning_its_name(event_name: str) -> None:
    event = EVENTS_BY_NAME[event_name]
    path = SCHEMAS / event.schema_path
    schema = load_json(path)
    assert schema["properties"]["event_name"]["const"] == event_name
    assert schema["title"] == f"Qase webhook delivery: {event_name}"
    assert schema.get("description")
    assert SchemaSet.builtin().schema_id_for(event_name) == SCHEMA_BASE + event.schema_path


@pytest.mark.parametrize("event_name", EVENT_NAMES)
def test_every_catalogued_event_has_a_canonical_example_and_a_variant(event_name: str) -> None:
    names = {path.name for path in (EXAMPLES / event_name).glob("*.json")}
    assert "canonical.json" in names
    assert len(names) >= 2


def test_there_is_no_orphan_schema_or_example_folder() -> None:
    event_schema_files = {p.relative_to(SCHEMAS).as_posix() for p in (SCHEMAS / "events").rglob("*.json")}
    assert event_schema_files == {event.schema_path for event in EVENTS}
    assert {p.name for p in EXAMPLES.iterdir()} == set(EVENT_NAMES)
    assert set(SchemaSet.builtin().event_schemas) == set(EVENT_NAMES)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_conforms_with_no_finding_at_all(path: Path) -> None:
    delivery = load_json(path)
    assert delivery["event_name"] == path.parent.name
    assert Validator().validate(delivery).findings == ()
    assert Validator().validate(path.read_bytes()).findings == ()


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.relative_to(SCHEMAS).as_posix())
def test_every_schema_passes_the_2020_12_metaschema_and_has_its_path_as_id(path: Path) -> None:
    schema = load_json(path)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_BASE + path.relative_to(SCHEMAS).as_posix()


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.relative_to(SCHEMAS).as_posix())
def test_every_object_is_closed_and_only_refs_compose(path: Path) -> None:
    for where, node in walk(load_json(path)):
        assert not FORBIDDEN_KEYWORDS & node.keys(), where
        if "$ref" in node:
            assert not str(node["$ref"]).startswith(("http:", "https:")), f"{where}: $refs are relative"
        types = node.get("type")
        if "object" in (types if isinstance(types, list) else [types]) or "properties" in node:
            closed = node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False
            open_on_purpose = where.endswith("/$defs/testCase") or (
                path.name == "envelope.schema.json" and where == "/properties/payload"
            )
            has_map_values = isinstance(node.get("additionalProperties"), dict)
            assert closed or open_on_purpose or has_map_values, f"{where} is not closed"


def test_every_ref_of_the_builtin_set_resolves() -> None:
    assert unresolved_refs(SchemaSet.builtin()) == []
    SchemaSet.builtin().check()


def test_both_engines_compile_every_builtin_schema() -> None:
    builtin = SchemaSet.builtin()
    for schema_id in builtin.resources:
        engine = SchemaEngine(builtin, schema_id, eager=True)
        assert engine.fast_check is not None, schema_id


def test_the_four_case_events_close_the_shared_test_case_with_unevaluated_properties() -> None:
    for action in ("created", "updated", "deleted", "cloned"):
        payload = load_json(SCHEMAS / f"events/case/{action}.schema.json")["$defs"]["payload"]
        assert payload["$ref"] == "../../common/defs.schema.json#/$defs/testCase"
        assert payload["unevaluatedProperties"] is False


def test_enums_are_used_only_for_the_documented_closed_sets() -> None:
    enums = sorted(
        f"{path.relative_to(SCHEMAS).as_posix()}#{where}"
        for path in SCHEMA_FILES
        for where, node in walk(load_json(path))
        if "enum" in node
    )
    assert enums == [
        "common/defs.schema.json#/$defs/approvalStatus",
        "common/defs.schema.json#/$defs/automation/properties/id",
        "common/defs.schema.json#/$defs/customFieldEntity",
        "common/defs.schema.json#/$defs/customFieldType",
        "common/defs.schema.json#/$defs/reviewCaseData/properties/automation",
        "common/defs.schema.json#/$defs/reviewCaseData/properties/steps_type",
    ]
