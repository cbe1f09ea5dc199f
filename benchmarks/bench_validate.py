"""Library throughput against its peers, in one run on the same deliveries.

Measures, interleaved round by round, the time per delivery of:
  * bare loop: orjson.loads + jsonschema-rs ``is_valid`` per event (the practical limit),
  * python-jsonschema: cached validators per event, ``iter_errors`` (what the toolkit would
    cost without jsonschema-rs),
  * qase-contract: ``Validator.validate`` on the raw bytes (findings included),
and the ratios between them, min and median of ``--runs`` runs; writes its section of
``benchmarks/RESULTS.md``. Usage: ``python benchmarks/bench_validate.py [--count N]
[--drift-share F] [--runs N] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import jsonschema_rs
import orjson
from _results import ROOT, Report, add_options, format_ratio, ratio, results_path, runs_of, spreads
from jsonschema import Draft202012Validator

from qase_contract import SchemaSet, Validator

EXAMPLES = ROOT / "schemas" / "examples"
PACKAGES = ("jsonschema-rs", "orjson", "jsonschema")


def corpus(count: int, drift_share: float, seed: int = 7) -> list[bytes]:
    """``count`` raw deliveries cycling through the examples; ``drift_share`` gain an unknown field."""
    examples = [json.loads(path.read_text()) for path in sorted(EXAMPLES.glob("*/*.json"))]
    rng = random.Random(seed)
    bodies = []
    for index in range(count):
        delivery: dict[str, Any] = json.loads(json.dumps(examples[index % len(examples)]))
        if rng.random() < drift_share:
            delivery["payload"]["undocumented"] = index
        bodies.append(orjson.dumps(delivery))
    return bodies


def seconds(run: Callable[[list[bytes]], int], bodies: list[bytes]) -> float:
    started = time.perf_counter()
    run(bodies)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=5)
    parser.add_argument("--count", type=int, default=None, help="deliveries (20,000)")
    parser.add_argument("--drift-share", type=float, default=0.0)
    options = parser.parse_args()
    runs = runs_of(options)
    report = Report("bench_validate.py", "The library: Validator.validate against its peers", PACKAGES)

    schema_set = SchemaSet.builtin()
    rs_registry = jsonschema_rs.Registry(list(schema_set.resources.items()))
    rs = {
        name: jsonschema_rs.validator_for(dict(schema_set.resources[sid]), registry=rs_registry)
        for name, sid in schema_set.event_schemas.items()
    }
    py = {
        name: Draft202012Validator(schema_set.resources[sid], registry=schema_set.registry)
        for name, sid in schema_set.event_schemas.items()
    }
    validator = Validator()

    def bare_loop(bodies: list[bytes]) -> int:
        valid = 0
        for body in bodies:
            delivery = orjson.loads(body)
            valid += rs[delivery["event_name"]].is_valid(delivery)
        return valid

    def python_loop(bodies: list[bytes]) -> int:
        valid = 0
        for body in bodies:
            delivery = orjson.loads(body)
            valid += not any(True for _ in py[delivery["event_name"]].iter_errors(delivery))
        return valid

    def toolkit(bodies: list[bytes]) -> int:
        return sum(not validator.validate(body).findings for body in bodies)

    loops = {
        "bare orjson + jsonschema-rs": bare_loop,
        "python-jsonschema loop": python_loop,
        "qase-contract Validator": toolkit,
    }
    bodies = corpus(options.count or (2_000 if options.quick else 20_000), options.drift_share)
    # The warm-up compiles every engine before timing, and gives each loop's verdicts.
    verdicts = {name: loop(bodies) for name, loop in loops.items()}
    times = spreads({name: partial(seconds, loop, bodies) for name, loop in loops.items()}, runs)
    per_delivery = {name: spread.scaled(1e6 / len(bodies)) for name, spread in times.items()}

    ours = times["qase-contract Validator"]
    report.say(
        f"{len(bodies):,} raw deliveries cycling through the shipped examples, "
        f"{options.drift_share:.0%} with an unknown field; {runs} runs of each loop, interleaved, in one "
        f"process; min / median. Conforming per loop: {', '.join(map(str, verdicts.values()))} "
        f"(the verdicts agree: {'yes' if len(set(verdicts.values())) == 1 else 'NO'})."
    )
    report.table(
        ["loop", "µs per delivery", "deliveries/s at the min", "qase-contract's speed against it"],
        [
            [
                name,
                per_delivery[name].format(".2f"),
                f"{len(bodies) / spread.min:,.0f}",
                "" if spread is ours else format_ratio(ratio(spread, ours)),
            ]
            for name, spread in times.items()
        ],
    )
    report.publish(results_path(options))


if __name__ == "__main__":
    main()
