"""Whole-process speed and memory of ``qase-contract validate`` against its peers, in one run.

On the same mixed-event JSON Lines file (every shipped example, drawn at random, seeded):
  * qase-contract validate (its default: every free core for input over 16 MiB; and --jobs 1),
  * (a) a bare loop: orjson + jsonschema-rs over the bundled schemas (the practical limit),
  * (b) a python-jsonschema loop with one cached validator per event (one run: it is slow);
on one delivery (start-up): qase-contract validate and (a); and on a folder of single-delivery
files: one ``qase-contract validate FOLDER`` against (c) check-jsonschema, one invocation per
event schema (it takes one schema per run). Every measurement runs the installed command in a
fresh process, start-up included, interleaved with the others in each round.

``--against REV`` measures this checkout and the git revision REV instead, each installed in a
fresh virtual environment (same dependency versions), in paired runs on the same files through
the public command only (``qase-contract validate``), so the same commands measure both layouts.

Figures are the min and the median of ``--runs`` runs; CPU includes every worker; peak RSS is
the largest single process (with workers, each has its own). Writes its section of
``benchmarks/RESULTS.md``. Usage: ``python benchmarks/bench_cli.py [--count 100000]
[--files 2000] [--runs 3] [--drift-share 0] [--skip-python] [--against REV] [--quick]``
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from _process import AS_INSTALLED, Timed, timed
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
from _revision import this_and

EXAMPLES = ROOT / "schemas" / "examples"
BIN = Path(sys.executable).parent
PACKAGES = ("jsonschema-rs", "orjson", "jsonschema", "click", "check-jsonschema")
#: check-jsonschema must not reach the network: an unroutable proxy makes sure of it.
OFFLINE = {**AS_INSTALLED, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}

# The bundled schemas are written once beforehand (qase_contract.contract.bundled), so the bare
# loop's start-up is only reading and compiling them.
BARE_LOOP = """
import pathlib, sys, orjson, jsonschema_rs
validators = {p.stem: jsonschema_rs.validator_for(orjson.loads(p.read_bytes()))
              for p in pathlib.Path(sys.argv[2]).glob("*.json")}
valid = 0
with open(sys.argv[1], "rb") as lines:
    for line in lines:
        d = orjson.loads(line)
        valid += validators[d["event_name"]].is_valid(d)
print(valid)
"""

PYTHON_LOOP = """
import sys, orjson
from jsonschema import Draft202012Validator
from qase_contract import SchemaSet
s = SchemaSet.builtin()
validators = {n: Draft202012Validator(s.resources[i], registry=s.registry)
              for n, i in s.event_schemas.items()}
valid = 0
with open(sys.argv[1], "rb") as lines:
    for line in lines:
        d = orjson.loads(line)
        valid += not any(True for _ in validators[d["event_name"]].iter_errors(d))
print(valid)
"""


def examples() -> list[tuple[str, Any]]:
    return [(path.parent.name, json.loads(path.read_text())) for path in sorted(EXAMPLES.glob("*/*.json"))]


def write_corpus(path: Path, count: int, drift_share: float, rng: random.Random) -> None:
    pool = examples()
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            _, delivery = pool[rng.randrange(len(pool))]
            if rng.random() < drift_share:
                delivery = {**delivery, "payload": {**delivery["payload"], "undocumented": index}}
            out.write(json.dumps(delivery, separators=(",", ":")) + "\n")


def write_bundles(folder: Path) -> Path:
    from qase_contract.contract import SchemaSet, bundled

    folder.mkdir()
    schema_set = SchemaSet.builtin()
    for name in schema_set.event_schemas:
        (folder / f"{name}.json").write_text(json.dumps(bundled(schema_set, name)), encoding="utf-8")
    return folder


def write_folder(folder: Path, count: int, rng: random.Random) -> dict[str, list[Path]]:
    folder.mkdir()
    pool = examples()
    by_event: dict[str, list[Path]] = defaultdict(list)
    for index in range(count):
        event, delivery = pool[rng.randrange(len(pool))]
        path = folder / f"{index:05}-{event}.json"
        path.write_text(json.dumps(delivery), encoding="utf-8")
        by_event[event].append(path)
    return by_event


class Workloads:
    """The files every command reads, written once per run from the shipped examples, seeded."""

    def __init__(self, work: Path, count: int, files: int, drift_share: float) -> None:
        rng = random.Random(2026)
        self.work = work
        self.count, self.files, self.drift_share = count, files, drift_share
        self.corpus = work / "corpus.jsonl"
        write_corpus(self.corpus, count, drift_share, rng)
        self.one = work / "one.json"
        write_corpus(self.one, 1, 0.0, rng)
        self.folder = work / "folder"
        self.by_event = write_folder(self.folder, files, rng)

    def describe(self) -> str:
        size = self.corpus.stat().st_size / 2**20
        return (
            f"JSON Lines: {self.count:,} deliveries ({size:.1f} MiB), {self.drift_share:.0%} drifted; "
            f"folder: {self.files:,} single-delivery files of {len(self.by_event)} events; one delivery: "
            f"one compact JSON file. Seeded, drawn from the shipped examples."
        )


def sequence(commands: Sequence[Sequence[str]], env: dict[str, str]) -> Timed:
    """Several processes one after another, as one measurement: times add up, the peak is the largest."""
    runs = [timed(command, env=env) for command in commands]
    worst = max(run.code for run in runs)
    said = "".join(run.stderr for run in runs)[-2000:]
    return Timed(
        sum(r.wall for r in runs), sum(r.cpu for r in runs), max(r.peak_mib for r in runs), worst, said
    )


class Summary:
    """Repeated runs of one command: wall and CPU spreads, the largest peak, every exit code."""

    def __init__(self, runs: Sequence[Timed]) -> None:
        self.wall = Spread.of(r.wall for r in runs)
        self.cpu = Spread.of(r.cpu for r in runs)
        self.peak = max(r.peak_mib for r in runs)
        self.codes = sorted({r.code for r in runs})
        said = [r.stderr.strip() for r in runs if r.stderr.strip()]
        self.said = said[-1][-300:] if said else ""

    def exit(self) -> str:
        return "/".join(map(str, self.codes))


def summarise(measures: dict[str, Callable[[], Timed]], runs: int) -> dict[str, Summary]:
    summaries = {name: Summary(values) for name, values in interleaved(measures, runs).items()}
    for name, summary in summaries.items():
        if summary.said:
            progress(f"{name} wrote to stderr: {summary.said}")
    return summaries


def peers(work: Workloads, runs: int, skip_python: bool, report: Report) -> None:
    ours = str(BIN / "qase-contract")
    bundles = str(write_bundles(work.work / "bundles"))
    bare = [sys.executable, "-c", BARE_LOOP]
    checker = shutil.which("check-jsonschema", path=str(BIN)) or "check-jsonschema"
    per_event = []
    for event, files in sorted(work.by_event.items()):
        prefix, action = event.split(".", 1)
        schema = ROOT / "schemas" / "events" / prefix / f"{action}.schema.json"
        per_event.append(
            [checker, "--schemafile", str(schema), "--base-uri", schema.as_uri(), *map(str, files)]
        )
    run = partial(timed, cwd=work.work)
    measures: dict[str, Callable[[], Timed]] = {
        "lines: validate": partial(run, [ours, "validate", "--quiet", str(work.corpus)]),
        "lines: validate --jobs 1": partial(
            run, [ours, "validate", "--quiet", "--jobs", "1", str(work.corpus)]
        ),
        "lines: (a)": partial(run, [*bare, str(work.corpus), bundles]),
        "one: validate": partial(run, [ours, "validate", "--quiet", str(work.one)]),
        "one: (a)": partial(run, [*bare, str(work.one), bundles]),
        "folder: validate": partial(run, [ours, "validate", "--quiet", str(work.folder)]),
        "folder: (c)": partial(sequence, per_event, OFFLINE),
    }
    for measure in measures.values():  # warm the file cache and the byte-code
        measure()
    results = summarise(measures, runs)
    if not skip_python:
        progress("(b) python-jsonschema loop, one run")
        results["lines: (b)"] = Summary([run([sys.executable, "-c", PYTHON_LOOP, str(work.corpus)])])

    report.say(
        f"{work.describe()} {runs} runs of each command, interleaved; wall and CPU seconds, "
        f"min / median; speed is the peer's time divided by the command's (above 1: faster than the peer)."
    )
    names = {
        "validate": "qase-contract validate",
        "validate --jobs 1": "qase-contract validate --jobs 1",
        "(a)": "(a) bare orjson + jsonschema-rs",
        "(b)": "(b) python-jsonschema loop (1 run)",
        "(c)": f"(c) check-jsonschema, {len(per_event)} runs, one per event",
    }
    rows = []
    for key, summary in results.items():
        workload, command = key.split(": ")
        peer = results.get(f"{workload}: (c)" if workload == "folder" else f"{workload}: (a)")
        versus = (
            format_ratio(ratio(peer.wall, summary.wall)) if peer is not None and peer is not summary else ""
        )
        amount = {"lines": work.count, "one": 1, "folder": work.files}[workload]
        rows.append(
            [
                {"lines": "JSON Lines", "one": "one delivery", "folder": "folder"}[workload],
                names[command],
                summary.wall.format(".3f"),
                summary.cpu.format(".3f"),
                f"{amount / summary.wall.min:,.0f}" if workload != "one" else "",
                f"{summary.peak:.0f}",
                summary.exit(),
                versus,
            ]
        )
    report.table(
        [
            "input",
            "command",
            "wall s",
            "CPU s",
            "deliveries/s at the min",
            "peak MiB",
            "exit",
            "speed vs (a) or (c)",
        ],
        rows,
    )
    if "lines: (b)" in results:
        times = format_ratio(ratio(results["lines: (b)"].wall, results["lines: validate"].wall), ".1f")
        report.say(f"qase-contract validate against (b) python-jsonschema: {times} faster.")


def against(revision: str, work: Workloads, runs: int, report: Report) -> None:
    this, then = this_and(revision, work.work / "installs", packages=())
    commands = {
        "JSON Lines, default --jobs": ["validate", "--quiet", str(work.corpus)],
        "JSON Lines, --jobs 1": ["validate", "--quiet", "--jobs", "1", str(work.corpus)],
        "one delivery (start-up)": ["validate", "--quiet", str(work.one)],
        "folder": ["validate", "--quiet", str(work.folder)],
    }
    measures: dict[str, Callable[[], Timed]] = {}
    for workload, arguments in commands.items():  # this, then: A, B for each workload, every round
        for install in (this, then):
            command = [install.command("qase-contract"), *arguments]
            measures[f"{workload}|{install.label}"] = partial(timed, command, cwd=work.work)
    for measure in measures.values():
        measure()
    results = summarise(measures, runs)

    report.say(
        f"{work.describe()} {this.label} against {then.label} ({then.commit}), each installed in a "
        f"fresh virtual environment with the same dependency versions; `qase-contract validate --quiet` "
        f"on the same files, paired runs ({runs} pairs, A then B). Seconds, min / median; the ratio "
        f"is {then.label}'s time divided by this checkout's (above 1: this checkout is faster)."
    )
    rows = []
    for workload in commands:
        now, before = results[f"{workload}|{this.label}"], results[f"{workload}|{then.label}"]
        rows.append(
            [
                workload,
                now.wall.format(".3f"),
                before.wall.format(".3f"),
                format_ratio(ratio(before.wall, now.wall)),
                now.cpu.format(".3f"),
                before.cpu.format(".3f"),
                format_ratio(ratio(before.cpu, now.cpu)),
                f"{now.exit()} / {before.exit()}",
            ]
        )
    report.table(
        [
            "input",
            "wall s, this",
            f"wall s, {then.label}",
            f"wall, {then.label} ÷ this",
            "CPU s, this",
            f"CPU s, {then.label}",
            f"CPU, {then.label} ÷ this",
            "exit, this / then",
        ],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=3)
    parser.add_argument("--count", type=int, default=None, help="deliveries in the JSON Lines file (100,000)")
    parser.add_argument("--files", type=int, default=None, help="single-delivery files in the folder (2,000)")
    parser.add_argument("--drift-share", type=float, default=0.0)
    parser.add_argument("--skip-python", action="store_true", help="skip the slow python-jsonschema loop")
    parser.add_argument("--against", metavar="REV", help="compare with this git revision, in paired runs")
    options = parser.parse_args()
    runs = runs_of(options)
    count = options.count or (5_000 if options.quick else 100_000)
    files = options.files or (200 if options.quick else 2_000)
    if options.against:
        report = Report(
            "bench_cli.py --against",
            f"qase-contract validate, this checkout against {options.against}",
            PACKAGES[:4],
        )
    else:
        report = Report("bench_cli.py", "qase-contract validate, against its peers", PACKAGES)
    with tempfile.TemporaryDirectory(prefix="qase-bench-cli-") as scratch:
        progress("writing the inputs")
        work = Workloads(Path(scratch).resolve(), count, files, options.drift_share)
        if options.against:
            against(options.against, work, runs, report)
        else:
            peers(work, runs, options.skip_python, report)
    report.publish(results_path(options))


if __name__ == "__main__":
    main()
