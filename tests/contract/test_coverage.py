"""A read-set against the contract: mistakes, risks, coverage and generalised map keys."""

from __future__ import annotations

import pytest

from qase_contract.contract import ReadSet, SchemaSet
from qase_contract.contract._coverage import (
    Miss,
    check_reads,
    coverage,
    follow,
    generalized,
)
from qase_contract.contract._tree import ContractNode


def items(events: dict[str, list[str]]) -> list[tuple[str, str, str | None, tuple[str, ...], str]]:
    return [
        (item.level, item.pattern, item.path, item.events, item.message)
        for item in check_reads(ReadSet.of(events), SchemaSet.builtin())
    ]


def test_a_read_path_no_event_has_is_an_error_with_did_you_mean() -> None:
    assert items({"review.approval_status_changed": ["/payload/statuss"]}) == [
        (
            "error",
            "review.approval_status_changed",
            "/payload/statuss",
            ("review.approval_status_changed",),
            "/payload/statuss: no such field in review.approval_status_changed; "
            "did you mean /payload/status?",
        )
    ]


def test_a_read_path_below_a_plain_value_is_an_error() -> None:
    ((level, _, _, _, message),) = items({"run.completed": ["/payload/id/value"]})
    assert (level, message) == ("error", "/payload/id/value: no such field in run.completed")


def test_an_event_name_or_pattern_that_matches_no_event_is_an_error() -> None:
    assert items({"run.finished": [], "sute.*": ["/payload/id"]}) == [
        (
            "error",
            "run.finished",
            None,
            (),
            "event 'run.finished' matches no event of the contract; did you mean run.started?",
        ),
        ("error", "sute.*", None, (), "pattern 'sute.*' matches no event of the contract"),
    ]


def test_a_nullable_field_is_a_warning_that_says_when_in_the_contracts_words() -> None:
    assert items({"run.started": ["/payload/environment", "/payload/plan/id", "/payload/id"]}) == [
        (
            "warning",
            "run.started",
            "/payload/environment",
            ("run.started",),
            '/payload/environment can be null: "Slug of the run\'s environment, or null."',
        ),
        (
            "warning",
            "run.started",
            "/payload/plan/id",
            ("run.started",),
            "/payload/plan/id is absent when /payload/plan is null: "
            '"Plan the run was created from, or null."',
        ),
    ]


def test_an_optional_field_is_a_warning_and_a_closed_set_a_note() -> None:
    found = items({"case.updated": ["/payload/automation/id"]})
    assert found == [
        (
            "warning",
            "case.updated",
            "/payload/automation/id",
            ("case.updated",),
            "/payload/automation/id is absent when /payload/automation is absent (not required): "
            '"Automation system field."',
        ),
        (
            "note",
            "case.updated",
            "/payload/automation/id",
            ("case.updated",),
            "/payload/automation/id is one of a closed set (0, 1, 2): a value Qase adds arrives as "
            "unknown-value drift, which affects you",
        ),
    ]


def test_a_pattern_groups_what_holds_for_several_events_and_names_them() -> None:
    found = items({"case.*": ["/payload/title"]})
    assert found == [
        (
            "warning",
            "case.*",
            "/payload/title",
            ("case.cloned", "case.deleted", "case.updated"),
            '/payload/title can be absent (not required): "Case title."',
        )
    ]


def test_a_path_some_matched_events_lack_is_a_warning_naming_them() -> None:
    found = items({"run.*": ["/payload/cases_count"]})
    assert found[0][:2] == ("warning", "run.*")
    assert "is not in the contract of run.aborted, run.completed, run.deleted" in found[0][4]
    assert "run.started" not in found[0][3]


def test_a_path_every_matched_event_lacks_is_an_error_naming_the_pattern() -> None:
    ((level, _, _, events, message),) = items({"milestone.*": ["/payload/statuss"]})
    assert level == "error"
    assert events == ("milestone.created", "milestone.deleted", "milestone.updated")
    assert message.startswith("/payload/statuss: no such field in any of the 3 events 'milestone.*' matches")


def test_array_items_and_map_entries_are_read_through_a_star_or_an_index() -> None:
    assert items({"plan.updated": ["/payload/cases/*", "/payload/cases/1033"]}) == []
    assert items({"case.created": ["/payload/steps/*/action", "/payload/steps/0/action"]}) == []


def test_a_star_on_an_object_with_declared_keys_is_an_error() -> None:
    ((level, _, _, _, message),) = items({"run.started": ["/payload/*"]})
    assert (level, message) == ("error", "/payload/*: no such field in run.started")


def test_a_misspelt_segment_is_suggested_in_place_with_the_rest_of_the_path() -> None:
    ((_, _, _, _, message),) = items({"run.started": ["/payload/plann/title"]})
    assert message == "/payload/plann/title: no such field in run.started; did you mean /payload/plan/title?"


def test_below_a_place_the_contract_leaves_open_anything_is_accepted() -> None:
    anything = ContractNode(types=frozenset({"object"}))
    tree = ContractNode(types=frozenset({"object"}), properties={"payload": anything}, closed=True)
    steps = follow(tree, "/payload/anything/below")
    assert not isinstance(steps, Miss)
    assert [step.pointer for step in steps] == ["/payload"]
    assert follow(tree, "/other") == Miss("", ("payload",))


def test_coverage_lists_the_documented_fields_and_which_are_read() -> None:
    read_set = ReadSet.of({"run.started": ["/payload/id", "/payload/plan/id", "/payload/statuss"]})
    covered = coverage(read_set, SchemaSet.builtin())
    (event,) = covered.events
    assert event.event == "run.started"
    assert event.patterns == ("run.started",)
    assert [(field.path, field.types, field.read) for field in event.fields] == [
        ("/event_name", "string", False),
        ("/timestamp", "integer", False),
        ("/payload/id", "integer", True),
        ("/payload/title", "string", False),
        ("/payload/description", "string or null", False),
        ("/payload/plan/id", "integer", True),
        ("/payload/plan/title", "string", False),
        ("/payload/cases_count", "integer", False),
        ("/payload/environment", "string or null", False),
        ("/team_member_id", "integer", False),
        ("/project_code", "string", False),
    ]
    assert event.read_count == 2
    assert event.risky == {
        "/payload/plan/id": (
            "/payload/plan/id is absent when /payload/plan is null: "
            '"Plan the run was created from, or null."',
        )
    }
    assert event.undocumented == ("/payload/statuss",)
    assert len(covered.unread_events) == 39


def test_reading_an_object_reads_every_field_inside_it() -> None:
    covered = coverage(ReadSet.of({"run.started": ["/payload/plan"]}), SchemaSet.builtin())
    assert [field.path for field in covered.events[0].fields if field.read] == [
        "/payload/plan/id",
        "/payload/plan/title",
    ]


@pytest.mark.parametrize(
    ("recorded", "generalised"),
    [
        pytest.param("/payload/cases/1033", "/payload/cases/*", id="map-key"),
        pytest.param("/payload/id", "/payload/id", id="declared-key"),
        pytest.param("/payload/undocumented/7", "/payload/undocumented/7", id="unknown-key-kept"),
    ],
)
def test_generalising_writes_the_map_keys_a_recording_saw_as_stars(recorded: str, generalised: str) -> None:
    read_set = generalized(ReadSet.of({"plan.updated": [recorded]}), SchemaSet.builtin())
    assert read_set.events == {"plan.updated": (generalised,)}


def test_generalising_leaves_patterns_and_unknown_events_as_they_are() -> None:
    read_set = ReadSet.of({"plan.*": ["/payload/cases/1"], "result.created": ["/payload/cases/1"]})
    assert generalized(read_set, SchemaSet.builtin()) == read_set


def test_custom_field_ids_under_case_custom_fields_become_stars() -> None:
    recorded = ReadSet.of({"case.created": ["/payload/custom_fields/0/value", "/payload/steps/3/action"]})
    assert generalized(recorded, SchemaSet.builtin()).events == {
        "case.created": ("/payload/custom_fields/*/value", "/payload/steps/*/action")
    }
