"""What recording a read-set costs a test: a tracked delivery against a plain dict, in one run.

Measures, interleaved round by round, in one process:
  * field access: a consumer's handler making eight reads (nested up to three deep) of a
    run.started delivery, on a plain ``dict`` and on a tracked delivery
    (``--qase-record-reads``, ``record_reads``);
  * handing out: ``sample_delivery`` (a fresh deep copy) against the recorder's ``delivery``
    (the same copy, tracked);
  * ``json.dumps`` of a plain and of a tracked delivery;
and the ratios, min and median of ``--runs`` runs; writes its section of
``benchmarks/RESULTS.md``. Usage: ``python benchmarks/bench_reads.py [--loops N] [--runs N]
[--quick] [--results FILE]``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from _results import Report, add_options, format_ratio, ratio, results_path, runs_of, spreads

from qase_contract.testing import sample_delivery
from qase_contract.testing._reads import ReadRecorder

EVENT = "run.started"


def handler(delivery: dict[str, Any]) -> int:
    """A consumer's handler: eight reads by key, as a chat notifier of runs would make."""
    payload = delivery["payload"]
    plan = payload["plan"]
    title = plan["title"] if plan is not None else ""
    return (
        len(delivery["event_name"])
        + payload["id"]
        + len(payload["title"])
        + len(title)
        + payload["cases_count"]
        + len(delivery["project_code"])
    )


def seconds(work: Callable[[], object], loops: int) -> float:
    started = time.perf_counter()
    for _ in range(loops):
        work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=7)
    parser.add_argument("--loops", type=int, default=None, help="calls per measurement (100,000)")
    options = parser.parse_args()
    runs = runs_of(options)
    loops = options.loops or (10_000 if options.quick else 100_000)
    report = Report("bench_reads.py", "Recording read-sets: a tracked delivery against a plain dict")

    recorder = ReadRecorder()
    plain = sample_delivery(EVENT, {"plan": {"id": 1, "title": "Smoke"}})
    tracked = recorder.track(plain)
    assert handler(plain) == handler(tracked), "the tracked delivery must read the same values"
    assert json.dumps(plain) == json.dumps(tracked)

    measures = {
        "field access, plain dict": partial(seconds, partial(handler, plain), loops),
        "field access, tracked": partial(seconds, partial(handler, tracked), loops),
        "sample_delivery (plain copy)": partial(seconds, partial(sample_delivery, EVENT), loops // 10),
        "recorder.delivery (tracked copy)": partial(seconds, partial(recorder.delivery, EVENT), loops // 10),
        "json.dumps, plain dict": partial(seconds, partial(json.dumps, plain), loops // 10),
        "json.dumps, tracked": partial(seconds, partial(json.dumps, tracked), loops // 10),
    }
    times = spreads(measures, runs)
    calls = {name: loops if name.startswith("field") else loops // 10 for name in measures}
    per_call = {name: spread.scaled(1e6 / calls[name]) for name, spread in times.items()}
    pairs = [
        ("field access, tracked", "field access, plain dict"),
        ("recorder.delivery (tracked copy)", "sample_delivery (plain copy)"),
        ("json.dumps, tracked", "json.dumps, plain dict"),
    ]
    report.say(
        f"A {EVENT} delivery; the handler makes eight reads by key (event name, payload, its id, "
        f"title, cases count and plan, the plan's title, project code). {loops:,} handler calls and "
        f"{loops // 10:,} copies or dumps per measurement; {runs} runs of each, interleaved, in one "
        "process; min / median."
    )
    report.table(
        ["measure", "µs per call", "tracked ÷ plain"],
        [
            [
                name,
                per_call[name].format(".3f"),
                next((format_ratio(ratio(times[a], times[b])) for a, b in pairs if a == name), ""),
            ]
            for name in measures
        ],
    )
    report.publish(results_path(options))


if __name__ == "__main__":
    main()
