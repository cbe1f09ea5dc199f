"""Library throughput against its peers, in one run on the same deliveries.

Prints deliveries per second for:
  * bare loop: orjson.loads + jsonschema-rs ``is_valid`` per event (the practical limit),
  * python-jsonschema: cached validators per event, ``iter_errors`` (what the toolkit would
    cost without jsonschema-rs),
  * qase-contract: ``Validator.validate`` on the raw bytes (findings included),
and the ratios between them. Usage: ``python benchmarks/bench_validate.py [--count N] [--drift-share F]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator

from qase_contract import SchemaSet, Validator

EXAMPLES = Path(__file__).resolve().parent.parent / "schemas" / "examples"


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


def per_second(run: Callable[[list[bytes]], int], bodies: list[bytes], repeat: int = 3) -> tuple[float, int]:
    best = float("inf")
    checked = 0
    for _ in range(repeat):
        started = time.perf_counter()
        checked = run(bodies)
        best = min(best, time.perf_counter() - started)
    return len(bodies) / best, checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--drift-share", type=float, default=0.0)
    options = parser.parse_args()

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

    bodies = corpus(options.count, options.drift_share)
    toolkit(bodies[:200])  # compile every engine before timing
    rates = {
        "bare orjson + jsonschema-rs": per_second(bare_loop, bodies),
        "python-jsonschema loop": per_second(python_loop, bodies, repeat=1),
        "qase-contract Validator": per_second(toolkit, bodies),
    }
    print(f"{len(bodies)} deliveries, {options.drift_share:.0%} with an unknown field")
    verdicts = {checked for _, checked in rates.values()}
    print(f"verdicts agree: {len(verdicts) == 1} (conforming: {sorted(verdicts)})")
    for name, (rate, _) in rates.items():
        print(f"  {name:30} {rate:12,.0f} deliveries/s")
    ours = rates["qase-contract Validator"][0]
    print(f"  ratio to the bare loop:        {ours / rates['bare orjson + jsonschema-rs'][0]:.2f}x")
    print(f"  ratio to python-jsonschema:    {ours / rates['python-jsonschema loop'][0]:.1f}x")


if __name__ == "__main__":
    main()
