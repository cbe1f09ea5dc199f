"""The benchmarks' seeded corpora (benchmarks/_corpora.py), for tests that need the same kind."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from types import ModuleType

from tests.helpers.data import ROOT


def corpora_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_corpora", ROOT / "benchmarks" / "_corpora.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mixed_deliveries(count: int, *, seed: int, drift: float, violations: float) -> Iterator[bytes]:
    """Compact deliveries drawn from the shipped examples, a share drifted or broken."""
    deliveries: Iterator[bytes] = corpora_module().deliveries(
        count, seed=seed, drift=drift, violations=violations
    )
    return deliveries
