"""The OpenAPI 3.1 and AsyncAPI 3.0 documents: valid by each standard's own checker, self-contained,
deterministic, and giving every example and case the verdict the validator gives."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import Any, NoReturn

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft7Validator, Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7, DRAFT202012
from ruamel.yaml import YAML

from qase_contract import EVENTS, SchemaSet, Validator
from qase_contract._util.yaml import dumps
from qase_contract.contract._catalog import EVENTS_BY_NAME
from qase_contract.contract._export import SECRET_HEADER, asyncapi, draft07, openapi
from qase_contract.contract._inventory import ENVELOPE, schema_id_named
from qase_contract.contract._provenance import contract_version
from qase_contract.errors import BundleError
from qase_contract.findings import VIOLATION
from qase_contract.validation._parsing import Parsed, parse_body
from tests.helpers.data import ROOT, case_files, case_input, example_files, load_json

ASYNCAPI_SCHEMA = ROOT / "tests" / "data" / "asyncapi-3.0.0.json"
EVENT_NAMES = [event.name for event in EVENTS]
DOCUMENT_URI = "urn:qase-contract:export"


def refuse(uri: str) -> NoReturn:
    raise AssertionError(f"validation tried to retrieve {uri}")


@functools.cache
def document(kind: str, open_rendering: bool) -> dict[str, Any]:
    builder = openapi if kind == "openapi" else asyncapi
    return builder(SchemaSet.builtin(), open_rendering)


@functools.cache
def asyncapi_checker() -> Draft7Validator:
    schema = load_json(ASYNCAPI_SCHEMA)
    registry: Registry[Any] = Registry(retrieve=refuse).with_resource(  # type: ignore[call-arg]
        schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)
    )
    return Draft7Validator(schema, registry=registry)


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs(item)]
    return []


def resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# -- the standards' own checkers --------------------------------------------------------------


@pytest.mark.parametrize("open_rendering", [False, True], ids=["closed", "open"])
def test_the_openapi_document_passes_openapi_spec_validator(open_rendering: bool) -> None:
    validate_openapi(document("openapi", open_rendering))


def test_openapi_spec_validator_would_reject_a_broken_document() -> None:
    broken = json.loads(json.dumps(document("openapi", False)))
    broken["webhooks"]["run.completed"]["post"]["responses"] = "none"
    with pytest.raises(OpenAPIValidationError):
        validate_openapi(broken)


@pytest.mark.parametrize("open_rendering", [False, True], ids=["closed", "open"])
def test_the_asyncapi_document_passes_the_official_asyncapi_3_0_0_schema(open_rendering: bool) -> None:
    errors = [error.message for error in asyncapi_checker().iter_errors(document("asyncapi", open_rendering))]
    assert errors == []


def test_the_asyncapi_schema_would_reject_a_broken_document() -> None:
    broken = json.loads(json.dumps(document("asyncapi", False)))
    broken["operations"]["receiveRunCompleted"]["action"] = "consume"
    assert not asyncapi_checker().is_valid(broken)


def test_the_vendored_asyncapi_schema_is_the_recorded_one() -> None:
    recorded = re.search(
        r"`asyncapi-3\.0\.0\.json`.*sha256 `([0-9a-f]{64})`", (ROOT / "tests/data/README.md").read_text()
    )
    assert recorded is not None
    assert hashlib.sha256(ASYNCAPI_SCHEMA.read_bytes()).hexdigest() == recorded[1]


# -- what the documents say -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["openapi", "asyncapi"])
def test_a_document_is_self_contained_every_ref_lands_inside_it(kind: str) -> None:
    doc = document(kind, False)
    for ref in refs(doc):
        assert ref.startswith("#/"), ref
        assert isinstance(resolve(doc, ref), dict), ref


@pytest.mark.parametrize("kind", ["openapi", "asyncapi"])
def test_a_document_carries_the_contract_version_and_provenance(kind: str) -> None:
    info = document(kind, False)["info"]
    assert info["version"] == contract_version()
    assert f"Qase webhook contract {contract_version()}; rendered by qase-contract" in info["description"]
    assert info["x-qase-contract"] == {
        "contract": contract_version(),
        "rendering": "closed",
        "sources": ["builtin"],
    }
    assert document(kind, True)["info"]["x-qase-contract"]["rendering"] == "open"


def test_openapi_has_one_post_webhook_per_event_with_body_secret_header_and_answer() -> None:
    doc = document("openapi", False)
    assert list(doc["webhooks"]) == EVENT_NAMES
    for event, item in doc["webhooks"].items():
        operation = item["post"]
        assert list(item) == ["post"]
        body = operation["requestBody"]["content"]["application/json"]
        delivery = resolve(doc, body["schema"]["$ref"])
        assert delivery["properties"]["event_name"]["const"] == event
        assert "canonical" in body["examples"]
        (parameter,) = [resolve(doc, p["$ref"]) for p in operation["parameters"]]
        assert (parameter["name"], parameter["in"], parameter["required"]) == (SECRET_HEADER, "header", False)
        assert "15 seconds" in resolve(doc, operation["responses"]["2XX"]["$ref"])["description"]
        assert operation["tags"] == [EVENTS_BY_NAME[event].entity]


def test_shared_shapes_are_components_referred_to_not_copied() -> None:
    doc = document("openapi", False)
    schemas = doc["components"]["schemas"]
    assert {"TestCase", "User", "UnixSeconds", "Attachment", "Envelope"} <= set(schemas)
    users = [ref for ref in refs(doc["components"]) if ref == "#/components/schemas/User"]
    assert len(users) >= 8  # every review event names the one definition
    assert all(ref.startswith("#/components/schemas/") for ref in refs(schemas))
    assert not [name for name, schema in schemas.items() if "$defs" in schema or "$id" in schema]


def test_asyncapi_has_a_message_and_a_receive_operation_per_event_and_the_secret() -> None:
    doc = document("asyncapi", False)
    messages = doc["components"]["messages"]
    assert [message["name"] for message in messages.values()] == EVENT_NAMES
    operations = doc["operations"]
    assert len(operations) == 40
    assert {operation["action"] for operation in operations.values()} == {"receive"}
    assert {operation["channel"]["$ref"] for operation in operations.values()} == {"#/channels/webhook"}
    assert doc["components"]["securitySchemes"]["qaseSecret"]["name"] == SECRET_HEADER
    trait = doc["components"]["messageTraits"]["qaseDelivery"]
    assert SECRET_HEADER in trait["headers"]["properties"]


@pytest.mark.parametrize("kind", ["openapi", "asyncapi"])
@pytest.mark.parametrize("open_rendering", [False, True], ids=["closed", "open"])
def test_a_document_is_the_same_bytes_every_time(kind: str, open_rendering: bool) -> None:
    builder = openapi if kind == "openapi" else asyncapi
    first = json.dumps(builder(SchemaSet.builtin(), open_rendering))
    assert json.dumps(builder(SchemaSet.builtin(), open_rendering)) == first


def test_the_open_documents_close_nothing() -> None:
    for kind in ("openapi", "asyncapi"):
        text = json.dumps(document(kind, True)["components"]["schemas"])
        assert '"additionalProperties": false' not in text
        assert '"unevaluatedProperties"' not in text
        assert '"enum"' not in text


# -- verdicts: each document against the validator ---------------------------------------------


def deliveries() -> list[tuple[str, object, dict[str, Any] | None]]:
    """(id, body, case or None) for every shipped example and every case that is JSON at all."""
    found: list[tuple[str, object, dict[str, Any] | None]] = [
        (f"example:{path.parent.name}/{path.stem}", load_json(path), None) for path in example_files()
    ]
    for path in case_files():
        case = load_json(path)
        parsed = parse_body(case_input(case))
        if isinstance(parsed, Parsed):
            found.append((f"case:{path.parent.name}/{path.stem}", parsed.value, case))
    return found


DELIVERIES = deliveries()


def event_of(body: object) -> str:
    event_name = body.get("event_name") if isinstance(body, dict) else None
    return str(event_name) if isinstance(event_name, str) and event_name in EVENT_NAMES else ENVELOPE


@functools.cache
def assigned_checker(kind: str, open_rendering: bool, event: str) -> Any:
    """A validator for the schema ``kind``'s document assigns to ``event`` (the envelope: its component)."""
    doc = document(kind, open_rendering)
    if event == ENVELOPE:
        ref = "#/components/schemas/Envelope"
    elif kind == "openapi":
        ref = doc["webhooks"][event]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    else:
        message = resolve(doc, doc["channels"]["webhook"]["messages"][_key(doc, event)]["$ref"])
        ref = message["payload"]["$ref"]
    specification, validator = (
        (DRAFT202012, Draft202012Validator) if kind == "openapi" else (DRAFT7, Draft7Validator)
    )
    registry: Registry[Any] = Registry(retrieve=refuse).with_resource(  # type: ignore[call-arg]
        DOCUMENT_URI, Resource.from_contents(doc, default_specification=specification)
    )
    return validator({"$ref": DOCUMENT_URI + ref}, registry=registry)


def _key(doc: dict[str, Any], event: str) -> str:
    return next(key for key, message in doc["components"]["messages"].items() if message["name"] == event)


@pytest.mark.parametrize("kind", ["openapi", "asyncapi"])
@pytest.mark.parametrize(("delivery_id", "body", "case"), DELIVERIES, ids=[d[0] for d in DELIVERIES])
def test_the_closed_document_gives_every_delivery_the_validators_verdict(
    kind: str, delivery_id: str, body: object, case: dict[str, Any] | None
) -> None:
    event = event_of(body)
    expected = Validator().engine(schema_id_named(SchemaSet.builtin(), event)).is_valid(body)
    assert assigned_checker(kind, False, event).is_valid(body) is expected, delivery_id
    if case is None:
        assert expected, f"{delivery_id} is a shipped example: it conforms"


@pytest.mark.parametrize("kind", ["openapi", "asyncapi"])
@pytest.mark.parametrize(("delivery_id", "body", "case"), DELIVERIES, ids=[d[0] for d in DELIVERIES])
def test_the_open_document_accepts_drift_and_rejects_every_violation(
    kind: str, delivery_id: str, body: object, case: dict[str, Any] | None
) -> None:
    findings = Validator().validate(body).findings
    accepted = not any(finding.kind == VIOLATION for finding in findings)
    assert assigned_checker(kind, True, event_of(body)).is_valid(body) is accepted, delivery_id


def test_the_cases_reach_both_verdicts_under_both_documents() -> None:
    verdicts = {
        assigned_checker("asyncapi", False, event_of(body)).is_valid(body) for _, body, _ in DELIVERIES
    }
    assert verdicts == {True, False}


# -- the draft-07 rendering for AsyncAPI ------------------------------------------------------


def test_draft07_closes_a_ref_plus_unevaluated_properties_with_the_targets_properties() -> None:
    schemas = {
        "Base": {"type": "object", "properties": {"a": {"type": "integer"}}},
        "Closed": {
            "$ref": "#/components/schemas/Base",
            "properties": {"b": {}},
            "required": ["a"],
            "unevaluatedProperties": False,
        },
    }
    assert draft07(schemas)["Closed"] == {
        "properties": {"a": {"type": "integer"}, "b": {}},
        "required": ["a"],
        "type": "object",
        "additionalProperties": False,
    }


def test_draft07_moves_a_ref_with_keywords_beside_it_into_all_of() -> None:
    schemas = {"X": {"description": "d", "$ref": "#/components/schemas/Y", "required": ["a"]}, "Y": {}}
    assert draft07(schemas)["X"] == {
        "description": "d",
        "required": ["a"],
        "allOf": [{"$ref": "#/components/schemas/Y"}],
    }
    assert draft07({"X": {"description": "d", "$ref": "#/components/schemas/Y"}, "Y": {}})["X"]["$ref"]


def test_draft07_refuses_a_form_it_cannot_rewrite() -> None:
    with pytest.raises(BundleError, match="prefixItems has no draft-07 form"):
        draft07({"X": {"prefixItems": [{}]}})
    with pytest.raises(BundleError, match="not a plain object schema"):
        draft07(
            {"X": {"$ref": "#/components/schemas/Y", "unevaluatedProperties": False}, "Y": {"anyOf": [{}]}}
        )


# -- YAML ---------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_yaml_output_reads_back_as_the_same_data_in_yaml_1_1_and_1_2(data: Any) -> None:
    text = dumps({"data": data})
    assert yaml.safe_load(text) == {"data": data}
    assert YAML(typ="safe", pure=True).load(text) == {"data": data}


@pytest.mark.parametrize(
    "text", ["yes", "No", "null", "~", "1e3", "0o17", "12:30", "a\x85b", "c\u2028d", "\x7f", "# x", "- y"]
)
def test_yaml_strings_that_look_like_something_else_stay_strings(text: str) -> None:
    assert yaml.safe_load(dumps({text: text})) == {text: text}


@pytest.mark.parametrize("kind", ["openapi", "asyncapi"])
def test_a_document_as_yaml_reads_back_as_the_same_document(kind: str) -> None:
    doc = document(kind, False)
    assert yaml.safe_load(dumps(doc)) == doc
