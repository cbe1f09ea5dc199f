"""``qase-contract send``: samples and byte-for-byte replays, each answer shown, exit 1 on any non-2xx."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from qase_contract.cli import main
from qase_contract.contract._catalog import EVENTS
from qase_contract.live._server import Server
from qase_contract.sources._capture import CaptureRecord, CaptureWriter
from tests.helpers.live import DELIVERY, SECRET, RecordingConsumer, make_receiver, serving


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["send", *args], env=env)
    return result.exit_code, result.output


@pytest.fixture
def consumer() -> Iterator[tuple[RecordingConsumer, Server]]:
    app = RecordingConsumer()
    with serving(app) as server:
        yield app, server


@pytest.fixture
def receiver_url() -> Iterator[str]:
    with serving(make_receiver()) as server:
        yield server.url


def test_named_samples_are_sent_with_the_secret_and_each_answer_is_shown(receiver_url: str) -> None:
    code, output = run(
        receiver_url, "--event", "case.created", "--event", "run.completed", "--secret", SECRET
    )
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith("case.created  200 in ")
    assert lines[1].startswith("run.completed  200 in ")
    assert lines[2] == f"2 sent to {receiver_url}/: 2 answered 2xx, 0 did not (2 × 200)"


def test_the_secret_comes_from_the_environment_too(receiver_url: str) -> None:
    assert run(receiver_url, "--event", "case.created", env={"QASE_WEBHOOK_SECRET": SECRET})[0] == 0


def test_a_non_2xx_answer_exits_1_and_shows_the_start_of_the_answer(receiver_url: str) -> None:
    code, output = run(receiver_url, "--event", "case.created")
    assert code == 1
    assert "case.created  401 in " in output
    assert '{"error":"wrong or missing X-Qase-Secret (body ignored)"}' in output
    assert "1 sent to" in output
    assert "0 answered 2xx, 1 did not" in output


def test_every_event_sample_is_sent_and_conforms(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    with CaptureWriter(capture) as writer:
        app = make_receiver(writer=writer)
        with serving(app) as server:
            code, output = run(server.url, "--all-events", "--secret", SECRET)
    assert code == 0, output
    assert f"{len(EVENTS)} sent to" in output
    assert app.tally.summary_lines()[0] == (
        f"{len(EVENTS)} deliveries checked: {len(EVENTS)} conforming, 0 with drift, 0 with violations"
    )


def test_an_unreachable_url_exits_1_saying_why() -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    code, output = run(url, "--event", "case.created")
    assert code == 1
    assert "case.created  failed in " in output
    assert "refused" in output.lower()


def recorded(capture: Path, *records: CaptureRecord) -> Path:
    with CaptureWriter(capture) as writer:
        for record in records:
            writer.append(record)
    return capture


def test_a_capture_is_replayed_byte_for_byte_with_its_headers_and_the_secret_restored(
    tmp_path: Path, consumer: tuple[RecordingConsumer, Server]
) -> None:
    app, server = consumer
    bodies = [
        DELIVERY,
        b'{ "event_name" :"case.created",\n\t"payload":{"note":"\\u00e9 \xc3\xa9"} }',
        b'{"bytes": "\xff\xfe not UTF-8"}',
        b"",
    ]
    headers = {
        "Host": "qase.example",
        "Content-Length": "999",
        "Content-Type": "application/json",
        "X-Qase-Secret": "the real one",
        "Authorization": "Bearer x",
        "X-Request-Id": "r-1",
        "User-Agent": "Qase webhooks",
    }
    capture = recorded(
        tmp_path / "capture.jsonl", *(CaptureRecord.received(body, headers) for body in bodies)
    )
    code, output = run(server.url + "/consumer", "--from", str(capture), "--secret", "replayed-secret")
    assert code == 0, output
    assert [body for body, _ in app.received] == bodies
    for _, sent in app.received:
        assert sent["X-Qase-Secret"] == "replayed-secret"
        assert sent["X-Request-Id"] == "r-1"
        assert sent["User-Agent"] == "Qase webhooks"
        assert sent["Content-Type"] == "application/json"
        assert "Authorization" not in sent
        assert sent["Host"] != "qase.example"
    assert f"{capture}:1  case.created  200 in " in output
    assert f"{capture}:3  (not JSON)  200 in " in output


def test_a_replay_without_a_secret_never_sends_the_redacted_placeholder(
    tmp_path: Path, consumer: tuple[RecordingConsumer, Server]
) -> None:
    app, server = consumer
    capture = recorded(tmp_path / "c.jsonl", CaptureRecord.received(DELIVERY, {"X-Qase-Secret": "s"}))
    assert run(server.url, "--from", str(capture))[0] == 0
    assert "X-Qase-Secret" not in app.received[0][1]


def test_a_broken_capture_line_is_reported_at_its_line_and_the_rest_still_sent(
    tmp_path: Path, consumer: tuple[RecordingConsumer, Server]
) -> None:
    app, server = consumer
    capture = tmp_path / "capture.jsonl"
    good = CaptureRecord.received(DELIVERY, {}).to_line()
    capture.write_bytes(good + b'{"qase_capture": 1, "body": \n' + b'{"event_name": "plain"}\n\n' + good)
    code, output = run(server.url, "--from", str(capture))
    assert code == 1
    assert f"{capture}:2  error: capture record is not valid JSON" in output
    # A plain delivery among capture records is one, as validate reads it.
    assert f"{capture}:3  plain  200 in " in output
    assert [body for body, _ in app.received] == [DELIVERY, b'{"event_name": "plain"}', DELIVERY]
    assert "3 sent to" in output
    assert "1 record unreadable, not sent" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["http://127.0.0.1:1/"],
            "give --event NAME..., --all-events or --from PATH (with --event to filter)",
        ),
        (
            ["http://127.0.0.1:1/", "--event", "case.created", "--all-events"],
            "give --event NAME..., --all-events",
        ),
        (["http://127.0.0.1:1/", "--event", "case.craeted"], "did you mean case.created"),
        (["ftp://example.com/", "--all-events"], "is not an http:// or https:// URL"),
        (["http:///path", "--all-events"], "has no host"),
        (
            ["http://127.0.0.1:1/", "--from", "no-such-capture.jsonl"],
            "--from: no such file or folder: no-such",
        ),
        (["http://127.0.0.1:1/", "--all-events", "--rate", "0"], "--rate"),
        (["http://127.0.0.1:1/", "--all-events", "--rate", "nan"], "'nan' is not a number"),
        (["http://127.0.0.1:1/", "--all-events", "--rate", "1e-300"], "not in the range 0.001<=x<=100000"),
        (["http://127.0.0.1:1/", "--all-events", "--timeout", "inf"], "not in the range 0<x<=3600"),
        (["http://127.0.0.1:1/", "--all-events", "--timeout", "nan"], "'nan' is not a number"),
        (["http://host with space/", "--all-events"], "holds a space or control character"),
    ],
)
def test_usage_errors_exit_2_saying_what_is_wrong(args: list[str], message: str) -> None:
    code, output = run(*args)
    assert code == 2
    assert message in output


def test_the_consumers_answer_body_is_escaped_onto_one_line(tmp_path: Path) -> None:
    class Loud(RecordingConsumer):
        def __call__(self, environ: object, start_response: object) -> list[bytes]:  # type: ignore[override]
            start_response("500 X", [("Content-Type", "text/plain")])  # type: ignore[operator]
            return [b"line one\r\nline two"]

    with serving(Loud()) as server:
        code, output = run(server.url, "--event", "case.created")
    assert code == 1
    assert "500 in " in output
    assert "line one\\x0d\\x0aline two" in output


def test_sample_bodies_are_the_canonical_examples_as_compact_json(
    consumer: tuple[RecordingConsumer, Server],
) -> None:
    app, server = consumer
    run(server.url, "--event", "run.completed")
    example = Path(__file__).resolve().parents[2] / "schemas/examples/run.completed/canonical.json"
    assert app.received[0][0] == orjson.dumps(orjson.loads(example.read_bytes()))
    assert app.received[0][1]["Content-Type"] == "application/json"
