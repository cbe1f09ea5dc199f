"""Peak memory of ``qase-contract validate`` on a large JSON Lines dump: it must stay flat.

Writes a JSON Lines file of ``--size-mb`` MiB (default 1024) from the shipped examples, with
``--drift-share`` of deliveries drifted and ``--broken-share`` broken (so findings are rendered
too), runs ``qase-contract validate`` on it as a child process, once with its defaults (every
core for large input) and once with ``--jobs 1``, and prints the wall time, the throughput, the
largest single process's peak RSS and the peak of all its processes together (sampled from
/proc every 20 ms). Goal: peak RSS under 150 MB for 1 GB.
Usage: ``python benchmarks/bench_memory.py [--size-mb 1024] [--format text] [--keep PATH]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: As after ``pip install``, which compiles byte-code: this sandbox sets PYTHONDONTWRITEBYTECODE,
#: which would make every measured process compile every module again (about 35 ms each).
AS_INSTALLED = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
BIN = Path(sys.executable).parent


def write_dump(path: Path, size: int, drift_share: float, broken_share: float) -> int:
    pool = [json.loads(p.read_text()) for p in sorted((ROOT / "schemas" / "examples").glob("*/*.json"))]
    lines = [json.dumps(delivery, separators=(",", ":")).encode() + b"\n" for delivery in pool]
    rng = random.Random(5)
    written = count = 0
    with path.open("wb") as out:
        while written < size:
            line = lines[rng.randrange(len(lines))]
            roll = rng.random()
            if roll < drift_share:
                line = line.replace(b'"payload":{', b'"payload":{"undocumented":1,', 1)
            elif roll < drift_share + broken_share:
                line = line[: len(line) // 2] + b"\n"
            out.write(line)
            written += len(line)
            count += 1
    return count


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident bytes of a process and all its descendants together, and of the largest one
    (from /proc, Linux)."""
    total, largest, pending = 0, 0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                    total, largest = total + rss, max(largest, rss)
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
    return total, largest


def run_measured(command: list[str]) -> tuple[int, float, int, int, bytes]:
    """Exit code, seconds, and the peak RSS of all processes and of the largest one."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=AS_INSTALLED)
    peak_total = peak_one = 0
    while child.poll() is None:
        total, largest = tree_rss(child.pid)
        peak_total, peak_one = max(peak_total, total), max(peak_one, largest)
        time.sleep(0.02)
    errors = child.stderr.read() if child.stderr else b""
    return child.returncode, time.perf_counter() - started, peak_total, peak_one, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--drift-share", type=float, default=0.01)
    parser.add_argument("--broken-share", type=float, default=0.001)
    parser.add_argument("--format", default="text")
    parser.add_argument("--keep", type=Path, help="write the dump here and keep it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qase-memory-") as work:
        dump = options.keep or Path(work) / "big.jsonl"
        started = time.perf_counter()
        count = write_dump(dump, options.size_mb * 2**20, options.drift_share, options.broken_share)
        print(
            f"wrote {count:,} deliveries, {dump.stat().st_size / 2**20:,.0f} MiB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        base = [str(BIN / "qase-contract"), "validate", "--format", options.format, str(dump)]
        for label, extra in (("default (every core)", []), ("--jobs 1", ["--jobs", "1"])):
            code, elapsed, peak_total, peak_one, errors = run_measured([*base, *extra])
            print(
                f"validate {label:22} exit {code}, {elapsed:5.1f} s, {count / elapsed:9,.0f} deliveries/s, "
                f"peak RSS {peak_total / 2**20:4,.0f} MiB all processes, "
                f"{peak_one / 2**20:4,.0f} MiB the largest"
            )
            if errors:
                print(errors.decode(errors="replace")[-500:])


if __name__ == "__main__":
    main()
