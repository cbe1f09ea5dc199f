"""Bad input gives a finding, never an exception (issue: the contract and the core)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from qase_contract import validate
from qase_contract.validation import _parsing


def only_finding(delivery: object) -> tuple[str, str, str]:
    result = validate(delivery)
    assert len(result.findings) == 1, result.findings
    finding = result.findings[0]
    return finding.code, finding.path, finding.message


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"event_name": "run.deleted", "payload": {', "not valid JSON"),
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"event_name": NaN}', "not valid JSON"),
        (b'{"timestamp": Infinity}', "not valid JSON"),
        (b'{"event_name": "case.created\xff"}', "not valid UTF-8: byte 0xff at offset 28"),
        (b"\xef\xbb\xbf{}", "byte order mark"),
        ("\ufeff{}", "byte order mark"),
        (b"\x00\x01\x02binary", "not valid JSON"),
        (b"[" * 10_000 + b"]" * 10_000, "not valid JSON"),
        (b'{"timestamp": 1e400}', "not valid JSON"),
    ],
)
def test_an_unreadable_body_is_one_unparsable_violation_that_says_why(body: bytes | str, reason: str) -> None:
    code, path, message = only_finding(body)
    assert (code, path) == ("unparsable", "")
    assert reason in message


def test_the_parser_position_is_in_the_message() -> None:
    _, _, message = only_finding(b'{"event_name": "run.deleted",\n "payload": }')
    assert "line 2" in message


@pytest.mark.parametrize(
    ("body", "json_type"), [(b"[]", "array"), (b'"x"', "string"), (b"3", "integer"), (b"null", "null")]
)
def test_a_body_that_is_not_an_object_is_not_an_object(body: bytes, json_type: str) -> None:
    code, path, message = only_finding(body)
    assert (code, path) == ("not-an-object", "")
    assert json_type in message


def test_deep_nesting_inside_a_parsed_delivery_is_checked_without_error(canonical: dict[str, Any]) -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(10_000):
        node["a"] = {}
        node = node["a"]
    canonical["payload"]["nested"] = deep
    result = validate(canonical)
    assert [(f.code, f.path) for f in result.findings] == [("unknown-field", "/payload/nested")]


@pytest.mark.parametrize("container", ["object", "array"])
def test_a_big_integer_deep_inside_a_parsed_delivery_is_checked_without_error(
    canonical: dict[str, Any], container: str
) -> None:
    deep: Any = 2**70  # past 64 bits: the value is copied with it as a float
    for _ in range(5_000):
        deep = {"a": deep} if container == "object" else [deep]
    canonical["payload"]["nested"] = deep
    result = validate(canonical)
    assert [(f.code, f.path) for f in result.findings] == [("unknown-field", "/payload/nested")]


def test_deep_nesting_in_json_text_is_refused_by_the_parser_not_by_a_crash() -> None:
    body = '{"event_name": "run.deleted", "payload": ' + '{"a": ' * 10_000 + "1" + "}" * 10_000 + "}"
    code, _, message = only_finding(body)
    assert code == "unparsable"
    assert "depth" in message


@pytest.mark.parametrize("number", [10**30, -(10**30), 2**64])
def test_huge_integers_are_judged_not_crashed_on(canonical: dict[str, Any], number: int) -> None:
    canonical["payload"]["id"] = number
    result = validate(canonical)
    assert result.ok
    canonical["timestamp"] = number
    assert "out-of-range" in {f.code for f in validate(canonical).findings}


def test_huge_integers_in_json_text_are_judged(canonical: dict[str, Any]) -> None:
    canonical["timestamp"] = 10**30
    result = validate(json.dumps(canonical))
    assert [(f.code, f.path) for f in result.findings] == [("out-of-range", "/timestamp")]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({1, 2}, "set at /payload/title has no JSON form"),
        (("a",), "tuple at /payload/title has no JSON form"),
        (float("nan"), "nan at /payload/title is not a JSON number"),
        (10**5000, "the integer at /payload/title is too large"),
        ({1: "x"}, "the key 1 at /payload/title is not a string"),
        ("caf\ud800", "the text at /payload/title holds a lone surrogate"),
        ({"\udcff": 1}, "the key '\\udcff' at /payload/title holds a lone surrogate"),
    ],
    ids=["set", "tuple", "nan", "huge-int", "int-key", "lone-surrogate", "lone-surrogate-key"],
)
def test_python_values_without_a_json_form_are_one_unparsable_finding(
    canonical: dict[str, Any], value: object, reason: str
) -> None:
    canonical["payload"]["title"] = value
    result = validate(canonical)
    assert [(f.code, f.path) for f in result.findings] == [("unparsable", "")]
    assert reason in result.findings[0].message


def test_the_place_of_a_value_without_a_json_form_is_its_escaped_pointer_at_any_depth(
    canonical: dict[str, Any],
) -> None:
    node = canonical["payload"]["extra"] = {}
    for _ in range(3):
        node["a/b"] = [0, {}]
        node = node["a/b"][1]
    node["~k"] = float("inf")
    message = validate(canonical).findings[0].message
    assert "inf at /payload/extra/a~1b/1/a~1b/1/a~1b/1/~0k is not a JSON number" in message


def test_checking_python_data_renders_no_place_unless_it_reports_one(
    canonical: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pointer per node would cost the depth at every level: quadratic on a deep value (seen
    by benchmarks/bench_time_bound.py, 2.4 µs per byte at 1 MiB against 0.3 at 4 KiB)."""
    rendered: list[object] = []
    monkeypatch.setattr(_parsing, "pointer", lambda parts: rendered.append(parts) or "/x")
    node = canonical["payload"]["extra"] = {}
    for _ in range(1_000):
        node["a"] = [{}]
        node = node["a"][0]
    assert validate(canonical).status == "drift"
    assert rendered == []


@pytest.mark.parametrize("depth", [1_000, 10_000])
def test_deep_unknown_fields_of_any_event_are_drift_not_a_crash(depth: int) -> None:
    delivery: dict[str, Any] = {
        "event_name": "run.deleted",
        "timestamp": 1650540289,
        "payload": {"id": 1},
        "team_member_id": 40,
        "project_code": "ID",
    }
    node = delivery["extra"] = {}
    for _ in range(depth):
        node["a"] = {}
        node = node["a"]
    result = validate(delivery)
    assert [(f.code, f.path) for f in result.findings] == [("unknown-field", "/extra")]
    assert len(result.findings[0].actual or "") <= 60


def test_a_lone_surrogate_in_text_is_unparsable() -> None:
    code, _, message = only_finding('{"event_name": "run.deleted\ud800"}')
    assert code == "unparsable"
    assert "UTF-8" in message


@pytest.mark.parametrize(
    ("event", "field", "value"),
    [("review.created", "created", "2022-04-21 09:47:38\n"), ("plan.created", "cases", {"1\n": 0})],
)
def test_a_trailing_newline_does_not_satisfy_an_anchored_pattern(
    event: str, field: str, value: object
) -> None:
    from tests.helpers.data import EXAMPLES, load_json

    delivery = load_json(EXAMPLES / event / "canonical.json")
    delivery["payload"][field] = value
    expected_path = f"/payload/{field}" if isinstance(value, str) else f"/payload/{field}/1\n"
    assert [(f.code, f.path) for f in validate(delivery).findings] == [("bad-format", expected_path)]


def test_text_bytes_and_data_give_the_same_verdict(canonical: dict[str, Any]) -> None:
    canonical["payload"]["priority"] = "high"
    text = json.dumps(canonical)
    verdicts = {validate(form).findings for form in (canonical, text, text.encode())}
    assert len(verdicts) == 1
