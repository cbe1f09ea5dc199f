"""``qase_contract.models``: every shipped example parses to its event's model, drift is kept, and
every violation case fails to parse unless listed here with the reason pydantic accepts it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from qase_contract import EVENTS, models
from qase_contract.contract._components import pascal_case
from qase_contract.findings import VIOLATION
from tests.helpers.data import EXAMPLES, ROOT, case_files, case_input, example_files, load_json

#: Violation cases the models accept, and why. The validator, not the models, judges the contract.
ACCEPTED_VIOLATIONS = {
    "case/updated-with-from-id-and-null-title": (
        "title may be absent from case.updated, and a model reads an absent key as None, so it cannot "
        "tell an explicit null (null-not-allowed) from a missing key"
    ),
}


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def kinds(case: dict[str, Any]) -> set[str]:
    return {finding["kind"] for finding in case["findings"]}


@pytest.mark.parametrize("path", example_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_example_parses_to_its_events_model(path: Path) -> None:
    delivery = models.parse_delivery(path.read_bytes())
    assert type(delivery).__name__ == pascal_case(path.parent.name)
    assert delivery.event_name == path.parent.name
    assert models.parse_delivery(path.read_text(encoding="utf-8")) == delivery
    assert models.parse_delivery(load_json(path)) == delivery


VIOLATING = [path for path in case_files() if VIOLATION in kinds(load_json(path))]
DRIFT_ONLY = [path for path in case_files() if VIOLATION not in kinds(load_json(path))]


@pytest.mark.parametrize("path", VIOLATING, ids=case_id)
def test_a_violation_case_fails_to_parse_unless_listed_with_its_reason(path: Path) -> None:
    case = load_json(path)
    if case_id(path) in ACCEPTED_VIOLATIONS:
        models.parse_delivery(case_input(case))  # the listed reason still holds
        return
    with pytest.raises(ValidationError):
        models.parse_delivery(case_input(case))


@pytest.mark.parametrize("path", DRIFT_ONLY, ids=case_id)
def test_a_case_with_drift_only_parses(path: Path) -> None:
    models.parse_delivery(case_input(load_json(path)))


def test_every_listed_violation_is_a_real_violation_case() -> None:
    cases = {case_id(path): load_json(path) for path in case_files()}
    for name in ACCEPTED_VIOLATIONS:
        assert VIOLATION in kinds(cases[name]), name


def drifted() -> dict[str, Any]:
    delivery = load_json(EXAMPLES / "custom_field.created" / "canonical.json")
    delivery["delivery_id"] = "abc"
    delivery["payload"]["type"] = "formula"
    delivery["payload"]["isArchived"] = False
    return delivery


def test_keys_the_contract_does_not_know_are_kept_not_rejected() -> None:
    delivery = models.parse_delivery(drifted())
    assert isinstance(delivery, models.CustomFieldCreated)
    assert delivery.model_extra == {"delivery_id": "abc"}
    assert delivery.payload.model_extra == {"isArchived": False}
    assert delivery.model_dump(mode="json")["payload"]["isArchived"] is False


def test_a_value_outside_a_closed_set_is_kept() -> None:
    delivery = models.parse_delivery(drifted())
    assert isinstance(delivery, models.CustomFieldCreated)
    assert delivery.payload.type == "formula"


def test_an_event_outside_the_catalogue_parses_as_the_envelope() -> None:
    body = {"event_name": "result.created", "timestamp": 1, "payload": {"x": 1}, "team_member_id": 0}
    body["project_code"] = "DEMO"
    delivery = models.parse_delivery(json.dumps(body))
    assert type(delivery) is models.Envelope
    assert delivery.payload == {"x": 1}


def test_a_number_without_a_fraction_is_an_integer_as_in_json_schema() -> None:
    body = load_json(EXAMPLES / "run.completed" / "canonical.json")
    body["payload"]["passed"] = 3.0
    delivery = models.parse_delivery(body)
    assert isinstance(delivery, models.RunCompleted)
    assert delivery.payload.passed == 3
    assert type(delivery.payload.passed) is int


@pytest.mark.parametrize("value", ["3", True, 3.5, None])
def test_types_are_strict_no_text_or_boolean_for_an_integer(value: object) -> None:
    body = load_json(EXAMPLES / "run.completed" / "canonical.json")
    body["payload"]["passed"] = value
    with pytest.raises(ValidationError, match=r"payload\.passed"):
        models.parse_delivery(body)


@pytest.mark.parametrize("body", [b"", b"[]", b"not json", b'"text"', "{", 42])
def test_a_body_that_is_not_a_json_object_is_a_validation_error(body: Any) -> None:
    with pytest.raises(ValidationError):
        models.parse_delivery(body)


def test_a_body_without_event_name_is_a_validation_error_naming_it() -> None:
    with pytest.raises(ValidationError, match="event_name"):
        models.parse_delivery({"event": "run.started", "timestamp": 1, "payload": {}})


def test_the_annotated_union_picks_the_model_by_event_name_for_frameworks() -> None:
    adapter: TypeAdapter[models.QaseDelivery] = TypeAdapter(models.QaseDelivery)
    body = (EXAMPLES / "review.commented" / "canonical.json").read_bytes()
    assert isinstance(adapter.validate_json(body), models.ReviewCommented)
    with pytest.raises(ValidationError, match=r"does not match any of the expected tags"):
        adapter.validate_python(
            {**load_json(EXAMPLES / "run.deleted" / "canonical.json"), "event_name": "x.y"}
        )


def test_there_is_a_model_for_each_event() -> None:
    assert list(models.MODELS) == [event.name for event in EVENTS]
    assert all(model.__name__ == pascal_case(name) for name, model in models.MODELS.items())


def test_a_models_fields_are_described_by_the_schema() -> None:
    field = models.RunCompletedPayload.model_fields["duration"]
    assert field.description == "How long the run took."
    assert (
        models.RunCompletedPayload.model_json_schema()["properties"]["passed"]["description"]
        == "Cases that passed."
    )


def test_a_parsed_delivery_cannot_be_changed() -> None:
    delivery = models.parse_delivery((EXAMPLES / "run.deleted" / "canonical.json").read_bytes())
    with pytest.raises(ValidationError, match="frozen"):
        delivery.project_code = "OTHER"  # type: ignore[misc]


def test_without_pydantic_importing_the_models_names_the_extra_to_install() -> None:
    script = (
        "import sys; sys.modules['pydantic'] = None\n"
        "try:\n    import qase_contract.models\n"
        "except ImportError as error:\n"
        "    from qase_contract.errors import MissingExtra\n"
        "    assert isinstance(error, MissingExtra), type(error)\n    print(error)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == (
        "typed models needs pydantic, which is not installed: pip install 'qase-contract[pydantic]'"
    )
