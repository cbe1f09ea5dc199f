"""Whole-process speed and memory of ``qase-contract validate`` against its peers, in one run.

On the same 100,000-delivery mixed-event JSON Lines file (every shipped example, shuffled):
  * qase-contract validate (its default: every core for input over 16 MiB; and --jobs 1),
  * (a) a bare loop: orjson + jsonschema-rs over the bundled schemas (the practical limit),
  * (b) a python-jsonschema loop with one cached validator per event,
and on a folder of 2,000 single-delivery files:
  * (c) check-jsonschema, one invocation per event schema (it takes one schema per run),
    against one ``qase-contract validate FOLDER``.
Every figure is the best of ``--repeat`` whole-process runs (start-up included); peak RSS is
the largest resident set of any one process of the run (with workers, each has its own). Usage:
``python benchmarks/bench_cli.py [--count 100000] [--files 2000] [--repeat 3] [--drift-share 0]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: As after ``pip install``, which compiles byte-code: this sandbox sets PYTHONDONTWRITEBYTECODE,
#: which would make every measured process compile every module again (about 35 ms each).
AS_INSTALLED = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
EXAMPLES = ROOT / "schemas" / "examples"
BIN = Path(sys.executable).parent

# The bundled schemas are written once beforehand (qase-contract schema EVENT --bundled), so the
# bare loop's start-up is only reading and compiling them.
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

MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
child = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed, code = time.perf_counter() - started, child.returncode
sys.stderr.write(child.stderr.decode(errors="replace")[-2000:])
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
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
    from qase_contract import SchemaSet
    from qase_contract.contract._bundle import bundled

    folder.mkdir()
    schema_set = SchemaSet.builtin()
    for name in schema_set.event_schemas:
        (folder / f"{name}.json").write_text(json.dumps(bundled(schema_set, name)), encoding="utf-8")
    return folder


def write_folder(folder: Path, count: int, rng: random.Random) -> dict[str, list[Path]]:
    pool = examples()
    by_event: dict[str, list[Path]] = defaultdict(list)
    for index in range(count):
        event, delivery = pool[rng.randrange(len(pool))]
        path = folder / f"{index:05}-{event}.json"
        path.write_text(json.dumps(delivery), encoding="utf-8")
        by_event[event].append(path)
    return by_event


def measure(command: list[str], repeat: int) -> tuple[float, int, int]:
    """Best wall time over ``repeat`` runs, the peak RSS in MiB, and the exit code."""
    best, peak, code = float("inf"), 0, 0
    for _ in range(repeat):
        completed = subprocess.run(
            [sys.executable, "-c", MEASURE, *command],
            capture_output=True,
            text=True,
            check=True,
            env=AS_INSTALLED,
        )
        if completed.stderr:
            print(f"  ({command[0]} said: {completed.stderr.strip()[-300:]})")
        out = completed.stdout.split()
        best, peak, code = min(best, float(out[0])), max(peak, int(out[1]) // 1024), int(out[2])
    return best, peak, code


def measure_many(commands: list[list[str]], repeat: int) -> tuple[float, int]:
    best = float("inf")
    peak = 0
    for _ in range(repeat):
        started = time.perf_counter()
        for command in commands:
            _, rss, _ = measure(command, 1)
            peak = max(peak, rss)
        best = min(best, time.perf_counter() - started)
    return best, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--drift-share", type=float, default=0.0)
    parser.add_argument("--skip-python", action="store_true", help="skip the slow python-jsonschema loop")
    options = parser.parse_args()
    rng = random.Random(2026)
    work = Path(tempfile.mkdtemp(prefix="qase-bench-"))
    try:
        corpus = work / "corpus.jsonl"
        write_corpus(corpus, options.count, options.drift_share, rng)
        size = corpus.stat().st_size / 2**20
        print(
            f"{options.count:,} deliveries ({size:.1f} MiB), {options.drift_share:.0%} drifted; "
            f"best of {options.repeat}"
        )
        ours = [str(BIN / "qase-contract"), "validate", "--quiet", str(corpus)]
        rows = {
            "qase-contract validate": measure(ours, options.repeat),
            "qase-contract validate --jobs 1": measure([*ours, "--jobs", "1"], options.repeat),
            "(a) bare orjson + jsonschema-rs": measure(
                [sys.executable, "-c", BARE_LOOP, str(corpus), str(write_bundles(work / "bundles"))],
                options.repeat,
            ),
        }
        if not options.skip_python:
            rows["(b) python-jsonschema loop"] = measure([sys.executable, "-c", PYTHON_LOOP, str(corpus)], 1)
        for name, (seconds, rss, code) in rows.items():
            print(
                f"  {name:34} {seconds:7.2f} s {options.count / seconds:10,.0f}/s  "
                f"peak {rss:4} MiB  exit {code}"
            )
        base = rows["qase-contract validate"][0]
        single = rows["qase-contract validate --jobs 1"][0]
        bare = rows["(a) bare orjson + jsonschema-rs"][0]
        print(f"  ratio to (a) the bare loop:          {bare / base:.2f}x (--jobs 1: {bare / single:.2f}x)")
        if not options.skip_python:
            print(
                f"  ratio to (b) python-jsonschema:      {rows['(b) python-jsonschema loop'][0] / base:.1f}x"
            )

        folder = work / "folder"
        folder.mkdir()
        by_event = write_folder(folder, options.files, rng)
        checker = shutil.which("check-jsonschema", path=str(BIN)) or "check-jsonschema"
        per_event = []
        for event, files in sorted(by_event.items()):
            prefix, action = event.split(".", 1)
            schema = ROOT / "schemas" / "events" / prefix / f"{action}.schema.json"
            per_event.append(
                [checker, "--schemafile", str(schema), "--base-uri", schema.as_uri(), *map(str, files)]
            )
        # check-jsonschema must not reach the network: an unroutable proxy makes sure of it.
        os.environ.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
        theirs_seconds, theirs_rss = measure_many(per_event, options.repeat)
        mine_seconds, mine_rss, _ = measure(
            [str(BIN / "qase-contract"), "validate", "--quiet", str(folder)], options.repeat
        )
        print(f"{options.files:,} single-delivery files, {len(per_event)} events")
        print(f"  {'(c) check-jsonschema, per event':34} {theirs_seconds:7.2f} s  peak {theirs_rss:4} MiB")
        print(f"  {'qase-contract validate FOLDER':34} {mine_seconds:7.2f} s  peak {mine_rss:4} MiB")
        print(f"  qase-contract is {theirs_seconds / mine_seconds:.1f}x faster than check-jsonschema")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
