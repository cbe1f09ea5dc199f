"""The receiver as a WSGI application, called directly: every branch of a request's handling."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest

from qase_contract.errors import SchemaSetError
from qase_contract.live._app import create_app
from qase_contract.live._receiver import Receipt
from qase_contract.reporters._live import live_line
from qase_contract.sources._capture import CaptureWriter, iter_capture, parse_line
from qase_contract.validation._validator import Validator
from tests.helpers.live import (
    DELIVERY,
    JSON_HEADERS,
    SECRET,
    Lines,
    Unreadable,
    call,
    environ,
    make_receiver,
)
from tests.helpers.overlays import RESULT_CREATED, result_delivery, write_schema


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    return tmp_path / "capture.jsonl"


def records(capture: Path) -> list[Any]:
    return [record for _, record in iter_capture(capture)] if capture.exists() else []


def test_a_delivery_with_the_right_secret_is_recorded_before_it_is_acknowledged(capture: Path) -> None:
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer)
        seen_at_answer: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            seen_at_answer.append(capture.read_bytes())

        body = b"".join(app(environ(), start_response))
    assert orjson.loads(body) == {
        "accepted": True,
        "event_name": "case.created",
        "verdict": "conforming",
        "recorded": True,
    }
    assert parse_line(seen_at_answer[0]).body == DELIVERY
    [record] = records(capture)
    assert record.status == 200
    assert record.method == "POST"
    assert record.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json", "X-Qase-Secret": "wrong"},
        {"Content-Type": "application/json", "X-Qase-Secret": SECRET + "x"},
        {"Content-Type": "application/json"},
    ],
    ids=["wrong", "longer", "missing"],
)
def test_a_wrong_or_missing_secret_gets_401_without_the_body_being_read_or_kept(
    capture: Path, headers: dict[str, str]
) -> None:
    lines = Lines()
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer, on_delivery=lines)
        reply = call(app, environ(headers=headers, stream=Unreadable()))
    assert reply.status == 401
    assert records(capture) == []
    assert app.tally.rejected["401 wrong or missing X-Qase-Secret (body ignored)"] == 1
    assert live_line(lines.receipts[0]).endswith(
        "401  rejected: wrong or missing X-Qase-Secret (body ignored)"
    )


def test_the_secret_header_is_found_in_any_case() -> None:
    reply = call(
        make_receiver(), environ(headers={"x-qase-SECRET": SECRET, "Content-Type": "application/json"})
    )
    assert reply.status == 200


def test_without_a_configured_secret_every_delivery_is_accepted() -> None:
    assert (
        call(make_receiver(secret=None), environ(headers={"Content-Type": "application/json"})).status == 200
    )


def test_the_secret_never_reaches_the_capture_the_live_line_or_the_answer(capture: Path) -> None:
    lines = Lines()
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer, on_delivery=lines)
        replies = [call(app, environ()), call(app, environ(body=b"not json"))]
    assert SECRET.encode() not in capture.read_bytes()
    assert all(SECRET.encode() not in reply.body for reply in replies)
    assert all(SECRET not in live_line(receipt) for receipt in lines.receipts)
    assert SECRET not in "\n".join(app.tally.summary_lines())


@pytest.mark.parametrize(
    ("body", "encoding"),
    [(b"this is not JSON", "text"), (b'{"event_name": "case.created\xff"}', "base64"), (b"", "text")],
    ids=["not-json", "not-utf8", "empty"],
)
def test_a_body_that_is_not_json_gets_400_but_is_recorded_raw(
    capture: Path, body: bytes, encoding: str
) -> None:
    with CaptureWriter(capture) as writer:
        reply = call(make_receiver(writer=writer), environ(body=body))
    assert reply.status == 400
    assert reply.json()["first_finding"]["code"] == "unparsable"
    assert reply.json()["recorded"] is True
    assert reply.json()["error"] == "not JSON; recorded raw"
    [record] = records(capture)
    assert record.body == body
    assert record.status == 400
    assert orjson.loads(capture.read_bytes())["body_encoding"] == encoding


def test_without_a_capture_file_a_body_that_is_not_json_is_not_said_to_be_recorded() -> None:
    receipts: list[Receipt] = []
    reply = call(make_receiver(on_delivery=receipts.append), environ(body=b"this is not JSON"))
    assert reply.status == 400
    assert reply.json()["recorded"] is False
    assert reply.json()["error"] == "not JSON"
    assert "recorded" not in live_line(receipts[0])


def test_a_declared_length_over_max_body_gets_413_before_the_body_is_read(capture: Path) -> None:
    env = environ(body=b"x" * 101, stream=Unreadable())
    with CaptureWriter(capture) as writer:
        reply = call(make_receiver(writer=writer, max_body=100), env)
    assert reply.status == 413
    assert reply.json() == {"error": "body over --max-body 100 bytes"}
    assert records(capture) == []


def test_a_chunked_body_over_max_body_gets_413_after_reading_one_byte_past_the_bound() -> None:
    stream = io.BytesIO(b"x" * 10_000)
    reply = call(make_receiver(max_body=100), environ(stream=stream, terminated=True))
    assert reply.status == 413
    assert stream.tell() == 101


@pytest.mark.parametrize("terminated", [False, True], ids=["content-length", "chunked"])
def test_a_body_of_exactly_max_body_is_accepted(terminated: bool) -> None:
    app = make_receiver(max_body=len(DELIVERY))
    assert call(app, environ(terminated=terminated)).status == 200


def test_a_chunked_body_is_read_to_its_end_and_recorded(capture: Path) -> None:
    with CaptureWriter(capture) as writer:
        reply = call(make_receiver(writer=writer), environ(terminated=True))
    assert reply.status == 200
    assert records(capture)[0].body == DELIVERY


def test_a_body_without_content_length_is_empty_as_http_says() -> None:
    reply = call(make_receiver(), environ(stream=Unreadable(), content_length=False))
    assert reply.status == 400
    assert reply.json()["first_finding"]["code"] == "unparsable"


def test_a_transfer_encoding_the_server_did_not_decode_gets_411() -> None:
    headers = {**JSON_HEADERS, "Transfer-Encoding": "chunked"}
    reply = call(make_receiver(), environ(headers=headers, stream=Unreadable(), content_length=False))
    assert reply.status == 411


@pytest.mark.parametrize(
    ("length", "reason"), [("12x", "Content-Length is not a number"), ("99999", "body ended after")]
)
def test_a_content_length_that_lies_gets_400_and_is_not_recorded(
    capture: Path, length: str, reason: str
) -> None:
    env = environ(body=b"{}")
    env["CONTENT_LENGTH"] = length
    with CaptureWriter(capture) as writer:
        reply = call(make_receiver(writer=writer), env)
    assert reply.status == 400
    assert reason in reply.json()["error"]
    assert records(capture) == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD"])
def test_other_methods_get_405_naming_post(method: str) -> None:
    reply = call(make_receiver(), environ(method=method, stream=Unreadable()))
    assert reply.status == 405
    assert reply.headers["Allow"] == "POST"


def test_only_the_path_served_is_accepted() -> None:
    app = make_receiver(path="/hooks/qase")
    assert call(app, environ(path="/hooks/qase")).status == 200
    assert call(app, environ(path="/hooks/qase/")).status == 200
    assert call(app, environ(path="/", stream=Unreadable())).status == 404


def test_a_header_injection_in_the_path_is_never_reflected() -> None:
    lines = Lines()
    app = make_receiver(on_delivery=lines)
    reply = call(app, environ(path="/x\r\nSet-Cookie: stolen=1", stream=Unreadable()))
    assert reply.status == 404
    assert "Set-Cookie" not in reply.headers
    assert b"stolen" not in reply.body
    line = live_line(lines.receipts[0])
    assert "\r" not in line
    assert "\n" not in line
    assert "stolen" not in "".join(app.tally.summary_lines())


def test_control_characters_from_the_body_are_escaped_in_the_live_line() -> None:
    lines = Lines()
    body = orjson.dumps({**orjson.loads(DELIVERY), "event_name": "case.created\r\nFAKE LINE"})
    call(make_receiver(on_delivery=lines), environ(body=body))
    line = live_line(lines.receipts[0])
    assert "\n" not in line
    assert "case.created\\x0d\\x0aFAKE LINE" in line


@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_a_wrong_or_missing_content_type_is_checked_all_the_same_with_a_note(
    content_type: str | None,
) -> None:
    lines = Lines()
    headers = {"X-Qase-Secret": SECRET, **({"Content-Type": content_type} if content_type else {})}
    reply = call(make_receiver(on_delivery=lines), environ(headers=headers))
    assert reply.status == 200
    assert f"[note: Content-Type {content_type or 'none'}, Qase sends application/json" in live_line(
        lines.receipts[0]
    )


def test_a_content_type_with_a_charset_needs_no_note() -> None:
    lines = Lines()
    headers = {**JSON_HEADERS, "Content-Type": "application/json; charset=utf-8"}
    call(make_receiver(on_delivery=lines), environ(headers=headers))
    assert lines.receipts[0].note == ""


def test_a_violation_is_acknowledged_with_its_first_finding_and_fails_the_run() -> None:
    lines = Lines()
    app = make_receiver(on_delivery=lines)
    body = orjson.dumps({**orjson.loads(DELIVERY), "project_code": 7})
    reply = call(app, environ(body=body))
    assert reply.status == 200
    assert reply.json()["first_finding"] == {"code": "wrong-type", "path": "/project_code"}
    assert "200  case.created  violation  wrong-type /project_code: " in live_line(lines.receipts[0])
    assert app.tally.failed == 1


def test_drift_is_acknowledged_and_fails_only_under_strict() -> None:
    body = orjson.dumps({**orjson.loads(DELIVERY), "brand_new": 1})
    tolerant, strict = make_receiver(), make_receiver(validator=Validator(strict=True))
    assert call(tolerant, environ(body=body)).json()["verdict"] == "drift"
    assert call(strict, environ(body=body)).status == 200
    assert (tolerant.tally.failed, strict.tally.failed) == (0, 1)


def test_a_capture_that_cannot_be_written_is_not_acknowledged(capture: Path) -> None:
    writer = CaptureWriter(capture)
    writer.close()
    reply = call(make_receiver(writer=writer), environ())
    assert reply.status == 503
    assert "capture not written" in reply.json()["error"]


class BrokenValidator(Validator):
    def validate(self, delivery: object) -> Any:
        raise RuntimeError("checker bug")


def test_a_checker_error_still_records_and_acknowledges_the_delivery(capture: Path) -> None:
    lines = Lines()
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer, validator=BrokenValidator(), on_delivery=lines)
        reply = call(app, environ())
    assert reply.status == 200
    assert records(capture)[0].body == DELIVERY
    assert "checker failed: RuntimeError('checker bug')" in live_line(lines.receipts[0])
    assert (
        "1 delivery checked: 0 conforming, 0 with drift, 0 with violations, 1 not checked"
        in (app.tally.summary_lines()[0])
    )


def test_the_forward_hook_gets_the_original_headers_after_the_record_is_appended(capture: Path) -> None:
    handed: list[tuple[bytes, Mapping[str, str], Receipt, bytes]] = []
    with CaptureWriter(capture) as writer:

        def forward(body: bytes, headers: Mapping[str, str], receipt: Receipt) -> None:
            handed.append((body, headers, receipt, capture.read_bytes()))

        call(make_receiver(writer=writer, forward=forward), environ())
    [(body, headers, receipt, capture_then)] = handed
    assert body == DELIVERY
    assert headers["X-Qase-Secret"] == SECRET
    assert receipt.recorded
    assert parse_line(capture_then).body == DELIVERY


def test_the_tally_sums_up_per_event_and_rejections_per_reason() -> None:
    app = make_receiver()
    violating = orjson.dumps({**orjson.loads(DELIVERY), "project_code": 7})
    for env in [environ(), environ(), environ(body=violating), environ(body=b"nope"), environ(method="GET")]:
        call(app, env)
    call(app, environ(headers={}, stream=Unreadable()))
    assert app.tally.summary_lines() == [
        "4 deliveries checked: 2 conforming, 0 with drift, 2 with violations",
        "  (no event): 1 delivery (1 with violations), records without a usable event_name",
        "  case.created: 3 deliveries (2 conforming, 1 with violations)",
        "2 requests rejected",
        "  1 × 401 wrong or missing X-Qase-Secret (body ignored)",
        "  1 × 405 method GET not allowed",
        "0 deliveries recorded",
        "answered: 3 × 200, 1 × 400",
    ]


def test_create_app_takes_its_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capture: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QASE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("QASE_CONTRACT_RECORD", str(capture))
    monkeypatch.setenv("QASE_CONTRACT_PATH", "/hooks/qase")
    monkeypatch.setenv("QASE_CONTRACT_MAX_BODY", "50")
    app = create_app()
    assert call(app, environ(path="/hooks/qase", headers={"X-Qase-Secret": SECRET}, body=b"{}")).status == 200
    assert call(app, environ(path="/hooks/qase", stream=Unreadable(), headers={})).status == 401
    assert call(app, environ(path="/hooks/qase")).status == 413
    assert records(capture)[0].body == b"{}"
    out = capsys.readouterr().out
    assert "200  (no event)  violation  missing-field" in out
    assert SECRET not in out
    assert isinstance(app.writer, CaptureWriter)
    app.writer.close()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "QASE_CONTRACT_MAX_BODY",
            "1MB",
            "QASE_CONTRACT_MAX_BODY must be a positive number of bytes, got '1MB'",
        ),
        ("QASE_CONTRACT_MAX_BODY", "٣", "QASE_CONTRACT_MAX_BODY must be a positive number of bytes"),
        ("QASE_CONTRACT_RESPOND", "600", "QASE_CONTRACT_RESPOND must be an HTTP status from 200 to 599"),
        ("QASE_CONTRACT_RESPOND", "OK", "QASE_CONTRACT_RESPOND must be an HTTP status"),
        ("QASE_CONTRACT_FAIL_RATE", "1.5", "QASE_CONTRACT_FAIL_RATE must be a share from 0 to 1"),
        ("QASE_CONTRACT_FAIL_RATE", "nan", "QASE_CONTRACT_FAIL_RATE must be a finite number"),
        ("QASE_CONTRACT_SEED", "x", "QASE_CONTRACT_SEED must be a whole number"),
        ("QASE_CONTRACT_DELAY", "-1", "QASE_CONTRACT_DELAY must be a number of seconds from 0 to 600"),
    ],
)
def test_create_app_refuses_a_setting_it_cannot_use_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=re.escape(message)):
        create_app()


def test_create_app_answers_as_the_environment_tells(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QASE_CONTRACT_RESPOND", "202")
    monkeypatch.setenv("QASE_CONTRACT_RESPOND_BODY", "queued")
    monkeypatch.setenv("QASE_CONTRACT_JSON", "1")
    reply = call(create_app(), environ(headers={"Content-Type": "application/json"}))
    assert (reply.status, reply.body) == (202, b"queued")
    line = orjson.loads(capsys.readouterr().out)
    assert (line["status"], line["answered_by"]) == (202, "--respond")


def test_create_app_syncs_the_capture_to_disk_when_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr("qase_contract.sources._capture.os.fsync", synced.append)
    monkeypatch.setenv("QASE_CONTRACT_FSYNC", "1")
    app = create_app(record=tmp_path / "capture.jsonl", secret="")
    assert call(app, environ(headers={})).status == 200
    assert len(synced) == 1
    assert app.writer is not None
    app.writer.close()


def test_create_app_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QASE_CONTRACT_RESPOND", "500")
    monkeypatch.setenv("QASE_WEBHOOK_SECRET", "from-the-environment")
    app = create_app(respond=201, secret=SECRET, fail_rate=0.0, json_lines=False)
    assert call(app, environ()).status == 201


def test_create_app_lays_overlay_schemas_over_the_contract_as_validate_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = write_schema(tmp_path / "overlay", "events/result/created.schema.json", RESULT_CREATED)
    body = orjson.dumps(result_delivery(id=1, run=None))
    plain = call(create_app(), environ(body=body, headers={}))
    assert plain.json()["verdict"] == "drift"  # an event the contract does not know
    assert call(create_app(schemas=overlay), environ(body=body, headers={})).json()["verdict"] == "conforming"
    monkeypatch.setenv("QASE_CONTRACT_SCHEMAS", str(overlay))
    assert call(create_app(), environ(body=body, headers={})).json()["verdict"] == "conforming"


def test_create_app_refuses_an_overlay_that_cannot_be_used(tmp_path: Path) -> None:
    with pytest.raises(SchemaSetError):
        create_app(schemas=tmp_path / "missing")


def test_a_live_line_that_cannot_be_printed_never_costs_the_acknowledgement(capture: Path) -> None:
    def closed_output(receipt: Receipt) -> None:
        raise BrokenPipeError("stdout closed")

    with CaptureWriter(capture) as writer:
        reply = call(make_receiver(writer=writer, on_delivery=closed_output), environ())
    assert reply.status == 200
    assert records(capture)[0].body == DELIVERY


def test_the_tally_counts_invented_event_names_together_past_a_bound() -> None:
    from qase_contract.live._receiver import MAX_TALLIED, OTHERS, ReceiptTally

    tally = ReceiptTally()
    for number in range(MAX_TALLIED + 50):
        tally.count(Receipt("t", 200, "POST", "/", None, event=f"invented.{number}", verdict="drift"))
    assert len(tally.by_event) == MAX_TALLIED + 1
    assert tally.by_event[OTHERS]["drift"] == 50


def test_receipts_are_numbered_in_arrival_order_and_say_where_their_record_starts(capture: Path) -> None:
    from qase_contract.sources._capture import record_at

    lines = Lines()
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer, on_delivery=lines)
        call(app, environ(b'{"event_name": "run.deleted"}'))
        call(app, environ(headers={}))  # refused: no secret, nothing recorded
        call(app, environ())
    first, refused, third = lines.receipts
    assert [first.number, refused.number, third.number] == [1, 2, 3]
    assert refused.capture_offset is None
    with capture.open("rb") as file:
        assert first.capture_offset is not None
        assert third.capture_offset is not None
        assert record_at(file, first.capture_offset).body == b'{"event_name": "run.deleted"}'
        assert record_at(file, third.capture_offset).body == DELIVERY
