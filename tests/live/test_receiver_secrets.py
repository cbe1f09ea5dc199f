"""The receiver knows the secret, so its value never reaches a record, a line or a summary,
whatever name or place it travels under; and a Content-Length it cannot read is a 400."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from qase_contract.live._receiver import Receipt
from qase_contract.reporters._live import live_json, live_line
from qase_contract.sources._capture import CaptureWriter
from tests.helpers.live import JSON_HEADERS, SECRET, Unreadable, call, environ, make_receiver

ENCODED = SECRET.replace("-", "%2D")


def seen(capture: Path, receipts: list[Receipt], summary: list[str]) -> str:
    """Everything the receiver recorded or printed."""
    text = capture.read_text(encoding="utf-8") if capture.exists() else ""
    lines = [line for receipt in receipts for line in (live_line(receipt), live_json(receipt))]
    return "\n".join([text, *lines, *summary])


def with_query(query: str, **options: Any) -> dict[str, Any]:
    env = environ(**options)
    env["QUERY_STRING"] = query
    return env


@pytest.mark.parametrize(
    "env",
    [
        environ(headers={**JSON_HEADERS, "X-Forwarded-Qase": SECRET}),
        environ(headers={**JSON_HEADERS, "X-Trace": f"id=1; via={SECRET}"}),
        with_query(f"qs={SECRET}"),
        with_query(f"qs={ENCODED}"),
        with_query(f"a=1;token={SECRET}"),
        with_query(f"a=1;b={SECRET}"),
        with_query(f"{SECRET}=1"),
    ],
    ids=[
        "another-header",
        "inside-a-header-value",
        "query-any-name",
        "query-percent-encoded",
        "semicolon-credential-name",
        "semicolon-any-name",
        "query-parameter-name",
    ],
)
def test_the_secrets_value_is_redacted_wherever_an_accepted_delivery_carries_it(
    tmp_path: Path, env: dict[str, Any]
) -> None:
    capture, receipts = tmp_path / "capture.jsonl", []
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer, on_delivery=receipts.append)
        assert call(app, env).status == 200
    text = seen(capture, receipts, app.tally.summary_lines())
    assert SECRET not in text
    assert ENCODED not in text
    assert "[redacted]" in capture.read_text(encoding="utf-8")


def test_a_served_path_holding_the_secret_is_recorded_redacted(tmp_path: Path) -> None:
    capture, receipts = tmp_path / "capture.jsonl", []
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer, path=f"/hooks/{SECRET}", on_delivery=receipts.append)
        assert call(app, environ(path=f"/hooks/{SECRET}")).status == 200
        assert call(app, environ(path=f"/other/{SECRET}", stream=Unreadable())).status == 404
    assert SECRET not in seen(capture, receipts, app.tally.summary_lines())
    assert orjson.loads(capture.read_bytes())["path"] == "/hooks/[redacted]"
    assert [orjson.loads(live_json(receipt))["path"] for receipt in receipts] == [
        "/hooks/[redacted]",
        "/other/[redacted]",
    ]


def test_a_rejected_request_carrying_the_secret_elsewhere_prints_it_nowhere() -> None:
    receipts: list[Receipt] = []
    app = make_receiver(on_delivery=receipts.append)
    env = with_query(f"qs={SECRET}", headers={"X-Copy": SECRET}, method=f"GET{SECRET}", stream=Unreadable())
    assert call(app, env).status == 405
    assert SECRET not in seen(Path("/nonexistent"), receipts, app.tally.summary_lines())


def test_a_secret_outside_ascii_is_redacted_as_a_wsgi_server_hands_it_over(tmp_path: Path) -> None:
    secret = "geheim-ä€"
    as_wsgi = secret.encode("utf-8").decode("latin-1")
    capture, receipts = tmp_path / "capture.jsonl", []
    headers = {"Content-Type": "application/json", "X-Qase-Secret": as_wsgi, "X-Copy": as_wsgi}
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer, secret=secret, on_delivery=receipts.append)
        assert call(app, environ(headers=headers)).status == 200
    text = seen(capture, receipts, [])
    assert secret not in text
    assert as_wsgi not in text


@pytest.mark.parametrize(
    ("length", "status"),
    [
        ("²", 400),
        ("٣", 400),
        ("１２", 400),
        ("-1", 400),
        ("+2", 400),
        ("0x2", 400),
        ("2 2", 400),
        ("9" * 30, 413),
        ("1" + "0" * 5000, 413),
        ("0" * 40 + "2", 200),
    ],
    ids=[
        "superscript-two",
        "arabic-indic-three",
        "fullwidth-digits",
        "negative",
        "plus-sign",
        "hexadecimal",
        "two-numbers",
        "thirty-digits",
        "five-thousand-digits",
        "leading-zeros",
    ],
)
def test_a_content_length_that_is_not_ascii_digits_is_a_400_never_an_exception(
    length: str, status: int
) -> None:
    env = environ(body=b"{}")
    env["CONTENT_LENGTH"] = length
    reply = call(make_receiver(), env)
    assert reply.status == status
    if status == 400:
        assert reply.json() == {"error": "Content-Length is not a number (ASCII digits)"}
