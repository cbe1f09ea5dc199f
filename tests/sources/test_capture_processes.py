"""One capture file, several writing processes (gunicorn workers): every record whole, once."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson

from qase_contract.sources._capture import CaptureRecord, CaptureWriter, iter_capture

#: Appends ``count`` records of ``worker`` to the capture file, bodies from 1/4 to all of ``size``
#: bytes: most far over PIPE_BUF (4 KiB) and spanning several pages of the file.
APPENDER = """
import sys
from qase_contract.sources._capture import CaptureRecord, CaptureWriter
path, worker, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with CaptureWriter(path) as writer:
    for n in range(count):
        pad = "x" * (size * (n % 4 + 1) // 4)
        writer.append(CaptureRecord(body=b'{"w": %d, "n": %d, "pad": "%s"}' % (worker, n, pad.encode())))
"""

#: One writer opened before forking, shared by the children (gunicorn --preload does this).
SHARED_AFTER_FORK = """
import os, sys
from qase_contract.sources._capture import CaptureRecord, CaptureWriter
path, children, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
writer = CaptureWriter(path)
pids = []
for worker in range(children):
    pid = os.fork()
    if pid == 0:
        for n in range(count):
            pad = b"y" * (size * (n % 4 + 1) // 4)
            writer.append(CaptureRecord(body=b'{"w": %d, "n": %d, "pad": "%s"}' % (worker, n, pad)))
        os._exit(0)
    pids.append(pid)
for pid in pids:
    assert os.waitpid(pid, 0)[1] == 0
"""


def bodies_in(path: Path) -> list[tuple[int, int]]:
    """(worker, number) of every record, in file order; fails on any line that is not a whole record."""
    found = []
    for number, record in iter_capture(path):
        assert isinstance(record, CaptureRecord), f"line {number}: {record}"
        data = orjson.loads(record.body)
        assert set(data["pad"]) <= {"x", "y"}
        found.append((data["w"], data["n"]))
    return found


def run_python(script: str, *args: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)])


def test_processes_appending_large_records_at_once_write_each_whole_and_once(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    workers, count = 4, 150
    processes = [run_python(APPENDER, path, worker, count, 80_000) for worker in range(workers)]
    assert [process.wait(120) for process in processes] == [0] * workers
    found = bodies_in(path)
    assert sorted(found) == [(worker, n) for worker in range(workers) for n in range(count)]
    # Each process's records keep their order: appends are whole and in sequence.
    for worker in range(workers):
        assert [n for w, n in found if w == worker] == list(range(count))


def test_a_writer_shared_by_forked_processes_still_appends_whole_records(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    assert run_python(SHARED_AFTER_FORK, path, 3, 150, 40_000).wait(120) == 0
    assert sorted(bodies_in(path)) == [(worker, n) for worker in range(3) for n in range(150)]


#: Takes the file's lock, says so, and holds it until killed.
HOLDER = """
import sys, time
from qase_contract.sources._capture import CaptureWriter
writer = CaptureWriter(sys.argv[1])
with writer._locked():
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_process_killed_while_holding_the_lock_never_blocks_the_others(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"locked\n"
        done = threading.Event()

        def append_when_free() -> None:
            with CaptureWriter(path) as writer:
                writer.append(CaptureRecord(body=b"{}"))
            done.set()

        appender = threading.Thread(target=append_when_free, daemon=True)
        appender.start()
        time.sleep(0.2)
        assert not done.is_set()  # waiting on the lock, not writing past it
        holder.send_signal(signal.SIGKILL)
        assert done.wait(10)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert [record.body for _, record in iter_capture(path)] == [b"{}"]  # type: ignore[union-attr]
