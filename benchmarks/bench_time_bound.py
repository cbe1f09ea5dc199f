"""``validate()`` takes time proportional to the size of what it is given, on hostile inputs too.

The adversarial campaign found a delivery that made ``validate()`` never return (an ``int``
subclass tested against a ``range``). This script is the check that nothing of the kind is
left: seeded generators build deliveries of one hostile shape over a ladder of sizes (4 KiB to
1 MiB by default, each rung four times the last), and every rung is timed, min of the runs.
A family is *bounded* when its time per byte at every rung is at most ``--bound`` times its
time per byte at the smallest rung: linear work passes with room to spare (the fixed cost of a
call makes the small rungs the dearest per byte), quadratic work over a 256-fold ladder is
tens of times over. A call that runs past ``--watchdog`` seconds stops the family: it is
reported as such, never waited on for ever.

The families, as a Python object and, where JSON can carry the shape, as bytes:

* a long string, of every kind of character (escapes, non-ASCII, astral);
* many unknown keys (drift at one level);
* deep nesting, arrays and objects alternating (as bytes, past 1,024 levels the parser
  refuses it at once, so that rung only shows the refusal costs nothing more);
* a long array of conforming steps, and one where every step is broken (a finding per step);
* values and keys of ``int``, ``str``, ``float`` and ``dict`` subclasses (``IntEnum`` members,
  big integers), which JSON cannot carry: objects only;
* an overlay with ECMA-262 patterns (``\\p{Lu}``, ``\\d``) checked on every step.

Exits 1 when a family is not bounded, so it can gate a change. Writes its section of
``benchmarks/RESULTS.md``. Usage: ``python benchmarks/bench_time_bound.py [--runs 3]
[--seed 0] [--largest 1048576] [--bound 4] [--watchdog 60] [--quick] [--results FILE]``.
"""

from __future__ import annotations

import argparse
import enum
import json
import multiprocessing
import random
import sys
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from _results import Report, add_options, progress, results_path, runs_of

from qase_contract import Validator
from qase_contract.testing import sample_delivery

#: Size ladder: each rung this many times the last, from a size where the hostile part is most
#: of the delivery (below it, the cheap conforming envelope dilutes the time per byte).
STEP = 4
SMALLEST = 4096


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 3


class Whole(int):
    pass


class Text(str):
    pass


class Number(float):
    pass


class Mapping(OrderedDict):  # type: ignore[type-arg]
    pass


T = TypeVar("T")
Make = Callable[[random.Random, int], dict[str, Any]]


@dataclass(frozen=True)
class Family:
    """One hostile shape: ``make(rng, n)`` builds a delivery with ``n`` units of it."""

    name: str
    make: Make
    as_bytes: bool = True
    overlay: bool = False


#: Characters a long string draws from: JSON escapes, controls, two-byte, three-byte and astral.
ALPHABET = 'abcXYZ019 "\\/\n\t\x01\x7f\u00e9\u0663\u2028\u4e2d\U0001f600'


def long_string(rng: random.Random, n: int) -> dict[str, Any]:
    delivery = sample_delivery("run.completed")
    delivery["payload"]["title"] = "".join(rng.choice(ALPHABET) for _ in range(n))
    return delivery


def many_keys(rng: random.Random, n: int) -> dict[str, Any]:
    delivery = sample_delivery("run.completed")
    for index in range(n):
        delivery["payload"][f"k{index}_{rng.randrange(10**6)}"] = rng.choice([1, "x", None, [], {}])
    return delivery


def deep_nesting(rng: random.Random, n: int) -> dict[str, Any]:
    delivery = sample_delivery("run.completed")
    node: Any = delivery["payload"]
    key: Any = "nested"
    for _ in range(n):
        child: Any = [] if rng.random() < 0.5 else {}
        if isinstance(node, list):
            node.append(child)
        else:
            node[key] = child
        node, key = child, rng.choice("abc")
    return delivery


def step(rng: random.Random, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "action": rng.choice(["Open the page", "Log in", "Press send"]),
        "expected_result": "it works",
        "data": "",
        "attachments": [],
        "shared": False,
    }


def many_steps(rng: random.Random, n: int) -> dict[str, Any]:
    delivery = sample_delivery("case.created")
    delivery["payload"]["steps"] = [step(rng, index) for index in range(n)]
    return delivery


def broken_steps(rng: random.Random, n: int) -> dict[str, Any]:
    """Every step breaks the contract in one of several ways, and drifts too."""
    delivery = many_steps(rng, n)
    for index, item in enumerate(delivery["payload"]["steps"]):
        fault = rng.randrange(4)
        if fault == 0:
            item["position"] = str(index)
        elif fault == 1:
            del item["action"]
        elif fault == 2:
            item["shared"] = None
        else:
            item["attachments"] = "none"
        item[f"new_{index % 7}"] = index
    return delivery


def subclasses(rng: random.Random, n: int) -> dict[str, Any]:
    """Conforming steps built from subclasses, and an unknown key holding big and odd numbers."""
    delivery = many_steps(rng, n)
    steps = [
        Mapping(
            (
                Text(key),
                Priority.HIGH if key == "position" else Text(value) if isinstance(value, str) else value,
            )
            for key, value in item.items()
        )
        for item in delivery["payload"]["steps"]
    ]
    delivery["payload"]["steps"] = steps
    delivery["payload"][Text("numbers")] = [
        rng.choice([Whole(2**62 + rng.randrange(1000)), Whole(-(2**80)), Number(rng.random()), Priority.LOW])
        for _ in range(n)
    ]
    return delivery


def patterned_steps(rng: random.Random, n: int) -> dict[str, Any]:
    """Steps checked by the overlay's patterns; every fifth matches neither (a lower-case or
    non-letter action, and data holding a digit that is one to Python's ``re`` only)."""
    delivery = many_steps(rng, n)
    for index, item in enumerate(delivery["payload"]["steps"]):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 6)))
        if index % 5 == 0:
            item["action"] = rng.choice(["lower case", "\u0663 digits", "\u00e9t\u00e9"])
            digits += "\u0663"
        item["data"] = digits
    return delivery


FAMILIES = [
    Family("long string", long_string),
    Family("many unknown keys", many_keys),
    Family("deep nesting", deep_nesting),
    Family("many conforming steps", many_steps),
    Family("many broken steps", broken_steps),
    Family("subclasses of int, str, float, dict", subclasses, as_bytes=False),
    Family("ECMA patterns of an overlay", patterned_steps, overlay=True),
]

#: The overlay for :func:`patterned_steps`: ECMA-262 classes that Python's ``re`` reads otherwise.
STEP_PATTERNS = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "pattern": "^\\p{Lu}[\\p{L} ]*$"},
        "data": {"type": "string", "pattern": "^\\d*$"},
    },
}


def write_overlay(folder: Path) -> Path:
    """An overlay that replaces case.created: the envelope, and patterns on every step."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "../../envelope.schema.json",
        "properties": {
            "event_name": {"const": "case.created"},
            "payload": {"type": "object", "properties": {"steps": {"type": "array", "items": STEP_PATTERNS}}},
        },
    }
    path = folder / "events" / "case" / "created.schema.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(schema), encoding="utf-8")
    return folder


def encoded(delivery: dict[str, Any]) -> bytes:
    """``delivery`` as JSON, written without recursion (``json.dumps`` stops at 1,000 levels)."""
    out: list[str] = []
    todo: list[Any] = [delivery]
    close = object()  # marks where a container's closing bracket goes
    while todo:
        node = todo.pop()
        if isinstance(node, tuple) and node and node[0] is close:
            out.append(node[1])
        elif isinstance(node, dict):
            out.append("{")
            todo.append((close, "}"))
            for index, (key, value) in enumerate(reversed(node.items())):
                todo.append(value)
                todo.append((close, ("" if index == len(node) - 1 else ",") + json.dumps(str(key)) + ":"))
        elif isinstance(node, list):
            out.append("[")
            todo.append((close, "]"))
            for index, value in enumerate(reversed(node)):
                todo.append(value)
                if index != len(node) - 1:
                    todo.append((close, ","))
        else:
            out.append(json.dumps(node, ensure_ascii=False))
    return "".join(out).encode()


def units_for(family: Family, size: int, seed: int) -> int:
    """How many units make ``family``'s delivery about ``size`` bytes long."""
    base = len(encoded(family.make(random.Random(seed), 0)))
    probe = 256
    per_unit = (len(encoded(family.make(random.Random(seed), probe))) - base) / probe
    return max(1, round((size - base) / per_unit))


def ladder(largest: int) -> list[int]:
    sizes = [SMALLEST]
    while sizes[-1] * STEP <= largest:
        sizes.append(sizes[-1] * STEP)
    return sizes


@dataclass(frozen=True)
class Rung:
    size: int  # bytes of the delivery as JSON
    seconds: float  # min of the runs
    verdict: str  # the status of the result, a check that the run judged something

    @property
    def per_byte(self) -> float:
        return self.seconds / self.size


class Watchdog(Exception):
    """A rung ran past the watchdog's limit."""


def in_child(work: Callable[[], T], limit: float) -> T:
    """``work()`` run in a forked child process, its result; :class:`Watchdog` when it takes
    more than ``limit`` seconds, and the child is killed. A process, not a signal: a signal
    handler runs only between Python instructions, and a hang in native code (an ``int``
    subclass looked up in a ``range``, a loop in jsonschema-rs) never gets back to them."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)

    def run() -> None:
        try:
            sending.send((True, work()))
        except BaseException as error:  # said to the parent, which raises it
            sending.send((False, repr(error)))

    child = context.Process(target=run, daemon=True)
    child.start()
    sending.close()
    try:
        if not receiving.poll(limit):
            raise Watchdog
        finished, value = receiving.recv()
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiving.close()
    if not finished:
        raise RuntimeError(f"the measurement failed in its process: {value}")
    return cast("T", value)


def timed(validator: Validator, delivery: object, runs: int) -> tuple[float, str]:
    """The least time of ``runs`` calls (more calls for quick ones), and the verdict. A call
    before them pays what a first call pays (modules loaded on first use, caches filled)."""
    best = float("inf")
    status = validator.validate(delivery).status
    for _ in range(runs):
        calls = 0
        started = time.perf_counter()
        while True:
            status = validator.validate(delivery).status
            calls += 1
            elapsed = time.perf_counter() - started
            if elapsed > 0.02 or calls >= 1000:
                break
        best = min(best, elapsed / calls)
    return best, status


def measure(
    family: Family, form: str, validator: Validator, sizes: Sequence[int], options: argparse.Namespace
) -> tuple[list[Rung], str]:
    """The family's rungs, and why it stopped early ('' when it did not)."""
    rungs: list[Rung] = []
    for size in sizes:
        delivery = family.make(random.Random(options.seed), units_for(family, size, options.seed))
        body = encoded(delivery)
        given: object = body if form == "bytes" else delivery
        progress(f"{family.name}, {form}, {len(body):,} bytes")
        try:
            seconds, status = in_child(partial(timed, validator, given, runs_of(options)), options.watchdog)
        except Watchdog:
            return rungs, f"stopped by the watchdog at {len(body):,} bytes (over {options.watchdog:g} s)"
        rungs.append(Rung(len(body), seconds, status))
    return rungs, ""


def growth(rungs: Sequence[Rung]) -> float:
    """The largest time per byte of a rung, over the smallest rung's."""
    return max(rung.per_byte for rung in rungs) / rungs[0].per_byte


def bounded(rungs: Sequence[Rung], bound: float, stopped: str) -> bool:
    return not stopped and bool(rungs) and growth(rungs) <= bound


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=3)
    parser.add_argument("--seed", type=int, default=0, help="seed of the generators (0)")
    parser.add_argument("--largest", type=int, default=None, help="largest input in bytes (1 MiB)")
    parser.add_argument("--bound", type=float, default=4.0, help="allowed growth of time per byte (4)")
    parser.add_argument("--watchdog", type=float, default=60.0, help="seconds one rung may take (60)")
    options = parser.parse_args()
    sizes = ladder(options.largest or (64 * 1024 if options.quick else 1024 * 1024))
    report = Report("bench_time_bound.py", "validate() time against input size, on hostile inputs")
    report.say(
        f"Seed {options.seed}; sizes {', '.join(f'{size // 1024:,} KiB' for size in sizes)}; each rung "
        f"the min of {runs_of(options)} runs. Growth: the largest time per byte of a rung over the "
        f"smallest rung's; bounded when at most {options.bound:g}x. Time per byte in nanoseconds."
    )
    failures = 0
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        plain, overlaid = Validator(), Validator(schemas=write_overlay(Path(folder)))
        for family in FAMILIES:
            for form in ("object", "bytes") if family.as_bytes else ("object",):
                validator = overlaid if family.overlay else plain
                rungs, stopped = measure(family, form, validator, sizes, options)
                ok = bounded(rungs, options.bound, stopped)
                failures += not ok
                per_byte = ", ".join(f"{rung.per_byte * 1e9:.1f}" for rung in rungs)
                verdicts = sorted({rung.verdict for rung in rungs})
                rows.append(
                    [
                        family.name,
                        form,
                        per_byte + (f"; {stopped}" if stopped else ""),
                        f"{growth(rungs):.2f}x" if rungs else "-",
                        ", ".join(verdicts),
                        "bounded" if ok else "**not bounded**",
                    ]
                )
    report.table(["family", "given as", "ns per byte, smallest to largest", "growth", "verdicts", ""], rows)
    report.say(
        "every family bounded"
        if not failures
        else f"{failures} famil{'y' if failures == 1 else 'ies'} not bounded"
    )
    report.publish(results_path(options))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
