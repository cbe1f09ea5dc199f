"""``qase-contract listen`` as a process: signals stop it cleanly, SIGKILL loses no acknowledged delivery."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from qase_contract.live._answers import AnswerPolicy
from qase_contract.live._sender import Target, post
from qase_contract.sources._capture import iter_capture, parse_line
from tests.helpers.listening import Listener, listening
from tests.helpers.live import DELIVERY, JSON_HEADERS, SECRET, RecordingConsumer, numbered_delivery, serving
from tests.helpers.overlays import RESULT_CREATED, result_delivery, write_schema


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Listener]:
    with listening(tmp_path) as started:
        yield started


@pytest.mark.parametrize(
    ("signum", "violating", "exit_code"),
    [(signal.SIGINT, True, 1), (signal.SIGTERM, False, 0)],
    ids=["sigint-after-a-violation", "sigterm-all-conforming"],
)
def test_a_signal_stops_the_listener_cleanly_with_a_summary_per_event(
    listener: Listener, signum: int, violating: bool, exit_code: int
) -> None:
    target = Target.parse(listener.url)
    second = orjson.dumps({**orjson.loads(DELIVERY), "project_code": 7}) if violating else DELIVERY
    assert post(target, DELIVERY, JSON_HEADERS).status == 200
    assert post(target, second, JSON_HEADERS).status == 200
    assert post(target, DELIVERY, {"Content-Type": "application/json"}).status == 401
    listener.process.send_signal(signum)
    assert listener.process.wait(20) == exit_code
    out, err = listener.out.read_text(), listener.err.read_text()
    conforming = 1 if violating else 2
    assert (
        f"2 deliveries checked: {conforming} conforming, 0 with drift, {2 - conforming} with violations"
        in out
    )
    per_event = "1 conforming, 1 with violations" if violating else "2 conforming"
    assert f"  case.created: 2 deliveries ({per_event})" in out
    assert "  1 × 401 wrong or missing X-Qase-Secret (body ignored)" in out
    assert "2 deliveries recorded" in out
    assert err == ""
    assert SECRET not in out + listener.capture.read_text()


def test_a_listener_killed_mid_load_keeps_every_acknowledged_delivery(listener: Listener) -> None:
    target = Target.parse(listener.url)
    acknowledged: list[bytes] = []
    lock = threading.Lock()
    enough, stop = threading.Event(), threading.Event()

    def sender(number: int) -> None:
        while not stop.is_set():
            body = numbered_delivery(number)
            number += 1
            if post(target, body, JSON_HEADERS, timeout=10).ok:
                with lock:
                    acknowledged.append(body)
                    if len(acknowledged) >= 150:
                        enough.set()

    threads = [threading.Thread(target=sender, args=(n * 100_000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        assert enough.wait(60)
        listener.process.send_signal(signal.SIGKILL)
        listener.process.wait(10)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    data = listener.capture.read_bytes()
    complete_lines = data[: data.rfind(b"\n") + 1].splitlines()
    recorded = {parse_line(line).body for line in complete_lines}
    assert len(acknowledged) >= 150
    assert set(acknowledged) <= recorded


def test_json_lines_fail_rate_overlays_and_forwarding_in_one_listening_run(tmp_path: Path) -> None:
    overlay = write_schema(tmp_path / "overlay", "events/result/created.schema.json", RESULT_CREATED)
    result_created = orjson.dumps(result_delivery(id=1, run=None))
    consumer = RecordingConsumer(status=202)
    options = ("--json", "--fail-rate", "0.5", "--seed", "11", "--schemas", str(overlay))
    with (
        serving(consumer) as consumer_server,
        listening(tmp_path, *options, "--forward-to", consumer_server.url) as started,
    ):
        target = Target.parse(started.url)
        bodies = [result_created if n % 2 else numbered_delivery(n) for n in range(12)]
        answered = [post(target, body, JSON_HEADERS).status for body in bodies]
        deadline = time.monotonic() + 20
        while len(consumer.received) < 12 and time.monotonic() < deadline:
            time.sleep(0.02)
        started.process.send_signal(signal.SIGTERM)
        assert started.process.wait(20) == 0
    policy = AnswerPolicy(fail_rate=0.5, seed=11)
    assert answered == [policy.answer(200).status for _ in bodies]  # the same draws, in arrival order
    lines = [orjson.loads(line) for line in started.out.read_text().splitlines()]
    deliveries = [line for line in lines if line["kind"] == "delivery"]
    forwarded = [line for line in lines if line["kind"] == "forwarded"]
    assert [line["status"] for line in deliveries] == answered
    assert {line["verdict"] for line in deliveries} == {"conforming"}  # the overlay knows result.created
    assert [line["status"] for line in forwarded] == [202] * 12
    assert [record.status for _, record in iter_capture(started.capture)] == answered  # type: ignore[union-attr]
    summary = started.err.read_text()
    failures = answered.count(500)
    assert f"answered: {12 - failures} × 200, {failures} × 500 (--fail-rate)" in summary
    assert "12 forwarded: 12 × 202" in summary
    assert "answering 500 to 50% of deliveries (seed 11)" in summary
    assert SECRET not in started.out.read_text() + summary
