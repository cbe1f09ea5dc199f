"""Folding by plans (objects of a shape seen before, values remembered and counted at the end)
observes exactly what folding every object key by key does: counts, types, values and their
order, first places, examples, broken limits, caps and notes."""

from __future__ import annotations

import copy
import random
from typing import Any

import orjson
import pytest

from qase_contract.drift import CorpusProfile
from qase_contract.drift import _profile as profile_module
from qase_contract.sources._model import Delivery, Location
from tests.helpers.drift import example

EVENTS = ("case.created", "run.started", "plan.created", "defect.updated", "review.commented")
KEYS = ("id", "title", "status", "token", "cases", "extra", "priority", "z" * 300)
SCALARS: tuple[object, ...] = (0, 1, -1, 2, 1.0, 0.0, -0.0, 2.5, True, False, None, "", "a", "1", "x" * 70)
SCALARS += ("y" * 300, "open", "passed", "failed", "2024-01-01 10:00:00")


def _scalar(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.1:
        return f"v{rng.randrange(40)}"
    if roll < 0.15:
        return rng.randrange(150)
    return rng.choice(SCALARS)


def _value(rng: random.Random, depth: int) -> object:
    roll = rng.random()
    if depth > 0 and roll < 0.15:
        return {rng.choice(KEYS): _value(rng, depth - 1) for _ in range(rng.randrange(4))}
    if depth > 0 and roll < 0.25:
        return [_value(rng, depth - 1) for _ in range(rng.randrange(3))]
    return _scalar(rng)


def _mutated(rng: random.Random, value: Any) -> None:
    if isinstance(value, dict):
        for key in list(value):
            roll = rng.random()
            if roll < 0.04:
                value[key] = _scalar(rng)
            elif roll < 0.06:
                value[key] = _value(rng, 2)
            elif roll < 0.07:
                del value[key]
            else:
                _mutated(rng, value[key])
        if rng.random() < 0.05:
            value[rng.choice(KEYS)] = _value(rng, 2)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if rng.random() < 0.05:
                value[index] = _value(rng, 1)
            else:
                _mutated(rng, item)


def _deep(depth: int) -> object:
    value: object = 1
    for level in range(depth):
        value = {"d": value} if level % 2 else [value]
    return value


def corpus(seed: int, count: int) -> list[object]:
    """Examples mostly repeated as they are, some changed: repeats take the plans' fast path,
    changes make new shapes, new values, broken limits, caps and deep values."""
    rng = random.Random(seed)
    bases = [example(name) for name in EVENTS]
    deliveries: list[object] = []
    for index in range(count):
        delivery = copy.deepcopy(rng.choice(bases))
        delivery["timestamp"] = 1_650_000_000 + index
        roll = rng.random()
        if roll < 0.5:
            _mutated(rng, delivery)
        elif roll < 0.52:
            delivery["payload"]["deep"] = _deep(40)
        elif roll < 0.53:
            delivery["payload"]["wide"] = {f"k{rng.randrange(700)}": n for n in range(rng.randrange(600))}
        deliveries.append(delivery)
    return deliveries


def facts(profile: CorpusProfile) -> list[object]:
    """Everything a profile observed, in order."""
    found: list[object] = [profile.deliveries, profile.notes]
    for name, event in profile.events.items():
        found.append((name, event.deliveries, event.nodes, event.notes))
        for path, node in event.root.walk():
            values = None if node.values is None else [(repr(v), type(v), n) for v, n in node.values.items()]
            breaks = [
                (limit.keyword, b.count, b.first_location, b.examples)
                for limit, b in node.broken_limits.items()
            ]
            found.append(
                (
                    path,
                    list(node.type_counts.items()),
                    list(node.first_seen.items()),
                    values,
                    node.values_capped,
                )
            )
            found.append(
                (list(node.value_first_seen.items()), repr(node.examples), node.keys_checked, breaks)
            )
    return found


def profile_of(deliveries: list[object]) -> CorpusProfile:
    return CorpusProfile.of(
        Delivery(orjson.dumps(body), Location("c.jsonl", line=n)) for n, body in enumerate(deliveries, 1)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("seen", "seen_bytes"), [(512, 2048), (3, 60)])
def test_plans_observe_what_folding_key_by_key_observes(
    monkeypatch: pytest.MonkeyPatch, seed: int, seen: int, seen_bytes: int
) -> None:
    deliveries = corpus(seed, 1500)
    monkeypatch.setattr(profile_module, "MAX_SEEN_PER_PLAN", seen)
    monkeypatch.setattr(profile_module, "MAX_SEEN_BYTES", seen_bytes)
    planned = facts(profile_of(deliveries))
    monkeypatch.setattr(profile_module, "MAX_PLANS_PER_NODE", 0)  # no plan: every object key by key
    assert planned == facts(profile_of(deliveries))
