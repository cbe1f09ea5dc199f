"""Sample deliveries: every event, fresh copies, deep-merged payload overrides, envelope overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qase_contract import EVENTS, validate
from qase_contract.errors import UnknownEvent, UnknownExample
from qase_contract.testing._samples import deep_merged, sample_delivery
from tests.helpers.overlays import RESULT_CREATED, result_delivery, write_schema


@pytest.mark.parametrize("event", [event.name for event in EVENTS])
def test_every_catalogued_event_has_a_strictly_conforming_sample(event: str) -> None:
    delivery = sample_delivery(event)
    assert delivery["event_name"] == event
    assert validate(delivery, strict=True).ok


def test_payload_overrides_merge_nested_objects_and_replace_everything_else() -> None:
    delivery = sample_delivery(
        "case.created",
        payload={"title": "Login", "priority": {"title": "High"}, "steps": [], "description": None},
    )
    payload = delivery["payload"]
    assert payload["title"] == "Login"
    assert payload["priority"] == {**sample_delivery("case.created")["payload"]["priority"], "title": "High"}
    assert payload["steps"] == []
    assert payload["description"] is None
    assert payload["id"] == sample_delivery("case.created")["payload"]["id"]


def test_envelope_fields_are_overridable_and_unknown_ones_are_refused() -> None:
    delivery = sample_delivery("run.completed", project_code="DEMO", team_member_id=0, timestamp=1764230400)
    assert (delivery["project_code"], delivery["team_member_id"], delivery["timestamp"]) == (
        "DEMO",
        0,
        1764230400,
    )
    with pytest.raises(
        TypeError, match=r"unknown envelope field.*'project'.*timestamp, team_member_id, project_code"
    ):
        sample_delivery("run.completed", project="DEMO")


def test_every_sample_is_a_fresh_copy_sharing_nothing_with_the_overrides() -> None:
    steps = [{"hash": "a"}]
    first = sample_delivery("shared_step.created", payload={"steps": steps})
    first["payload"]["steps"][0]["hash"] = "mutated"
    first["payload"]["title"] = "mutated"
    assert steps == [{"hash": "a"}]
    assert sample_delivery("shared_step.created")["payload"]["title"] != "mutated"


def test_an_event_outside_the_catalogue_raises_unknown_event() -> None:
    with pytest.raises(UnknownEvent):
        sample_delivery("result.created")


def test_a_misspelt_event_gets_close_names_suggested() -> None:
    with pytest.raises(UnknownEvent, match=r"did you mean run\.completed, run\.deleted") as caught:
        sample_delivery("run.complete")
    assert caught.value.suggestions[0] == "run.completed"


def test_deep_merged_leaves_both_inputs_alone() -> None:
    base = {"a": {"b": 1, "c": 2}}
    override = {"a": {"c": 3, "d": [4]}}
    assert deep_merged(base, override) == {"a": {"b": 1, "c": 3, "d": [4]}}
    assert base == {"a": {"b": 1, "c": 2}}
    assert override == {"a": {"c": 3, "d": [4]}}


def test_a_mapping_from_index_to_override_merges_into_list_items() -> None:
    (step,) = sample_delivery("case.created")["payload"]["steps"]
    payload = sample_delivery(
        "case.created", payload={"steps": {0: {"action": "x"}, -1: {"position": 9}, 1: {"action": "new"}}}
    )["payload"]
    # 0 and -1 are the same (only) step; 1, one past the end, appends.
    assert payload["steps"] == [{**step, "action": "x", "position": 9}, {"action": "new"}]


def test_an_index_outside_the_list_is_a_clear_error() -> None:
    with pytest.raises(IndexError, match=r"override of /payload/steps: no item 7 in a list of 1"):
        sample_delivery("case.created", payload={"steps": {7: {"action": "x"}}})


def test_a_mapping_with_other_keys_still_replaces_a_list() -> None:
    assert deep_merged([1, 2], {True: 1}) == {True: 1}
    assert deep_merged([1, 2], {"0": 1}) == {"0": 1}
    assert deep_merged([1, 2], {}) == {}


def test_a_sample_comes_from_the_schema_sets_examples_and_variant(tmp_path: Path) -> None:
    overlay = write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED)
    (overlay / "examples" / "result.created").mkdir(parents=True)
    (overlay / "examples" / "result.created" / "canonical.json").write_text(
        json.dumps(result_delivery(id=1)), encoding="utf-8"
    )
    assert sample_delivery("result.created", schemas=overlay)["payload"] == {"id": 1}
    other = sample_delivery("run.deleted", variant="other-project")
    assert other != sample_delivery("run.deleted")
    with pytest.raises(UnknownExample):
        sample_delivery("run.deleted", variant="nope")
