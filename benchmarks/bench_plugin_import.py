"""What the pytest plugin adds to pytest start-up, next to the other plugins installed with it.

Runs ``pytest`` on one trivial test in a scratch folder, in fresh processes, with every
plugin, and with one plugin disabled at a time (``-p no:NAME``); the difference of the
fastest runs is what that plugin costs a session that does not use it (medians are printed
too; on a loaded machine they move by tens of ms). It also prints the import time of
``qase_contract.pytest_plugin`` alone (pytest already imported), which load blurs less, and
what the first use costs (building the contract and validating one delivery).

Byte-code is cached as after ``pip install`` (``PYTHONDONTWRITEBYTECODE`` is lifted for the
runs), so the figures do not include compiling the sources.

Usage: ``python benchmarks/bench_plugin_import.py [--runs N]`` (goal: under 20 ms added).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Plugins measured by their entry-point names; qase_contract's peers are the ones installed with it.
PLUGINS = ("qase_contract", "pytest_httpserver", "hypothesispytest")

#: As installed: byte-code written once and then read, never compiled again.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

IMPORT_ONLY = """
import time, pytest
started = time.perf_counter()
import qase_contract.pytest_plugin
print(time.perf_counter() - started)
"""

FIRST_USE = """
import time, pytest, qase_contract.pytest_plugin
started = time.perf_counter()
from qase_contract import Validator
from qase_contract.testing._samples import sample_delivery
assert Validator().validate(sample_delivery("run.completed")).ok
print(time.perf_counter() - started)
"""


def session_seconds(folder: Path, *disabled: str) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_trivial.py"]
    for name in disabled:
        command += ["-p", f"no:{name}"]
    started = time.perf_counter()
    subprocess.run(command, cwd=folder, check=True, capture_output=True, env=ENV)
    return time.perf_counter() - started


def script_seconds(script: str) -> float:
    completed = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, env=ENV
    )
    return float(completed.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per variant")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        (folder / "test_trivial.py").write_text("def test_trivial():\n    pass\n", encoding="utf-8")
        variants: dict[str, list[float]] = {"all plugins": []}
        variants.update({f"without {name}": [] for name in PLUGINS})
        for name in ("", *PLUGINS):  # warm the file cache and write the byte-code
            session_seconds(folder, *[name] if name else [])
        for _ in range(runs):  # interleaved, so drift in machine load hits every variant alike
            variants["all plugins"].append(session_seconds(folder))
            for name in PLUGINS:
                variants[f"without {name}"].append(session_seconds(folder, name))
    fastest = {variant: min(times) * 1000 for variant, times in variants.items()}
    medians = {variant: statistics.median(times) * 1000 for variant, times in variants.items()}
    print(f"pytest start-up on one trivial test, {runs} fresh processes each (fastest, median):")
    for variant in variants:
        print(f"  {variant:<28} {fastest[variant]:7.1f} ms {medians[variant]:7.1f} ms")
    print("added to start-up by each plugin (all plugins minus without it; fastest, median):")
    added = {name: fastest["all plugins"] - fastest[f"without {name}"] for name in PLUGINS}
    for name, cost in added.items():
        print(f"  {name:<28} {cost:+7.1f} ms {medians['all plugins'] - medians[f'without {name}']:+7.1f} ms")
    for peer in PLUGINS[1:]:
        if added[peer] > 0:
            print(f"  qase_contract / {peer} (fastest): {added['qase_contract'] / added[peer]:.2f}")
    imports = statistics.median(script_seconds(IMPORT_ONLY) * 1000 for _ in range(runs))
    print(f"import qase_contract.pytest_plugin alone (pytest already imported): median {imports:.2f} ms")
    first_use = statistics.median(script_seconds(FIRST_USE) * 1000 for _ in range(max(3, runs // 3)))
    print(f"first use (build the contract, validate one delivery): median {first_use:.0f} ms")
    verdict = "met" if added["qase_contract"] < 20 else "NOT met"
    print(f"goal, under 20 ms added by qase_contract: {verdict} ({added['qase_contract']:+.1f} ms)")


if __name__ == "__main__":
    main()
