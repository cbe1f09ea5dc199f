"""The receiver answers as it is told: a status and body, a seeded share of failures, a delay;
each record keeps what was answered."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from qase_contract.live._answers import AnswerPolicy
from qase_contract.live._receiver import Receipt
from qase_contract.reporters._live import live_json, live_line
from qase_contract.sources._capture import CaptureWriter, iter_capture
from tests.helpers.live import DELIVERY, Unreadable, call, environ, make_receiver


def recorded_statuses(capture: Path) -> list[int | None]:
    return [record.status for _, record in iter_capture(capture)]  # type: ignore[union-attr]


def test_respond_answers_every_checked_delivery_with_its_status_and_body(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    receipts: list[Receipt] = []
    answers = AnswerPolicy(respond=503, respond_body='{"busy": true}')
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer, answers=answers, on_delivery=receipts.append)
        replies = [call(app, environ()), call(app, environ(body=b"not JSON"))]
    assert [reply.status for reply in replies] == [503, 503]
    assert [reply.body for reply in replies] == [b'{"busy": true}'] * 2
    assert replies[0].headers["Content-Type"] == "application/json"
    assert recorded_statuses(capture) == [503, 503]
    assert live_line(receipts[0]).split()[1] == "503"
    assert live_line(receipts[0]).endswith("[answered 503 by --respond]")
    assert app.tally.summary_lines()[-1] == "answered: 2 × 503 (--respond)"


def test_a_text_body_is_sent_as_text_and_a_bodiless_status_without_one() -> None:
    text = call(make_receiver(answers=AnswerPolicy(respond=202, respond_body="queued")), environ())
    assert (text.status, text.body, text.headers["Content-Type"]) == (
        202,
        b"queued",
        "text/plain; charset=utf-8",
    )
    empty = call(make_receiver(answers=AnswerPolicy(respond=204, respond_body="ignored")), environ())
    assert (empty.status, empty.body) == (204, b"")
    assert "Content-Length" not in empty.headers


def test_without_respond_the_answer_is_the_verdicts_with_its_own_account() -> None:
    reply = call(make_receiver(answers=AnswerPolicy(respond_body="thanks")), environ())
    assert (reply.status, reply.body) == (200, b"thanks")
    bad = call(make_receiver(answers=AnswerPolicy(respond=500)), environ())
    assert bad.json()["error"] == "answered 500 as told (--respond)"
    assert bad.json()["accepted"] is False


def statuses(policy: AnswerPolicy, count: int = 40) -> list[int]:
    app = make_receiver(answers=policy)
    return [call(app, environ()).status for _ in range(count)]


def test_the_fail_rate_fails_that_share_the_same_way_for_the_same_seed() -> None:
    first = statuses(AnswerPolicy(fail_rate=0.5, seed=7))
    assert first == statuses(AnswerPolicy(fail_rate=0.5, seed=7))
    assert first != statuses(AnswerPolicy(fail_rate=0.5, seed=8))
    assert set(first) == {200, 500}
    assert statuses(AnswerPolicy(fail_rate=0.0), 10) == [200] * 10
    assert statuses(AnswerPolicy(fail_rate=1.0), 10) == [500] * 10


def test_a_failed_delivery_is_recorded_with_its_500_and_said_so(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    receipts: list[Receipt] = []
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer, answers=AnswerPolicy(fail_rate=1.0), on_delivery=receipts.append)
        reply = call(app, environ())
    assert reply.json()["error"] == "answered 500 as told (--fail-rate)"
    assert recorded_statuses(capture) == [500]
    assert "[answered 500 by --fail-rate]" in live_line(receipts[0])
    assert orjson.loads(live_json(receipts[0]))["answered_by"] == "--fail-rate"


def test_requests_refused_before_the_check_keep_their_own_answers() -> None:
    app = make_receiver(answers=AnswerPolicy(respond=202, fail_rate=1.0, delay=30))
    assert call(app, environ(method="GET", stream=Unreadable())).status == 405
    assert call(app, environ(headers={}, stream=Unreadable())).status == 401


def test_a_capture_that_cannot_be_written_is_answered_503_whatever_was_told(tmp_path: Path) -> None:
    writer = CaptureWriter(tmp_path / "capture.jsonl")
    writer.close()
    reply = call(make_receiver(writer=writer, answers=AnswerPolicy(respond=200, delay=30)), environ())
    assert reply.status == 503


def test_the_delay_holds_the_answer_after_the_record_and_the_live_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = tmp_path / "capture.jsonl"
    events: list[str] = []
    monkeypatch.setattr(
        "qase_contract.live._receiver.time.sleep", lambda seconds: events.append(f"sleep {seconds}")
    )
    with CaptureWriter(capture) as writer:
        app = make_receiver(
            writer=writer,
            answers=AnswerPolicy(delay=2.5),
            on_delivery=lambda receipt: events.append(f"line, {len(recorded_statuses(capture))} recorded"),
        )

        def start_response(status: str, headers: object) -> None:
            events.append(f"answer {status}")

        app(environ(), start_response)
    assert events == ["line, 1 recorded", "sleep 2.5", "answer 200 OK"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"respond": 199}, "an answer's status is 200 to 599, not 199"),
        ({"respond": 600}, "not 600"),
        ({"fail_rate": 1.5}, "a fail rate is from 0 to 1"),
        ({"fail_rate": float("nan")}, "a fail rate is from 0 to 1"),
        ({"delay": -1.0}, "a delay is from 0 to 600 seconds"),
    ],
)
def test_an_answer_policy_refuses_values_it_cannot_follow(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AnswerPolicy(**options)  # type: ignore[arg-type]


def test_the_live_line_says_how_many_more_findings_a_delivery_has() -> None:
    receipts: list[Receipt] = []
    data = orjson.loads(DELIVERY)
    data["project_code"] = 7
    data["team_member_id"] = "x"
    data["payload"]["brand_new"] = 1
    call(make_receiver(on_delivery=receipts.append), environ(body=orjson.dumps(data)))
    assert len(receipts[0].findings) == 3
    assert "  (+2 more findings)" in live_line(receipts[0])
    line = orjson.loads(live_json(receipts[0]))
    assert [finding["code"] for finding in line["findings"]] == [
        finding.code for finding in receipts[0].findings
    ]


def test_the_json_line_holds_the_request_the_verdict_and_the_answer() -> None:
    receipts: list[Receipt] = []
    env = environ(path="/")
    env["QUERY_STRING"] = "team=a"
    call(make_receiver(on_delivery=receipts.append), env)
    line = orjson.loads(live_json(receipts[0]))
    assert line["kind"] == "delivery"
    assert (line["status"], line["event_name"], line["verdict"]) == (200, "case.created", "conforming")
    assert (line["method"], line["path"], line["query"]) == ("POST", "/", "team=a")
    assert line["headers"]["X-Qase-Secret"] == "[redacted]"
    assert line["findings"] == []
    assert (line["answered_by"], line["delay"], line["recorded"]) == (None, 0.0, False)
