"""The observed profile: wildcard paths, maps, caps with notes, secrets and free text kept out."""

from __future__ import annotations

import re
from typing import Any

import pytest

from qase_contract import Validator
from qase_contract.drift import CorpusProfile, compare
from qase_contract.drift import _profile as profile_module
from qase_contract.drift._baseline import baseline_data
from qase_contract.drift._shape import observed_schema
from qase_contract.sources._model import Delivery, Location
from tests.helpers.data import case_files, case_input, example_files, load_json
from tests.helpers.drift import changed, example


def profile_of(*deliveries: object) -> CorpusProfile:
    return CorpusProfile.of(
        Delivery(body, Location("corpus.jsonl", line=n)) for n, body in enumerate(deliveries, 1)
    )


def test_array_items_share_a_wildcard_path() -> None:
    steps = example("case.created")["payload"]["steps"]
    delivery = changed("case.created", steps=[*steps, {**steps[0], "position": "2", "shared_hash": "ab"}])
    event = compare(profile_of(delivery)).events["case.created"]
    assert [item.path for item in event.undocumented_fields] == ["/payload/steps/*/shared_hash"]
    assert [(item.path, item.seen) for item in event.type_changes] == [
        ("/payload/steps/*/position", {"string": 1, "integer": 1})
    ]


def test_the_keys_of_a_map_share_one_path_so_case_ids_do_not_grow_the_profile() -> None:
    cases = {str(case_id): 0 for case_id in range(2_000)}
    profile = profile_of(changed("plan.created", cases=cases), changed("plan.created", cases={"7": "x"}))
    event = profile.events["plan.created"]
    assert event.nodes < 20
    drift = compare(profile).events["plan.created"]
    assert [(item.path, item.seen) for item in drift.type_changes] == [
        ("/payload/cases/*", {"string": 1, "integer": 2_000})
    ]


def test_a_whole_number_written_as_a_float_counts_as_an_integer() -> None:
    report = compare(profile_of(changed("milestone.created", id=70673.0)))
    assert not report.events["milestone.created"].differs


def test_records_without_an_event_are_counted_by_reason_with_their_first_location() -> None:
    legacy = b'{"event": "case.created", "timestamp": 1570000000, "payload": {}}'
    report = compare(profile_of(b"\xef\xbb\xbf{}", b"[1]", legacy, b'{"event": "case.created"}', b"[2]"))
    assert [(item.reason, item.count, item.first_location) for item in report.skipped] == [
        ("legacy-envelope", 1, "corpus.jsonl:3"),
        ("no-event-name", 1, "corpus.jsonl:4"),
        ("not-an-object", 2, "corpus.jsonl:2"),
        ("unparsable", 1, "corpus.jsonl:1"),
    ]
    assert report.deliveries == 5


def test_free_text_keeps_a_few_clipped_examples_and_no_value_set() -> None:
    texts = [changed("milestone.created", notes="x" * 500 + str(n)) for n in range(30)]
    profile = profile_of(*texts)
    node = profile.events["milestone.created"].root.children["payload"].children["notes"]
    assert node.values is None
    assert node.sample() == ["x" * 63 + "…"]
    field = compare(profile).events["milestone.created"].undocumented_fields[0]
    assert field.examples == ("x" * 63 + "…",)


def test_a_field_named_like_a_credential_keeps_no_value_anywhere() -> None:
    profile = profile_of(*[changed("milestone.created", webhook_secret="hunter2")] * 5)
    node = profile.events["milestone.created"].root.children["payload"].children["webhook_secret"]
    assert node.values is None
    assert node.sample() == []
    assert "hunter2" not in repr(observed_schema(node))
    assert "hunter2" not in repr(baseline_data(profile))


def test_small_repeated_value_sets_look_closed_and_free_text_does_not() -> None:
    deliveries = [
        changed("milestone.created", state=state, note=f"note {n}") for n, state in enumerate("ab" * 4)
    ]
    payload = profile_of(*deliveries).events["milestone.created"].root.children["payload"]
    assert observed_schema(payload.children["state"]) == {"type": "string", "enum": ["a", "b"]}
    assert observed_schema(payload.children["note"]) == {"type": "string"}
    assert observed_schema(payload.children["state"], value_sets="examples") == {
        "type": "string",
        "examples": ["a", "b"],
    }


def test_too_many_keys_are_capped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile_module, "MAX_KEYS_PER_OBJECT", 10)
    extra = {f"key{n}": n for n in range(50)}
    profile = profile_of(changed("milestone.created", extra=extra))
    event = profile.events["milestone.created"]
    assert len(event.root.children["payload"].children["extra"].children) == 10
    assert compare(profile).events["milestone.created"].notes == [
        "milestone.created: more than 10 keys in one object or 5000 paths in all; "
        "further keys are not profiled"
    ]


def test_deep_nesting_is_profiled_to_a_depth_with_a_note() -> None:
    deep: Any = 1
    for _ in range(2_000):
        deep = [deep]
    report = compare(profile_of(changed("milestone.created", deep=deep)))
    event = report.events["milestone.created"]
    assert event.notes == ["milestone.created: values nested deeper than 32 levels are not profiled"]
    assert [item.path for item in event.undocumented_fields] == ["/payload/deep"]


def test_too_many_event_names_are_counted_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile_module, "MAX_EVENTS", 3)
    report = compare(profile_of(*[{**example("case.deleted"), "event_name": f"x.e{n}"} for n in range(5)]))
    assert list(report.events) == ["x.e0", "x.e1", "x.e2"]
    assert report.notes == [
        "more than 3 distinct event names: 2 deliveries of further events were counted but not profiled"
    ]


SHAPE_CODES = {
    "unknown-field",
    "unknown-value",
    "wrong-type",
    "null-not-allowed",
    "missing-field",
    "unknown-event",
    "out-of-range",
    "bad-format",
}


def drift_codes(body: object) -> set[tuple[str, str]]:
    found = set()
    for event in compare(profile_of(body)).events.values():
        found |= {("unknown-event", "/event_name")} if not event.known else set()
        found |= {("unknown-field", item.path) for item in event.undocumented_fields}
        found |= {("wrong-type", item.path) for item in event.type_changes}
        found |= {("null-not-allowed", item.path) for item in event.forbidden_nulls}
        found |= {("unknown-value", item.path) for item in event.unknown_values}
        found |= {("missing-field", item.path) for item in event.missing_required_fields}
        found |= {
            (item.code, item.path + "/*" if item.keyword == "propertyNames" else item.path)
            for item in event.limit_breaks
        }
    return found


def validator_codes(body: object) -> set[tuple[str, str]]:
    found = set()
    for finding in Validator().validate(body).findings:
        path = re.sub(r"/-?\d+(?=/|$)", "/*", finding.path)  # array indexes and case-id keys
        if "propertyNames" in finding.schema_path:  # the key that breaks it, whatever it is
            path = finding.path.rsplit("/", 1)[0] + "/*"
        if finding.code == "not-an-object":  # the validator's name for a payload of another type
            found.add(("null-not-allowed" if finding.actual == "null" else "wrong-type", path))
        elif finding.code in SHAPE_CODES:
            found.add((finding.code, path))
    return found


DELIVERIES = [load_json(path) for path in example_files()] + [
    case_input(case) for case in map(load_json, case_files())
]


@pytest.mark.parametrize(
    "body",
    [body for body in DELIVERIES if isinstance(body, dict) and isinstance(body.get("event_name"), str)],
)
def test_the_profile_finds_the_shape_changes_the_validator_finds(body: dict[str, Any]) -> None:
    assert drift_codes(body) == validator_codes(body)


def test_a_long_unknown_value_of_a_closed_set_is_kept_cut_short_and_counted() -> None:
    long_status = "x" * 10_000
    report = compare(profile_of(*[changed("review.approval_status_changed", status=long_status)] * 3))
    [unknown] = report.events["review.approval_status_changed"].unknown_values
    assert [(item.value, item.count) for item in unknown.values] == [("x" * 255 + "…", 3)]


def test_each_events_observed_shape_accepts_every_delivery_it_was_inferred_from() -> None:
    from jsonschema import Draft202012Validator

    bodies = [load_json(path) for path in example_files()]
    profile = profile_of(*bodies)
    for body in bodies:
        schema = observed_schema(profile.events[body["event_name"]].root)
        assert Draft202012Validator(schema).is_valid(body), body["event_name"]


def test_huge_event_names_and_keys_are_counted_but_not_kept() -> None:
    from qase_contract.drift._profile import MAX_NAME_LENGTH

    long_name, long_key = "e." + "x" * 1_000_000, "k" * 1_000_000
    profile = CorpusProfile.of(
        [
            Delivery({"event_name": long_name, "payload": {}}, Location("c.jsonl", 1)),
            Delivery({"event_name": "run.deleted", "payload": {long_key: 1, "id": 1}}, Location("c", 2)),
        ]
    )
    assert profile.skipped["event-name-too-long"].count == 1
    assert long_name not in profile.events
    event = profile.events["run.deleted"]
    assert set(event.root.children["payload"].children) == {"id"}
    assert event.notes == [f"run.deleted: keys over {MAX_NAME_LENGTH} characters are not profiled"]
