"""Recording read-sets: tracked deliveries behave as dicts and note what is read from them."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import orjson
import pytest

from qase_contract import Validator, assert_conforms
from qase_contract.contract import ReadSet
from qase_contract.testing import record_reads, sample_delivery
from qase_contract.testing._reads import ReadRecorder, TrackedDict, TrackedList, plain


def tracked(event: str = "run.started", **payload: Any) -> tuple[ReadRecorder, dict[str, Any]]:
    recorder = ReadRecorder()
    return recorder, recorder.delivery(event, payload or None)


def test_a_tracked_delivery_is_a_dict_equal_to_the_sample() -> None:
    _, delivery = tracked()
    sample = sample_delivery("run.started")
    assert isinstance(delivery, dict)
    assert isinstance(delivery["payload"], dict)
    assert delivery == sample
    assert sample == delivery
    assert delivery["payload"]["plan"] == sample["payload"]["plan"]


def test_json_dumps_and_orjson_write_the_same_text() -> None:
    _, delivery = tracked()
    sample = sample_delivery("run.started")
    assert json.dumps(delivery) == json.dumps(sample)
    assert json.dumps(delivery, sort_keys=True, indent=2) == json.dumps(sample, sort_keys=True, indent=2)
    assert orjson.dumps(delivery) == orjson.dumps(sample)


def test_a_delivery_serialised_with_json_counts_as_read_whole() -> None:
    recorder, delivery = tracked()
    json.dumps(delivery)  # as a test posting it to the consumer would: what reads the text is not seen
    assert recorder.read_set.events == {"run.started": ("",)}


def test_orjson_reads_the_storage_and_notes_nothing() -> None:
    recorder, delivery = tracked()
    orjson.dumps(delivery)
    assert recorder.read_set.events == {"run.started": ()}


def test_a_pickled_delivery_comes_back_a_plain_dict() -> None:
    recorder, delivery = tracked()
    again = pickle.loads(pickle.dumps(delivery))
    assert type(again) is dict
    assert type(again["payload"]) is dict
    assert again == delivery
    assert pickle.loads(pickle.dumps(delivery["payload"]["plan"])) == delivery["payload"]["plan"]
    assert recorder.recorded() == {"run.started": {"read": [], "whole": ["", "/payload/plan"]}}
    assert recorder.read_set.events == {"run.started": ("",)}


@pytest.mark.parametrize(
    "copier", [copy.copy, copy.deepcopy, lambda d: d.copy()], ids=["copy", "deep", "method"]
)
def test_copies_are_tracked_and_note_into_the_same_recording(copier: Any) -> None:
    recorder, delivery = tracked()
    twin = copier(delivery)
    assert twin == delivery
    assert isinstance(twin, TrackedDict)
    assert twin["project_code"] == "ID"
    assert recorder.read_set.events == {"run.started": ("/project_code",)}


def test_a_deep_copy_is_independent_of_the_original() -> None:
    _, delivery = tracked()
    twin = copy.deepcopy(delivery)
    twin["payload"]["plan"]["title"] = "changed"
    assert delivery["payload"]["plan"]["title"] != "changed"


def test_a_list_of_a_tracked_delivery_is_a_list_that_notes_its_items_as_star() -> None:
    recorder = ReadRecorder()
    delivery = recorder.delivery("case.created")
    steps = delivery["payload"]["steps"]
    assert isinstance(steps, list)
    assert isinstance(steps, TrackedList)
    assert steps == sample_delivery("case.created")["payload"]["steps"]
    assert steps[0]["action"]
    assert steps[-1]["position"] >= 1
    assert recorder.read_set.events == {
        "case.created": ("/payload/steps/*/action", "/payload/steps/*/position")
    }


def test_reads_by_key_get_and_in_are_noted_and_missing_keys_too() -> None:
    recorder, delivery = tracked()
    payload = delivery["payload"]
    assert payload["id"]
    assert payload.get("title")
    assert "environment" in payload
    assert payload.get("plan_id") is None
    with pytest.raises(KeyError):
        payload["statuss"]
    assert recorder.read_set.events == {
        "run.started": (
            "/payload/environment",
            "/payload/id",
            "/payload/plan_id",
            "/payload/statuss",
            "/payload/title",
        )
    }


def test_an_object_looked_into_counts_through_what_was_read_inside_it() -> None:
    recorder, delivery = tracked(plan={"id": 3, "title": "Smoke"})
    plan = delivery["payload"]["plan"]
    if plan is not None:
        assert plan["title"] == "Smoke"
    assert recorder.read_set.events == {"run.started": ("/payload/plan/title",)}


def test_an_object_only_taken_by_key_is_not_read() -> None:
    recorder, delivery = tracked()
    payload = delivery["payload"]
    if delivery["event_name"] != "run.started":
        raise AssertionError(payload)  # the payload of an event the consumer ignores
    assert recorder.read_set.events == {"run.started": ("/event_name",)}


def test_a_value_read_as_null_counts_unless_another_read_looked_inside_it() -> None:
    recorder = ReadRecorder()
    assert recorder.delivery("run.started", {"plan": None})["payload"]["plan"] is None
    assert recorder.read_set.events == {"run.started": ("/payload/plan",)}
    assert recorder.delivery("run.started")["payload"]["plan"]["title"]
    assert recorder.read_set.events == {"run.started": ("/payload/plan/title",)}


def test_map_keys_are_written_as_stars() -> None:
    recorder = ReadRecorder()
    delivery = recorder.delivery("plan.updated", {"cases": {"7": 1, "8": 2}})
    cases = delivery["payload"]["cases"]
    assert cases["7"] + cases["8"] == 3
    assert recorder.read_set.events == {"plan.updated": ("/payload/cases/*",)}


@pytest.mark.parametrize(
    "read_whole",
    [
        pytest.param(lambda cases: sorted(cases), id="iterate"),
        pytest.param(lambda cases: list(cases.items()), id="items"),
        pytest.param(lambda cases: sum(cases.values()), id="values"),
        pytest.param(lambda cases: dict(cases), id="dict"),
        pytest.param(lambda cases: json.dumps(cases), id="json"),
    ],
)
def test_an_object_iterated_or_serialised_counts_as_read_whole(read_whole: Any) -> None:
    recorder = ReadRecorder()
    cases = recorder.delivery("plan.updated", {"cases": {"7": 1}})["payload"]["cases"]
    read_whole(cases)
    assert cases["7"] == 1  # below what is read whole: not listed again
    assert recorder.read_set.events == {"plan.updated": ("/payload/cases",)}


def test_an_array_iterated_or_sliced_counts_as_read_whole() -> None:
    recorder = ReadRecorder()
    steps = recorder.delivery("case.created")["payload"]["steps"]
    assert list(steps)
    assert recorder.read_set.events == {"case.created": ("/payload/steps",)}
    other = ReadRecorder()
    assert other.delivery("case.created")["payload"]["attachments"][:1] is not None
    assert other.read_set.events == {"case.created": ("/payload/attachments",)}


def test_values_a_test_puts_in_are_tracked_when_read() -> None:
    recorder, delivery = tracked()
    delivery["payload"]["plan"] = {"id": 1, "title": "new"}
    delivery["payload"].update(extra=[{"a": 1}])
    assert delivery["payload"]["plan"]["id"] == 1
    assert delivery["payload"]["extra"][0]["a"] == 1
    assert recorder.read_set.events == {"run.started": ("/payload/extra/*/a", "/payload/plan/id")}


def test_pop_and_setdefault_are_reads() -> None:
    recorder, delivery = tracked()
    assert delivery["payload"].pop("title")
    assert delivery["payload"].setdefault("cases_count", 0) == 14
    assert recorder.read_set.events == {"run.started": ("/payload/cases_count", "/payload/title")}


def test_validating_a_tracked_delivery_notes_nothing() -> None:
    recorder, delivery = tracked()
    assert Validator().validate(delivery).ok
    assert_conforms(delivery, event="run.started")
    assert recorder.recorded() == {"run.started": {"read": [], "whole": []}}


def test_a_delivery_without_an_event_name_is_tracked_without_recording() -> None:
    recorder = ReadRecorder()
    delivery = recorder.track({"payload": {"id": 1}})
    assert delivery["payload"]["id"] == 1
    assert recorder.recorded() == {}


def test_any_mapping_can_be_tracked_and_keys_with_slashes_are_escaped() -> None:
    recorder = ReadRecorder()
    delivery = recorder.track({"event_name": "run.started", "payload": {"a/b": {"~c": 1}}})
    assert delivery["payload"]["a/b"]["~c"] == 1
    assert recorder.recorded() == {"run.started": {"read": ["/payload/a~1b/~0c"], "whole": []}}


def test_a_deeply_nested_delivery_is_tracked_and_copied_without_recursion() -> None:
    nested: Any = 1
    for _ in range(5000):
        nested = {"x": nested}
    recorder = ReadRecorder()
    delivery = recorder.track({"event_name": "run.started", "payload": nested})
    assert plain(delivery)["payload"]["x"]["x"]["x"] is not None


def test_what_one_recorder_recorded_another_adds_as_its_own() -> None:
    worker, delivery = tracked()
    assert delivery["payload"]["plan"]["id"]
    assert delivery["payload"]["cases_count"]
    assert sorted(delivery["payload"]["plan"])
    controller = ReadRecorder()
    controller.add(json.loads(json.dumps(worker.recorded())))
    assert controller.read_set == worker.read_set


def test_record_reads_hands_out_deliveries_and_gives_the_read_set_after_the_block() -> None:
    with record_reads() as reads:
        delivery = reads.delivery("run.completed", {"passed": 3})
        assert delivery["payload"]["passed"] == 3
        other = reads.track(sample_delivery("case.created"))
        assert other["payload"]["automation"]["id"] == 1
    assert reads.read_set == ReadSet.of(
        {"case.created": ["/payload/automation/id"], "run.completed": ["/payload/passed"]}
    )


def test_record_reads_into_a_file_merges_with_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "reads.json"
    ReadSet.of({"run.completed": ["/payload/id"], "case.*": ["/payload/title"]}).write(path)
    with record_reads(path) as reads:
        assert reads.delivery("run.completed")["payload"]["failed"] == 0
    assert ReadSet.read(path).events == {
        "case.*": ("/payload/title",),
        "run.completed": ("/payload/failed", "/payload/id"),
    }


def test_assert_conforms_names_the_read_path_a_finding_breaks() -> None:
    validator = Validator(reads=ReadSet.of({"run.started": ["/payload/plan/id"]}))
    broken = sample_delivery("run.started", {"plan": "Smoke", "title": None})
    with pytest.raises(AssertionError) as failed:
        assert_conforms(broken, validator=validator)
    assert str(failed.value).splitlines() == [
        "run.started delivery does not conform to the Qase webhook contract: 2 violations; "
        "1 of them affects what you read",
        '  /payload/plan: expected object or null, actual string "Smoke"  '
        "[violation wrong-type; affects read /payload/plan/id]",
        "  /payload/title: expected string, actual null  [violation null-not-allowed; not read]",
    ]


def test_assert_conforms_passes_a_delivery_whose_findings_the_consumer_does_not_read() -> None:
    validator = Validator(reads=ReadSet.of({"run.started": ["/payload/id"]}))
    result = assert_conforms(sample_delivery("run.started", {"title": None}), validator=validator)
    assert result.status == "violation"
    assert result.ok


def test_sessions_writing_one_file_together_each_add_their_reads(tmp_path: Path) -> None:
    import multiprocessing

    path = tmp_path / "reads.json"
    events = [
        "run.started",
        "run.completed",
        "case.created",
        "suite.created",
        "plan.created",
        "milestone.created",
    ]
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_record_one, args=(path, event)) for event in events]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0] * len(events)
    assert sorted(ReadSet.read(path).events) == sorted(events)


def _record_one(path: Path, event: str) -> None:
    with record_reads(path) as reads:
        assert reads.delivery(event)["project_code"]
