"""``create_app()`` under gunicorn: worker processes and threads share one capture file, and a
worker killed with SIGKILL in the middle of the load costs no acknowledged delivery."""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from qase_contract.live._sender import Target, post
from qase_contract.sources._capture import iter_capture
from tests.helpers.live import JSON_HEADERS, SECRET, numbered_delivery

WORKERS = 3
THREADS = 4


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def worker_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", self.log.read_text())]


@contextmanager
def gunicorn(folder: Path, capture: Path) -> Iterator[Gunicorn]:
    log = folder / "gunicorn.log"
    env = {
        **os.environ,
        "HOME": str(folder),  # gunicorn 24+ keeps its control socket under $HOME/.gunicorn
        "QASE_WEBHOOK_SECRET": SECRET,
        "QASE_CONTRACT_RECORD": str(capture),
    }
    command = [
        *(sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0"),
        *("--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS)),
        *("--graceful-timeout", "10", "qase_contract.live:create_app()"),
    ]
    with (folder / "out.txt").open("wb") as out, log.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=folder)
    try:
        deadline = time.monotonic() + 60
        while True:
            found = re.search(r"Listening at: (http://\S+)", log.read_text())
            booted = len(re.findall(r"Booting worker", log.read_text()))
            if found and booted >= WORKERS:
                break
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.05)
        yield Gunicorn(process, found.group(1), log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_workers_killed_mid_load_lose_no_acknowledged_delivery_and_tear_no_record(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    senders, per_sender = 12, 150  # 1,800 deliveries, one connection each
    acknowledged: list[bytes] = []
    refused: list[bytes] = []
    lock = threading.Lock()
    kill_at = {500: 0, 1100: 1}  # acknowledged so far -> which of the first workers to kill then
    killed: list[int] = []

    with gunicorn(tmp_path, capture) as server:
        target = Target.parse(server.url)
        first_workers = server.worker_pids()

        def send(numbers: range) -> None:
            for number in numbers:
                body = numbered_delivery(number)
                answer = post(target, body, JSON_HEADERS, timeout=30)
                with lock:
                    (acknowledged if answer.ok else refused).append(body)
                    worker = kill_at.get(len(acknowledged))
                    if answer.ok and worker is not None:
                        killed.append(first_workers[worker])
                        os.kill(first_workers[worker], signal.SIGKILL)

        threads = [
            threading.Thread(
                target=send,
                args=(
                    range(
                        n * per_sender,
                        (n + 1) * per_sender,
                    ),
                ),
            )
            for n in range(senders)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert len(killed) == 2
        deadline = time.monotonic() + 30
        while len([pid for pid in server.worker_pids() if pid not in first_workers]) < 2:
            assert time.monotonic() < deadline, "gunicorn did not boot workers in place of the killed ones"
            time.sleep(0.05)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(30) == 0

    assert len(acknowledged) + len(refused) == senders * per_sender
    assert len(refused) <= 2 * senders  # only requests in flight in the killed workers failed
    records = list(iter_capture(capture))
    torn = [(line, record) for line, record in records if isinstance(record, Exception)]
    assert torn == []  # every line one whole record: none interleaved, none cut short
    in_capture = collections.Counter(record.body for _, record in records)  # type: ignore[union-attr]
    assert [body for body in acknowledged if in_capture[body] != 1] == []  # each exactly once
    assert max(in_capture.values()) == 1  # a delivery in flight in the killed worker: at most once
    assert capture.read_bytes().endswith(b"\n")
