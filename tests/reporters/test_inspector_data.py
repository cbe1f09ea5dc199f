"""What the inspector page is sent: summaries cut short, bodies laid out one member per line with
their pointers, server-sent events on one line each."""

from __future__ import annotations

import orjson
import pytest

from qase_contract.findings import make_finding
from qase_contract.live._receiver import Receipt
from qase_contract.reporters._inspector import (
    MAX_LINES,
    SUMMARY_TEXT,
    body_data,
    delivery_summary,
    event_message,
    pretty_lines,
    search_text,
)


def test_a_body_is_laid_out_one_member_per_line_with_its_pointer() -> None:
    text = '{"event_name":"run.deleted","payload":{"id":1,"tags":["a",{"x/y":null}],"empty":{}},"a~b":[]}'
    assert pretty_lines(text) == [
        (0, "", "{"),
        (1, "/event_name", '"event_name": "run.deleted",'),
        (1, "/payload", '"payload": {'),
        (2, "/payload/id", '"id": 1,'),
        (2, "/payload/tags", '"tags": ['),
        (3, "/payload/tags/0", '"a",'),
        (3, "/payload/tags/1", "{"),
        (4, "/payload/tags/1/x~1y", '"x/y": null'),
        (3, None, "}"),
        (2, None, "],"),
        (2, "/payload/empty", '"empty": {}'),
        (1, None, "},"),
        (1, "/a~0b", '"a~b": []'),
        (0, None, "}"),
    ]


def test_numbers_keep_their_digits_and_duplicate_keys_are_all_shown() -> None:
    lines = pretty_lines('{"big": 12345678901234567890123, "f": 1.50e3, "k": 1, "k": 2}')
    assert lines is not None
    assert [text for _, _, text in lines[1:-1]] == [
        '"big": 12345678901234567890123,',
        '"f": 1.50e3,',
        '"k": 1,',
        '"k": 2',
    ]


def test_strings_are_shown_as_json_with_control_characters_escaped() -> None:
    lines = pretty_lines('["é\\u0007<b>"]')
    assert lines == [(0, "", "["), (1, "/0", '"é\\u0007<b>"'), (0, None, "]")]


@pytest.mark.parametrize(
    "text", ['{"a": 1', "NaN", '{"a": Infinity}', "[" * 5000 + "]" * 5000, "", "not json"], ids=repr
)
def test_what_is_not_json_has_no_lines(text: str) -> None:
    assert pretty_lines(text) is None


def test_a_body_of_too_many_lines_is_shown_raw() -> None:
    assert pretty_lines(orjson.dumps(list(range(MAX_LINES))).decode()) is None
    assert body_data(orjson.dumps(list(range(MAX_LINES))))["lines"] is None


def test_a_body_that_is_not_utf8_is_sent_as_base64_without_lines() -> None:
    data = body_data(b'{"x": "\xff"}')
    assert data == {
        "size": 10,
        "encoding": "base64",
        "text": "eyJ4IjogIv8ifQ==",
        "complete": True,
        "lines": None,
    }


def test_a_summary_cuts_what_a_client_controls_short_and_escapes_control_characters() -> None:
    long_event = "run." + "x" * 10_000
    finding = make_finding("unknown-event", "/event_name", "m" * 10_000)
    receipt = Receipt(
        received_at="2026-12-01T10:00:00.000000Z",
        status=200,
        method="POST",
        path="/hooks\r\nX",
        remote_addr="127.0.0.1",
        body=b"{}",
        event=long_event,
        verdict="drift",
        findings=(finding,),
    )
    summary = delivery_summary(receipt, 7)
    assert len(str(summary["event"])) == SUMMARY_TEXT
    assert str(summary["event"]).endswith("…")
    assert summary["path"] == "/hooks\\x0d\\x0aX"
    first = summary["first"]
    assert isinstance(first, dict)
    assert len(first["message"]) == SUMMARY_TEXT
    assert summary["verdict"] == "drift"
    assert summary["id"] == 7
    assert "run.xxx" in search_text(summary)


def test_a_refused_request_is_summarised_as_rejected() -> None:
    receipt = Receipt(
        received_at="t", status=401, method="POST", path="/", remote_addr=None, reason="no secret"
    )
    summary = delivery_summary(receipt, 1)
    assert (summary["verdict"], summary["status"], summary["reason"], summary["size"]) == (
        "rejected",
        401,
        "no secret",
        0,
    )


def test_a_server_sent_event_is_three_lines_and_a_blank_one() -> None:
    message = event_message(12, "delivery", {"event": "a\nb", "data": "id: 3"})
    assert message == b'id: 12\nevent: delivery\ndata: {"event":"a\\nb","data":"id: 3"}\n\n'
