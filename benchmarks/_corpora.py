"""Seeded corpora drawn from the shipped examples, the same for every run and every machine.

A real corpus from a service that evolves is mostly conforming, with some drift (a new field,
a new value of a closed set) and a few breaks. ``mixed_lines`` writes that: each delivery is a
shipped example with a fresh id, then, by the shares given, drifted or broken in one of a few
ways seen in practice. The test suite uses the same generator (smaller) to prove that reports
stay byte-identical, so a benchmark corpus and a test corpus never differ in kind.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "schemas" / "examples"

Mutation = Callable[[dict[str, Any], random.Random], None]


def examples() -> list[dict[str, Any]]:
    """Every shipped example delivery, in a stable order."""
    return [orjson.loads(path.read_bytes()) for path in sorted(EXAMPLES.glob("*/*.json"))]


def _payload(delivery: dict[str, Any]) -> dict[str, Any]:
    payload = delivery.get("payload")
    return payload if isinstance(payload, dict) else delivery.setdefault("payload", {})


# -- drift: additive changes a consumer survives ----------------------------------------------


def _new_field(delivery: dict[str, Any], rng: random.Random) -> None:
    _payload(delivery)[rng.choice(["layer", "tags", "source", "region"])] = rng.choice(
        ["api", ["smoke"], 3, {"name": "eu-1"}]
    )


def _new_envelope_field(delivery: dict[str, Any], rng: random.Random) -> None:
    delivery["delivery_id"] = f"d-{rng.randrange(10**6)}"


def _new_event(delivery: dict[str, Any], rng: random.Random) -> None:
    delivery["event_name"] = rng.choice(["result.created", "run.paused", "attachment.added"])


# -- violations: breaking changes ---------------------------------------------------------------


def _wrong_type(delivery: dict[str, Any], rng: random.Random) -> None:
    payload = _payload(delivery)
    key = next((k for k, v in payload.items() if isinstance(v, int) and not isinstance(v, bool)), None)
    if key is None:
        delivery["team_member_id"] = str(delivery.get("team_member_id", 1))
    else:
        payload[key] = str(payload[key])


def _missing_field(delivery: dict[str, Any], rng: random.Random) -> None:
    payload = _payload(delivery)
    if payload:
        del payload[rng.choice(sorted(payload))]
    else:
        del delivery["timestamp"]


def _forbidden_null(delivery: dict[str, Any], rng: random.Random) -> None:
    delivery["project_code"] = None


def _milliseconds(delivery: dict[str, Any], rng: random.Random) -> None:
    delivery["timestamp"] = int(delivery.get("timestamp", 1_650_000_000)) * 1000


DRIFT: tuple[Mutation, ...] = (_new_field, _new_field, _new_envelope_field, _new_event)
VIOLATIONS: tuple[Mutation, ...] = (_wrong_type, _missing_field, _forbidden_null, _milliseconds)


def deliveries(count: int, *, seed: int, drift: float = 0.0, violations: float = 0.0) -> Iterator[bytes]:
    """``count`` compact deliveries: the shipped examples drawn at random with fresh ids; a
    ``drift`` share drifted and a ``violations`` share broken, each in one way."""
    rng = random.Random(seed)
    pool = examples()
    for number in range(count):
        delivery = orjson.loads(orjson.dumps(rng.choice(pool)))
        payload = delivery.get("payload")
        if isinstance(payload, dict) and isinstance(payload.get("id"), int):
            payload["id"] = number + 1
        draw = rng.random()
        if draw < violations:
            rng.choice(VIOLATIONS)(delivery, rng)
        elif draw < violations + drift:
            rng.choice(DRIFT)(delivery, rng)
        yield orjson.dumps(delivery)


def write_lines(path: Path, count: int, *, seed: int, drift: float = 0.0, violations: float = 0.0) -> Path:
    """A JSON Lines corpus (see :func:`deliveries`)."""
    with path.open("wb") as out:
        for line in deliveries(count, seed=seed, drift=drift, violations=violations):
            out.write(line + b"\n")
    return path


def write_files(folder: Path, count: int, *, seed: int, drift: float = 0.0, violations: float = 0.0) -> Path:
    """A folder of single-delivery JSON files (see :func:`deliveries`), pretty-printed as
    people keep fixtures."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, line in enumerate(deliveries(count, seed=seed, drift=drift, violations=violations)):
        (folder / f"delivery-{number:05d}.json").write_bytes(
            orjson.dumps(orjson.loads(line), option=orjson.OPT_INDENT_2)
        )
    return folder
