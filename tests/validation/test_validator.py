"""The validator: dispatch, legacy envelope, classification, strictness, overlays."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qase_contract import Validator, validate
from qase_contract.errors import SchemaSetError, UnknownEvent
from qase_contract.validation._validator import LEGACY_ENVELOPE_MESSAGE
from tests.helpers.overlays import RESULT_CREATED, result_delivery, write_schema


def codes(delivery: object, validator: Validator | None = None) -> list[tuple[str, str, str]]:
    result = (validator or Validator()).validate(delivery)
    return [(f.kind, f.code, f.path) for f in result.findings]


def test_a_canonical_delivery_conforms(canonical: dict[str, Any]) -> None:
    result = validate(canonical)
    assert result.event_name == "case.created"
    assert result.findings == ()
    assert result.ok


def test_the_legacy_envelope_is_one_violation_with_the_fixed_message_and_the_event_apart() -> None:
    result = validate({"event": "case.created", "timestamp": 1570000000, "payload": {"bogus": 1}})
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert (finding.kind, finding.code, finding.path) == ("violation", "legacy-envelope", "")
    assert finding.message == LEGACY_ENVELOPE_MESSAGE
    assert finding.event == "case.created"
    assert "case.created" not in finding.message


def test_the_legacy_envelope_message_fits_on_a_line() -> None:
    assert len(LEGACY_ENVELOPE_MESSAGE) <= 100


@pytest.mark.parametrize(
    "body",
    [
        {"event": "case.created", "data": {"id": 1}},
        {"event": "case.created", "payload": {"id": 1}},
        {"event": "case.created", "timestamp": 1570000000},
    ],
)
def test_a_body_with_event_but_not_the_2021_shape_gets_ordinary_findings(body: dict[str, Any]) -> None:
    found = codes(body)
    assert ("violation", "missing-field", "/event_name") in found
    assert ("drift", "unknown-field", "/event") in found
    assert all(code != "legacy-envelope" for _, code, _ in found)


def test_event_next_to_event_name_is_an_unknown_field_not_the_legacy_form(canonical: dict[str, Any]) -> None:
    canonical["event"] = "case.created"
    assert codes(canonical) == [("drift", "unknown-field", "/event")]


def test_an_unknown_event_is_drift_and_its_envelope_is_still_checked() -> None:
    delivery = {
        "event_name": "result.created",
        "timestamp": 1764230400,
        "payload": {"anything": [1]},
        "team_member_id": None,
        "project_code": "DEMO",
    }
    result = validate(delivery)
    assert result.event_name == "result.created"
    assert [(f.code, f.path) for f in result.findings] == [
        ("null-not-allowed", "/team_member_id"),
        ("unknown-event", "/event_name"),
    ]
    assert (
        result.findings[1].message
        == 'event_name "result.created" is not one of the 40 documented Qase webhook events'
    )


def test_an_unknown_event_still_needs_an_object_payload() -> None:
    delivery = {
        "event_name": "result.created",
        "timestamp": 1,
        "payload": "x",
        "team_member_id": 0,
        "project_code": "D",
    }
    assert codes(delivery) == [
        ("violation", "not-an-object", "/payload"),
        ("drift", "unknown-event", "/event_name"),
    ]


def test_a_missing_event_name_is_a_violation_and_the_payload_is_only_checked_for_being_an_object() -> None:
    delivery = {"timestamp": 1, "payload": {"anything": 1}, "team_member_id": 0, "project_code": "D"}
    result = validate(delivery)
    assert result.event_name is None
    assert codes(delivery) == [("violation", "missing-field", "/event_name")]


def test_an_event_name_that_is_not_a_string_is_a_wrong_type(canonical: dict[str, Any]) -> None:
    canonical["event_name"] = 7
    assert ("violation", "wrong-type", "/event_name") in codes(canonical)


def test_unknown_fields_give_one_finding_each(canonical: dict[str, Any]) -> None:
    canonical["payload"]["steps"][0].update({"shared_hash": "abc", "nested": []})
    assert codes(canonical) == [
        ("drift", "unknown-field", "/payload/steps/0/nested"),
        ("drift", "unknown-field", "/payload/steps/0/shared_hash"),
    ]


def test_a_mistyped_value_of_a_closed_set_is_only_a_type_violation(canonical: dict[str, Any]) -> None:
    canonical["payload"]["custom_fields"][0]["type"] = 5
    assert codes(canonical) == [("violation", "wrong-type", "/payload/custom_fields/0/type")]


def test_keys_with_pointer_special_characters_are_escaped(canonical: dict[str, Any]) -> None:
    canonical["payload"]["a/b~c"] = 1
    assert codes(canonical) == [("drift", "unknown-field", "/payload/a~1b~0c")]


def test_a_finding_names_the_schema_file_and_keyword_that_decided(canonical: dict[str, Any]) -> None:
    canonical["payload"]["priority"]["id"] = "2"
    (finding,) = validate(canonical).findings
    assert finding.schema_path == "common/defs.schema.json#/$defs/priority/properties/id/type"
    assert (finding.expected, finding.actual) == ("integer", 'string "2"')


def test_strict_makes_drift_fail(canonical: dict[str, Any]) -> None:
    canonical["payload"]["tags"] = ["x"]
    assert validate(canonical).ok
    assert not validate(canonical, strict=True).ok
    assert not Validator(strict=True).validate(canonical).ok


def test_schema_for_an_unknown_event_raises_unknown_event() -> None:
    with pytest.raises(UnknownEvent, match=r"result\.created"):
        Validator().schema_for("result.created")
    assert Validator().schema_for("run.started")["properties"]["event_name"]["const"] == "run.started"


# -- overlays -------------------------------------------------------------------------------------


def test_an_overlay_adds_an_event(tmp_path: Path) -> None:
    overlay = Validator(schemas=write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED))
    assert "result.created" in overlay.event_names
    assert codes(result_delivery(id=1, run=None), overlay) == []
    assert codes(result_delivery(id="1"), overlay) == [("violation", "wrong-type", "/payload/id")]


def test_inside_any_of_the_best_fitting_branch_decides_so_an_unknown_field_stays_drift(
    tmp_path: Path,
) -> None:
    overlay = Validator(schemas=write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED))
    assert codes(result_delivery(id=1, run={"id": 2, "title": "nightly"}), overlay) == [
        ("drift", "unknown-field", "/payload/run/title")
    ]
    assert codes(result_delivery(id=1, run={"id": "2"}), overlay) == [
        ("violation", "wrong-type", "/payload/run/id")
    ]


def test_an_overlay_replaces_a_builtin_event(tmp_path: Path, canonical: dict[str, Any]) -> None:
    schema = json.loads((Path(__file__).parents[2] / "schemas/events/case/created.schema.json").read_text())
    schema["$defs"]["payload"]["properties"] = {"tags": {"type": "array"}}
    del schema["$id"]
    overlay = Validator(schemas=write_schema(tmp_path, "events/case/created.schema.json", schema))
    canonical["payload"]["tags"] = ["smoke"]
    assert codes(canonical) == [("drift", "unknown-field", "/payload/tags")]
    assert codes(canonical, overlay) == []


def test_an_overlay_ref_to_the_network_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    schema = dict(
        RESULT_CREATED,
        properties={
            "event_name": {"const": "result.created"},
            "payload": {"$ref": "https://example.com/payload.json"},
        },
    )
    folder = write_schema(tmp_path, "events/result/created.schema.json", schema)
    with pytest.raises(SchemaSetError, match=r"https://example.com/payload.json.*never fetches"):
        Validator(schemas=folder)


def test_an_overlay_ref_to_a_missing_definition_is_refused(tmp_path: Path) -> None:
    schema = dict(
        RESULT_CREATED,
        properties={
            "event_name": {"const": "result.created"},
            "payload": {"$ref": "../../common/defs.schema.json#/$defs/nope"},
        },
    )
    with pytest.raises(SchemaSetError, match=r"events/result/created.schema.json#/properties/payload/\$ref"):
        Validator(schemas=write_schema(tmp_path, "events/result/created.schema.json", schema))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read schema"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"type": 12}', "not a valid JSON Schema at /type"),
        ('{"items": ' * 3000 + "{}" + "}" * 3000, "cannot read schema: depth limit exceeded"),
        ('{"items": ' * 900 + "{}" + "}" * 900, "nested too deep to be checked"),
        ('{"minimum": 1e400}', "cannot read schema: number is infinity"),
    ],
)
def test_an_unusable_overlay_file_is_refused_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "bad.schema.json").write_text(content, encoding="utf-8")
    with pytest.raises(SchemaSetError, match=message) as caught:
        Validator(schemas=tmp_path)
    assert "bad.schema.json" in str(caught.value)


def test_an_overlay_folder_must_exist_and_hold_schemas(tmp_path: Path) -> None:
    with pytest.raises(SchemaSetError, match="not found"):
        Validator(schemas=tmp_path / "missing")
    with pytest.raises(SchemaSetError, match=r"no \*\.json schema files"):
        Validator(schemas=tmp_path)


def test_a_fifo_in_the_overlay_folder_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.schema.json")
    with pytest.raises(SchemaSetError, match=r"pipe\.schema\.json: not a regular file"):
        Validator(schemas=tmp_path)


def test_a_broken_symlink_in_the_overlay_folder_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "gone.schema.json").symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(SchemaSetError, match=r"gone\.schema\.json: broken symlink"):
        Validator(schemas=tmp_path)


def test_two_overlay_files_pinning_one_event_are_refused(tmp_path: Path) -> None:
    write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED)
    write_schema(tmp_path, "events/result/created-again.schema.json", RESULT_CREATED)
    with pytest.raises(SchemaSetError, match=r"both pin the event 'result\.created'"):
        Validator(schemas=tmp_path)


def test_an_overlay_that_renames_a_builtin_event_takes_its_place(tmp_path: Path) -> None:
    schema = json.loads((Path(__file__).parents[2] / "schemas/events/defect/updated.schema.json").read_text())
    schema["properties"]["event_name"]["const"] = "defect.edited"
    del schema["$id"]
    overlay = Validator(schemas=write_schema(tmp_path, "events/defect/updated.schema.json", schema))
    assert "defect.edited" in overlay.event_names
    assert "defect.updated" not in overlay.event_names


def test_an_overlay_with_an_unknown_dialect_is_refused_up_front(tmp_path: Path) -> None:
    schema = dict(RESULT_CREATED, **{"$schema": "https://example.com/not-a-metaschema"})
    with pytest.raises(SchemaSetError, match=r"events/result/created\.schema\.json: unknown \$schema"):
        Validator(schemas=write_schema(tmp_path, "events/result/created.schema.json", schema))


def test_an_overlay_pattern_only_python_understands_is_refused_up_front(tmp_path: Path) -> None:
    schema = json.loads(json.dumps(RESULT_CREATED))
    schema["properties"]["project_code"]["pattern"] = "^[A-Z]+\\Z"
    with pytest.raises(SchemaSetError, match=r"/properties/project_code/pattern: .* is not a 'regex'"):
        Validator(schemas=write_schema(tmp_path, "events/result/created.schema.json", schema))


def test_examples_inside_an_overlay_folder_are_not_loaded_as_schemas(tmp_path: Path) -> None:
    write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED)
    write_schema(tmp_path, "examples/result.created/canonical.json", result_delivery(id=1))
    overlay = Validator(schemas=tmp_path)
    assert not any("examples/" in schema_id for schema_id in overlay.schema_set.resources)
