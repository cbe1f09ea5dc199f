"""Whole-process measurements: one command run as after ``pip install``, timed from outside."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: As after ``pip install``, which compiles byte-code: this sandbox sets PYTHONDONTWRITEBYTECODE,
#: which would make every measured process compile every module again (about 35 ms each).
#: PYTHONPATH goes too, so a measured process imports the installed package and nothing else.
AS_INSTALLED = {
    name: value for name, value in os.environ.items() if name not in {"PYTHONDONTWRITEBYTECODE", "PYTHONPATH"}
}


@dataclass(frozen=True)
class Timed:
    """One run of a command: wall and CPU seconds (its descendants included), the peak resident
    set of its largest process in MiB, its exit code and the end of what it wrote to stderr."""

    wall: float
    cpu: float
    peak_mib: float
    code: int
    stderr: str


def timed(
    command: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None, check: bool = False
) -> Timed:
    """Run ``command`` with stdout discarded; ``check`` turns a non-zero exit into SystemExit."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=AS_INSTALLED if env is None else env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        # wait4 gives this child's resource use, the workers it waited for included.
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        said = errors.read().decode(errors="replace")[-2000:]
    run = Timed(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, said)
    if check and code != 0:
        raise SystemExit(f"{' '.join(command)} exited {code}:\n{said}")
    return run
