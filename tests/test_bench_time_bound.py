"""benchmarks/bench_time_bound.py: its generators are deterministic and build the deliveries they
say, its bound check tells linear from quadratic work, and its watchdog stops a call that hangs.
The timing itself is the script's job, never a timed assertion here."""

from __future__ import annotations

import importlib
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from qase_contract import Validator
from tests.helpers.data import ROOT

SCRIPT = ROOT / "benchmarks" / "bench_time_bound.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "benchmarks"))
        return importlib.import_module("bench_time_bound")


def test_the_same_seed_builds_the_same_deliveries_and_another_seed_others(bench: ModuleType) -> None:
    for family in bench.FAMILIES:
        first = bench.encoded(family.make(random.Random(7), 40))
        assert first == bench.encoded(family.make(random.Random(7), 40)), family.name
    drawn = [bench.encoded(bench.long_string(random.Random(seed), 40)) for seed in (1, 2)]
    assert drawn[0] != drawn[1]


def test_the_encoder_writes_what_json_writes_and_goes_deeper(bench: ModuleType) -> None:
    for family in bench.FAMILIES:
        delivery = family.make(random.Random(3), 25)
        assert json.loads(bench.encoded(delivery)) == json.loads(json.dumps(delivery)), family.name
    deep = bench.encoded(bench.deep_nesting(random.Random(3), 5000))
    assert deep.count(b"[") + deep.count(b"{") > 5000


def test_each_rung_is_near_its_size_and_the_ladder_grows_fourfold(bench: ModuleType) -> None:
    assert bench.ladder(64 * 1024) == [4096, 16384, 65536]
    for family in bench.FAMILIES:
        units = bench.units_for(family, 16384, 0)
        size = len(bench.encoded(family.make(random.Random(0), units)))
        assert 16384 * 0.7 < size < 16384 * 1.3, (family.name, size)


def test_the_hostile_families_are_what_they_claim(bench: ModuleType) -> None:
    validator = Validator()
    broken = validator.validate(bench.broken_steps(random.Random(0), 8))
    assert broken.status == "violation"
    assert (
        len({finding.path.split("/")[3] for finding in broken.findings if finding.kind == "violation"}) == 8
    )
    assert validator.validate(bench.many_steps(random.Random(0), 8)).status == "conforming"
    assert validator.validate(bench.subclasses(random.Random(0), 8)).status == "drift"
    subclassed = bench.subclasses(random.Random(0), 8)["payload"]["steps"][0]
    assert type(subclassed) is bench.Mapping
    assert type(subclassed["position"]) is bench.Priority


def test_the_overlay_judges_steps_by_ecma_patterns(bench: ModuleType, tmp_path: Path) -> None:
    validator = Validator(schemas=bench.write_overlay(tmp_path))
    delivery = bench.many_steps(random.Random(0), 2)
    assert validator.validate(delivery).status == "conforming"
    delivery["payload"]["steps"][1]["data"] = "\u0663"  # a digit to Python's re, not to ECMA-262
    paths = [finding.path for finding in validator.validate(delivery).findings]
    assert paths == ["/payload/steps/1/data"]


def rungs(bench: ModuleType, seconds: list[float]) -> list[object]:
    return [bench.Rung(4096 * 4**index, value, "conforming") for index, value in enumerate(seconds)]


def test_linear_work_with_a_fixed_cost_is_bounded_and_quadratic_work_is_not(bench: ModuleType) -> None:
    sizes = [4096 * 4**index for index in range(5)]
    linear = rungs(bench, [20e-6 + 5e-9 * size for size in sizes])
    quadratic = rungs(bench, [20e-6 + 1e-12 * size * size for size in sizes])
    assert bench.bounded(linear, 4.0, "")
    assert bench.growth(linear) == pytest.approx(1.0)
    assert not bench.bounded(quadratic, 4.0, "")
    assert bench.growth(quadratic) > 20
    assert not bench.bounded(linear, 4.0, "stopped by the watchdog")
    assert not bench.bounded([], 4.0, "")


class Whole(int):
    pass


class Hanging:
    """A stand-in validator whose call does not return, as the int-subclass defect did: stuck
    in C (``in`` on a range walks it for a subclass), where no signal handler can run."""

    def validate(self, delivery: object) -> object:
        return Whole(-1) in range(10**15)


def test_the_watchdog_stops_a_call_stuck_in_native_code(bench: ModuleType) -> None:
    started = time.monotonic()
    with pytest.raises(bench.Watchdog):
        bench.in_child(lambda: bench.timed(Hanging(), {}, 1), 0.5)
    assert time.monotonic() - started < 10


def test_a_measurement_comes_back_from_its_process_and_a_failure_is_said(bench: ModuleType) -> None:
    seconds, status = bench.in_child(
        lambda: bench.timed(Validator(), bench.many_steps(random.Random(0), 2), 1), 60
    )
    assert seconds > 0
    assert status == "conforming"
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        bench.in_child(lambda: 1 // 0, 60)


def test_every_fifth_patterned_step_and_only_it_breaks_the_patterns(
    bench: ModuleType, tmp_path: Path
) -> None:
    validator = Validator(schemas=bench.write_overlay(tmp_path))
    findings = validator.validate(bench.patterned_steps(random.Random(1), 50)).findings
    steps = {int(finding.path.split("/")[3]) for finding in findings}
    assert steps == set(range(0, 50, 5))


def test_a_small_run_writes_its_section_and_passes(tmp_path: Path) -> None:
    """The plumbing, end to end: the bound is loose, as timings in a busy test run are noisy."""
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--largest",
            "4096",
            "--runs",
            "1",
            "--bound",
            "1000",
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = results.read_text(encoding="utf-8")
    assert "<!-- begin bench_time_bound.py -->" in written
    assert written.count("| bounded |") == 13
    assert "every family bounded" in written
