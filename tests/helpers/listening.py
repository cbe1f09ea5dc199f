"""``qase-contract listen`` as a process, for the tests that send it deliveries over HTTP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.live import SECRET

#: Seconds a listener may take to start on a busy machine.
START_TIMEOUT = 60


@dataclass
class Listener:
    process: subprocess.Popen[bytes]
    url: str
    out: Path
    err: Path
    capture: Path
    #: The inspector's address, token included (``--ui``).
    inspector: str | None = None


@contextmanager
def listening(folder: Path, *options: str) -> Iterator[Listener]:
    """``qase-contract listen`` with ``options`` on a free port, recording into ``folder``."""
    out, err, capture = folder / "out.txt", folder / "err.txt", folder / "capture.jsonl"
    command = [
        sys.executable,
        "-m",
        "qase_contract",
        "listen",
        "--port",
        "0",
        "--record",
        str(capture),
        *options,
    ]
    env = {**os.environ, "QASE_WEBHOOK_SECRET": SECRET}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        banner = err if "--json" in options else out
        # The banner's last line says the listener is ready.
        while "Ctrl-C stops" not in (text := banner.read_text()):
            assert process.poll() is None, err.read_text()
            assert time.monotonic() < deadline, "the listener did not start"
            time.sleep(0.02)
        found = re.search(r"listening on (http://\S+) ", text)
        assert found is not None, text
        inspector = re.search(r"^inspector: (http://\S+)$", text, re.MULTILINE)
        yield Listener(process, found.group(1), out, err, capture, inspector.group(1) if inspector else None)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
