"""``qase-contract listen`` as a process: signals stop it cleanly, SIGKILL loses no acknowledged delivery."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from qase_contract.live._sender import Target, post
from qase_contract.sources._capture import parse_line
from tests.helpers.live import DELIVERY, JSON_HEADERS, SECRET, numbered_delivery


@dataclass
class Listener:
    process: subprocess.Popen[bytes]
    url: str
    out: Path
    err: Path
    capture: Path


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Listener]:
    out, err, capture = tmp_path / "out.txt", tmp_path / "err.txt", tmp_path / "capture.jsonl"
    command = [sys.executable, "-m", "qase_contract", "listen", "--port", "0", "--record", str(capture)]
    env = {**os.environ, "QASE_WEBHOOK_SECRET": SECRET}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"listening on (http://\S+) ", out.read_text())):
            assert process.poll() is None, err.read_text()
            assert time.monotonic() < deadline, "the listener did not start"
            time.sleep(0.02)
        yield Listener(process, found.group(1), out, err, capture)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


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
