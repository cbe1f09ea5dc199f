"""Peak memory of ``qase-contract validate`` on a large JSON Lines dump: it must stay flat.

Writes a JSON Lines file of ``--size-mb`` MiB (default 1024) from the shipped examples, with
``--drift-share`` of deliveries drifted and ``--broken-share`` broken (so findings are rendered
too), runs ``qase-contract validate`` on it as a child process, once with its defaults (every
core for large input) and once with ``--jobs 1``, and prints the wall time, the throughput, the
largest single process's peak RSS and the peak of all its processes together (sampled from
/proc every 20 ms), min and median of ``--runs`` interleaved runs; writes its section of
``benchmarks/RESULTS.md``. Goal: peak RSS under 150 MB for 1 GB.
Usage: ``python benchmarks/bench_memory.py [--size-mb 1024] [--runs 3] [--format text] [--keep PATH]
[--quick]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from _process import AS_INSTALLED
from _results import (
    ROOT,
    Report,
    Spread,
    add_options,
    format_ratio,
    interleaved,
    progress,
    ratio,
    results_path,
    runs_of,
)

BIN = Path(sys.executable).parent
PACKAGES = ("jsonschema-rs", "orjson")


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


@dataclass(frozen=True)
class Sampled:
    code: int
    seconds: float
    peak_total: int
    peak_one: int
    errors: bytes


def run_measured(command: list[str], cwd: Path) -> Sampled:
    """Exit code, seconds, and the peak RSS of all processes and of the largest one."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors, env=AS_INSTALLED)
        peak_total = peak_one = 0
        while child.poll() is None:
            total, largest = tree_rss(child.pid)
            peak_total, peak_one = max(peak_total, total), max(peak_one, largest)
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        errors.seek(0)
        return Sampled(child.returncode, elapsed, peak_total, peak_one, errors.read()[-500:])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=3)
    parser.add_argument("--size-mb", type=int, default=None, help="size of the dump (1024)")
    parser.add_argument("--drift-share", type=float, default=0.01)
    parser.add_argument("--broken-share", type=float, default=0.001)
    parser.add_argument("--format", default="text")
    parser.add_argument("--keep", type=Path, help="write the dump here and keep it")
    options = parser.parse_args()
    runs = runs_of(options)
    size_mb = options.size_mb or (32 if options.quick else 1024)
    report = Report("bench_memory.py", "Peak memory of validate on a large JSON Lines dump", PACKAGES)
    with tempfile.TemporaryDirectory(prefix="qase-memory-") as work:
        dump = options.keep or Path(work) / "big.jsonl"
        started = time.perf_counter()
        count = write_dump(dump, size_mb * 2**20, options.drift_share, options.broken_share)
        size = dump.stat().st_size / 2**20
        progress(f"wrote {count:,} deliveries, {size:,.0f} MiB in {time.perf_counter() - started:.1f} s")
        base = [str(BIN / "qase-contract"), "validate", "--format", options.format, str(dump)]
        modes = {"default --jobs (free cores)": base, "--jobs 1": [*base, "--jobs", "1"]}
        results = interleaved(
            {label: partial(run_measured, command, Path(work)) for label, command in modes.items()}, runs
        )
    for label, samples in results.items():
        for sample in samples:
            if sample.errors:
                progress(f"validate {label} wrote to stderr: {sample.errors.decode(errors='replace')}")
    times = {label: Spread.of(sample.seconds for sample in samples) for label, samples in results.items()}
    report.say(
        f"A JSON Lines dump of {count:,} deliveries ({size:,.0f} MiB) drawn from the shipped examples, "
        f"seeded, {options.drift_share:.1%} drifted and {options.broken_share:.1%} broken; "
        f"`qase-contract validate --format {options.format}`, {runs} runs of each, interleaved; seconds, "
        f"min / median; peak RSS sampled from /proc every 20 ms, the largest over the runs."
    )
    rows = []
    for label, samples in results.items():
        rows.append(
            [
                label,
                times[label].format(".1f"),
                f"{count / times[label].min:,.0f}",
                f"{max(s.peak_total for s in samples) / 2**20:,.0f}",
                f"{max(s.peak_one for s in samples) / 2**20:,.0f}",
                "/".join(sorted({str(s.code) for s in samples})),
            ]
        )
    report.table(
        [
            "validate",
            "seconds",
            "deliveries/s at the min",
            "peak RSS MiB, all processes",
            "the largest",
            "exit",
        ],
        rows,
    )
    speed = format_ratio(ratio(times["--jobs 1"], times["default --jobs (free cores)"]))
    largest = max(s.peak_total for samples in results.values() for s in samples) / 2**20
    report.say(
        f"The default against --jobs 1: {speed} the speed. Goal, peak RSS of all processes under 150 MB: "
        f"{'met' if largest < 150 else 'NOT met'} ({largest:,.0f} MiB)."
    )
    report.publish(results_path(options))


if __name__ == "__main__":
    main()
