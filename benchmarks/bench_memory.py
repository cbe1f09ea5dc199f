"""Peak memory of ``qase-contract validate`` on a large JSON Lines dump: it must stay flat.

Writes a JSON Lines file of ``--size-mb`` MiB (default 1024) from the shipped examples, with
``--drift-share`` of deliveries drifted and ``--broken-share`` broken (so findings are rendered
too), runs ``qase-contract validate`` on it as a child process, and prints the wall time, the
throughput and the child's peak RSS next to the file size. Goal: peak RSS under 150 MB for 1 GB.
Usage: ``python benchmarks/bench_memory.py [--size-mb 1024] [--format text] [--keep PATH]``
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
        command = [str(BIN / "qase-contract"), "validate", "--format", options.format, str(dump)]
        started = time.perf_counter()
        completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"qase-contract validate --format {options.format}: exit {completed.returncode}, "
            f"{elapsed:.1f} s, "
            f"{count / elapsed:,.0f} deliveries/s, peak RSS {peak:,.0f} MiB"
        )
        if completed.stderr:
            print(completed.stderr.decode(errors="replace")[-500:])


if __name__ == "__main__":
    main()
