"""Drift profile throughput and memory on a large corpus, against a bare orjson loop, in one run.

Writes a mixed JSON Lines corpus (default one million deliveries) cycling through the shipped
examples with fresh ids and timestamps and some drift (undocumented fields, changed types,
nulls, unknown values, unknown events, broken lines), then runs each measurement in its own
process so each has its own peak RSS:

  * bare:     ``orjson.loads`` on every line (the practical limit of any Python reader),
  * profile:  ``CorpusProfile`` + ``compare`` fed the same lines, in-process, at a tenth of the
              corpus and at all of it (equal peak RSS at both sizes = flat memory),
  * command:  ``qase-contract drift FILE --format json`` in a process of its own, imports
              included (it reads through ``qase_contract.sources.read_paths``, so its memory
              follows that reader): with its default workers (one per free core, each folding
              a share of the events) and with ``--jobs 1``. Peak RSS is that of the largest
              process, workers included.

Every round runs each measurement once, interleaved; figures are the min and the median of
``--runs`` rounds, and the script writes its section of ``benchmarks/RESULTS.md``.
Usage: ``python benchmarks/bench_drift.py [--count N] [--runs N] [--keep FILE] [--quick]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from _process import AS_INSTALLED
from _results import (
    ROOT,
    Report,
    Spread,
    add_options,
    format_ratio,
    format_rounds,
    interleaved,
    progress,
    ratio,
    results_path,
    round_by_round,
    runs_of,
)

EXAMPLES = ROOT / "schemas" / "examples"
PACKAGES = ("orjson", "jsonschema-rs")


def deliveries(count: int, seed: int = 11) -> Iterator[bytes]:
    examples = [json.loads(path.read_text()) for path in sorted(EXAMPLES.glob("*/*.json"))]
    rng = random.Random(seed)
    for index in range(count):
        delivery: dict[str, Any] = json.loads(json.dumps(examples[index % len(examples)]))
        delivery["timestamp"] = 1_650_000_000 + index
        payload = delivery["payload"]
        if isinstance(payload.get("id"), int):
            payload["id"] = index
        roll = rng.random()
        if roll < 0.05:
            payload[f"new_field_{index % 7}"] = f"value {index}"
        elif roll < 0.07:
            delivery["team_member_id"] = str(delivery["team_member_id"])
        elif roll < 0.08:
            payload["title"] = None
        elif roll < 0.09:
            delivery["event_name"] = f"result.{('created', 'updated', 'deleted')[index % 3]}"
        elif roll < 0.0901:
            yield b'{"event_name": "run.started", '
            continue
        yield orjson.dumps(delivery)


def write_corpus(path: Path, count: int) -> None:
    with path.open("wb") as out:
        for line in deliveries(count):
            out.write(line + b"\n")


def lines(path: Path, limit: int | None) -> Iterator[bytes]:
    with path.open("rb") as corpus:
        for number, line in enumerate(corpus, start=1):
            if limit is not None and number > limit:
                return
            yield line


def bare(path: Path, limit: int | None) -> int:
    count = 0
    for count, line in enumerate(lines(path, limit), start=1):  # noqa: B007 (the count is the result)
        with contextlib.suppress(orjson.JSONDecodeError):
            orjson.loads(line)
    return count


def profile(path: Path, limit: int | None) -> int:
    from qase_contract.drift import CorpusProfile, compare
    from qase_contract.sources import Delivery, Location

    source = str(path)
    corpus = CorpusProfile.of(
        Delivery(line, Location(source, line=number)) for number, line in enumerate(lines(path, limit), 1)
    )
    compare(corpus)
    return corpus.deliveries


def command(path: Path, limit: int | None, jobs: tuple[str, ...] = ()) -> int:
    from qase_contract.cli import main

    report = path.with_suffix(".report.json")
    try:
        main(["drift", *jobs, "--format", "json", "--fail-on", "never", "--output", str(report), str(path)])
    except SystemExit as done:
        if done.code != 0:
            raise
    deliveries: int = json.loads(report.read_text(encoding="utf-8"))["deliveries"]
    return deliveries


MODES: dict[str, Callable[[Path, int | None], int]] = {
    "bare": bare,
    "profile": profile,
    "command": command,
    "command --jobs 1": partial(command, jobs=("--jobs", "1")),
}


def measure(mode: str, path: Path, limit: int | None) -> dict[str, float]:
    """Run in a child process: one measurement, its seconds and this process's peak RSS."""
    started = time.perf_counter()
    count = MODES[mode](path, limit)
    elapsed = time.perf_counter() - started
    return {"count": count, "seconds": elapsed, "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """The peak RSS of this process or of the largest worker it waited for (kilobytes on Linux)."""
    processes = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    return max(resource.getrusage(who).ru_maxrss for who in processes) / 1024


def child(mode: str, path: Path, limit: int | None) -> dict[str, float]:
    args = [sys.executable, __file__, "--measure", mode, "--corpus", str(path)]
    if limit is not None:
        args += ["--limit", str(limit)]
    done = subprocess.run(args, capture_output=True, text=True, check=True, env=AS_INSTALLED)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=3)
    parser.add_argument("--count", type=int, default=None, help="deliveries in the corpus (1,000,000)")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure, options.corpus, options.limit)))
        return
    runs = runs_of(options)
    count = options.count or (20_000 if options.quick else 1_000_000)
    report = Report("bench_drift.py", "Drift profile throughput and memory", PACKAGES)

    with tempfile.TemporaryDirectory() as folder:
        path = options.keep or Path(folder) / "corpus.jsonl"
        started = time.perf_counter()
        write_corpus(path, count)
        size = path.stat().st_size / 2**20
        progress(
            f"corpus: {count:,} deliveries, {size:,.0f} MiB, written in {time.perf_counter() - started:.1f} s"
        )
        tenth = count // 10
        measures = {
            "bare orjson.loads": partial(child, "bare", path, None),
            f"profile, the first {tenth:,}": partial(child, "profile", path, tenth),
            "profile": partial(child, "profile", path, None),
            "qase-contract drift (process)": partial(child, "command", path, None),
            "qase-contract drift --jobs 1 (process)": partial(child, "command --jobs 1", path, None),
        }
        results = interleaved(measures, runs)
    counts = {name: int(values[0]["count"]) for name, values in results.items()}
    times = {name: Spread.of(value["seconds"] for value in values) for name, values in results.items()}
    peaks = {name: max(value["peak_rss_mb"] for value in values) for name, values in results.items()}
    bare = times["bare orjson.loads"].scaled(1 / counts["bare orjson.loads"])
    report.say(
        f"A mixed JSON Lines corpus of {count:,} deliveries ({size:,.0f} MiB) cycling through the shipped "
        f"examples, seeded, about 9% drifted and some broken lines; each measurement in its own "
        f"process, {runs} rounds, interleaved. Seconds, min / median; the ratio is the bare loop's time "
        f"per delivery divided by the measurement's (its speed against the bare parse), as the "
        f"ratio of the mins / of the medians, and round by round (each round's ratio, whose "
        f"measurements ran back to back under the same load): its median, and its worst round."
    )
    bare_rounds = [value["seconds"] / counts["bare orjson.loads"] for value in results["bare orjson.loads"]]
    rows = []
    for name, spread in times.items():
        per_delivery = spread.scaled(1 / counts[name])
        rounds = [value["seconds"] / counts[name] for value in results[name]]
        rows.append(
            [
                name,
                f"{counts[name]:,}",
                spread.format(".2f"),
                f"{counts[name] / spread.min:,.0f}",
                f"{peaks[name]:,.0f}",
                format_ratio(ratio(bare, per_delivery)),
                format_rounds(round_by_round(bare_rounds, rounds)),
            ]
        )
    report.table(
        [
            "measurement",
            "deliveries",
            "seconds",
            "deliveries/s at the min",
            "peak RSS MiB (largest process)",
            "speed against bare",
            "round by round",
        ],
        rows,
    )
    flat = peaks["profile"] / peaks[f"profile, the first {tenth:,}"]
    report.say(f"Memory, all of the corpus against a tenth of it (profile's peak RSS): {flat:.2f}x.")
    report.publish(results_path(options))


if __name__ == "__main__":
    main()
