"""``qase-contract validate`` against the practical limit, whole processes, in one run.

The limit is a minimal script: orjson plus one jsonschema-rs validator per event, compiled from
the ``--bundled`` schemas, reading the same input and only deciding (no locations, findings or
report). On seeded corpora drawn from the shipped examples (``_corpora.py``):

* conforming JSON Lines (100,000 deliveries);
* JSON Lines with 10% drift and 2% violations (100,000), a corpus from a service that evolves;
* a folder of 2,000 single-delivery files, with the same shares;
* a folder of 50,000 such files (about 20 MB), past the size at which the default ``--jobs``
  starts workers: what measures that choice on many small files;
* one delivery (start-up).

Each is checked by the limit, by ``qase-contract validate --jobs 1`` and by ``validate`` with its
default workers, interleaved in every round. Speed is reported as the limit's time divided by
the command's (1.00x: as fast as the limit), min and median of the runs; and the default
``--jobs`` against ``--jobs 1``. Writes its section of ``benchmarks/RESULTS.md``.

Usage: ``python benchmarks/bench_limit.py [--runs 5] [--count 100000] [--files 2000] [--quick]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from _corpora import write_files, write_lines
from _process import Timed, timed
from _results import (
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

BIN = Path(sys.executable).parent
PACKAGES = ("jsonschema-rs", "orjson")

LIMIT = """
import pathlib, sys, orjson, jsonschema_rs
validators = {p.stem: jsonschema_rs.validator_for(orjson.loads(p.read_bytes()))
              for p in pathlib.Path(sys.argv[2]).glob("*.json")}
envelope = validators.pop("envelope")
def decide(data):
    try:
        d = orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    name = d.get("event_name") if isinstance(d, dict) else None
    return validators.get(name, envelope).is_valid(d)
target = pathlib.Path(sys.argv[1])
if target.is_dir():
    valid = sum(decide(p.read_bytes()) for p in sorted(target.rglob("*.json")))
else:
    with target.open("rb") as lines:
        valid = sum(decide(line) for line in lines)
print(valid)
"""


def write_bundles(folder: Path) -> Path:
    """Every event's schema and the envelope's, bundled (no $ref), as the limit compiles them."""
    from qase_contract.contract import SchemaSet, bundled

    folder.mkdir()
    schema_set = SchemaSet.builtin()
    for name in [*schema_set.event_schemas, "envelope"]:
        (folder / f"{name}.json").write_text(json.dumps(bundled(schema_set, name)), encoding="utf-8")
    return folder


class Inputs:
    def __init__(self, work: Path, count: int, files: int, many_files: int) -> None:
        self.work = work
        self.bundles = write_bundles(work / "bundles")
        self.inputs = {
            "conforming JSON Lines": write_lines(work / "conforming.jsonl", count, seed=1),
            "10% drift + 2% violations": write_lines(
                work / "mixed.jsonl", count, seed=2, drift=0.10, violations=0.02
            ),
            "single-delivery files": write_files(work / "files", files, seed=3, drift=0.10, violations=0.02),
            "many single-delivery files": write_files(
                work / "many-files", many_files, seed=5, drift=0.10, violations=0.02
            ),
            "one delivery (start-up)": write_lines(work / "one.json", 1, seed=4),
        }
        self.count, self.files, self.many_files = count, files, many_files


def measure(inputs: Inputs, runs: int, report: Report) -> None:
    qase = str(BIN / "qase-contract")
    measures: dict[str, Callable[[], Timed]] = {}
    for name, path in inputs.inputs.items():
        measures[f"{name}|limit"] = partial(
            timed, [sys.executable, "-c", LIMIT, str(path), str(inputs.bundles)]
        )
        measures[f"{name}|--jobs 1"] = partial(timed, [qase, "validate", "--jobs", "1", str(path)])
        measures[f"{name}|default"] = partial(timed, [qase, "validate", str(path)])
    for run in measures.values():  # warm the file cache and the byte-code once
        run()
    walls: dict[str, Callable[[], float]] = {}
    cpus: dict[str, list[float]] = {name: [] for name in measures}

    def wall_of(name: str) -> float:
        result = measures[name]()
        cpus[name].append(result.cpu)
        return result.wall

    for name in measures:
        walls[name] = partial(wall_of, name)
    rounds = interleaved(walls, runs)
    wall = {name: Spread.of(values) for name, values in rounds.items()}
    cpu = {name: Spread.of(values) for name, values in cpus.items()}

    report.say(
        f"Inputs drawn from the shipped examples, seeded: {inputs.count:,} deliveries per JSON Lines "
        f"file, {inputs.files:,} files in the folder ({inputs.many_files:,} in the large one). "
        f"{runs} rounds; every command once per round "
        "(interleaved). Wall and CPU seconds, min / median. Speed is the limit's wall time divided "
        "by the command's (1.00x: as fast as the limit); default vs --jobs 1 is --jobs 1's wall "
        "time divided by the default's (above 1: the default is faster). Each ratio is given as "
        "the ratio of the mins / of the medians, and round by round (each round's ratio, whose "
        "commands ran back to back under the same load): its median, and its worst round."
    )
    rows = []
    for name in inputs.inputs:
        limit = f"{name}|limit"
        for command in ("--jobs 1", "default"):
            key = f"{name}|{command}"
            versus_jobs_1 = ["", ""]
            if command == "default":
                jobs_1 = f"{name}|--jobs 1"
                versus_jobs_1 = [
                    format_ratio(ratio(wall[jobs_1], wall[key])),
                    format_rounds(round_by_round(rounds[jobs_1], rounds[key])),
                ]
            rows.append(
                [
                    name,
                    f"validate {command}" if command != "default" else "validate (default --jobs)",
                    wall[key].format(".3f"),
                    cpu[key].format(".3f"),
                    wall[limit].format(".3f"),
                    format_ratio(ratio(wall[limit], wall[key])),
                    format_rounds(round_by_round(rounds[limit], rounds[key])),
                    *versus_jobs_1,
                ]
            )
    report.table(
        [
            "input",
            "command",
            "wall s",
            "CPU s",
            "limit wall s",
            "speed vs the limit",
            "round by round",
            "default vs --jobs 1",
            "round by round",
        ],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=5)
    parser.add_argument("--count", type=int, default=None, help="deliveries per JSON Lines file (100,000)")
    parser.add_argument("--files", type=int, default=None, help="single-delivery files (2,000)")
    parser.add_argument("--many-files", type=int, default=None, help="files in the large folder (50,000)")
    options = parser.parse_args()
    runs = runs_of(options)
    count = options.count or (5_000 if options.quick else 100_000)
    files = options.files or (200 if options.quick else 2_000)
    many_files = options.many_files or (1_000 if options.quick else 50_000)
    report = Report("bench_limit.py", "qase-contract validate against the practical limit", PACKAGES)
    with tempfile.TemporaryDirectory(prefix="qase-bench-limit-") as scratch:
        progress("writing the inputs")
        inputs = Inputs(Path(scratch).resolve(), count, files, many_files)
        measure(inputs, runs, report)
    report.publish(results_path(options))


if __name__ == "__main__":
    main()
