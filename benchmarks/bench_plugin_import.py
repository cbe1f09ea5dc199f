"""What the pytest plugin adds to pytest start-up, next to the other plugins installed with it.

Runs ``pytest`` on one trivial test in a scratch folder, in fresh processes, with every
plugin, and with one plugin disabled at a time (``-p no:NAME``), all variants interleaved; the
difference between all plugins and all but one is what that plugin costs a session that does not
use it (from the mins and from the medians; on a loaded machine medians move by tens of ms). It
also measures the import of ``qase_contract.pytest_plugin`` alone (pytest already imported),
which load blurs less, and the first use (build the contract, validate one delivery).

``--against REV`` measures this checkout and the git revision REV instead, each installed in a
fresh virtual environment (with pytest and pytest-httpserver, at the same versions), in paired
runs: the session with and without the plugin, the import and the first use, through public
entry points only, so the same commands measure both layouts.

Byte-code is cached as after ``pip install`` (``PYTHONDONTWRITEBYTECODE`` is lifted for the
runs), so the figures do not include compiling the sources. Writes its section of
``benchmarks/RESULTS.md``. Usage: ``python benchmarks/bench_plugin_import.py [--runs N]
[--against REV] [--quick] [--results PATH]`` (goal: under 20 ms added).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from _process import AS_INSTALLED, timed
from _results import (
    ROOT,
    Report,
    Spread,
    add_options,
    format_ratio,
    interleaved,
    ratio,
    results_path,
    runs_of,
    spreads,
)
from _revision import this_and

#: Plugins measured by their entry-point names; qase_contract's peers are the ones installed with it.
PLUGINS = ("qase_contract", "pytest_httpserver", "hypothesispytest")
PACKAGES = ("pytest", "pytest-httpserver", "hypothesis", "jsonschema-rs", "orjson")
SAMPLE = ROOT / "schemas" / "examples" / "run.completed" / "canonical.json"

IMPORT_ONLY = """
import time, pytest
started = time.perf_counter()
import qase_contract.pytest_plugin
print(time.perf_counter() - started)
"""

# Public names only (the same in every layout): the top-level Validator on the raw bytes.
FIRST_USE = """
import sys, time, pytest, qase_contract.pytest_plugin
body = open(sys.argv[1], "rb").read()
started = time.perf_counter()
from qase_contract import Validator
assert Validator().validate(body).ok
print(time.perf_counter() - started)
"""


def session_ms(python: str, folder: Path, *disabled: str) -> float:
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_trivial.py"]
    for name in disabled:
        command += ["-p", f"no:{name}"]
    return timed(command, cwd=folder, check=True).wall * 1000


def script_ms(python: str, folder: Path, script: str) -> float:
    completed = subprocess.run(
        [python, "-c", script, str(SAMPLE)],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
        env=AS_INSTALLED,
    )
    return float(completed.stdout) * 1000


def trivial_suite(folder: Path) -> Path:
    folder.mkdir()
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (folder / "test_trivial.py").write_text("def test_trivial():\n    pass\n", encoding="utf-8")
    return folder


def warmed(measures: dict[str, Callable[[], float]]) -> dict[str, Callable[[], float]]:
    """Run each once unmeasured: warms the file cache and writes any byte-code missing."""
    for measure in measures.values():
        measure()
    return measures


def added(all_plugins: list[float], without: list[float]) -> tuple[float, float]:
    """What one plugin adds: the fastest session with it less the fastest without, and the median
    of the differences within each round (paired, so a change of load mostly cancels)."""
    paired = [with_it - without_it for with_it, without_it in zip(all_plugins, without, strict=True)]
    return min(all_plugins) - min(without), statistics.median(paired)


def peers(folder: Path, runs: int, report: Report) -> None:
    python = sys.executable
    variants = {"all plugins": partial(session_ms, python, folder)}
    variants.update({f"without {name}": partial(session_ms, python, folder, name) for name in PLUGINS})
    times = interleaved(warmed(variants), runs, "sessions: ")
    sessions = {variant: Spread.of(values) for variant, values in times.items()}
    costs = {name: added(times["all plugins"], times[f"without {name}"]) for name in PLUGINS}
    report.say(
        f"pytest start-up on one trivial test, {runs} fresh processes each, interleaved; min / median. "
        f"What a plugin adds: the fastest session with it less the fastest without / the median of "
        f"the differences within each round."
    )
    report.table(
        ["variant", "pytest session ms", "added by the plugin left out, ms"],
        [
            [variant, spread.format(".1f"), _costs(costs[variant[8:]]) if variant != "all plugins" else ""]
            for variant, spread in sessions.items()
        ],
    )
    import_only = spreads({"": partial(script_ms, python, folder, IMPORT_ONLY)}, runs, "import: ")[""]
    first_use = spreads(
        {"": partial(script_ms, python, folder, FIRST_USE)}, max(3, runs // 3), "first use: "
    )[""]
    report.table(
        ["measurement", "ms, min / median", "runs"],
        [
            ["import qase_contract.pytest_plugin (pytest already imported)", import_only.format(), str(runs)],
            [
                "first use: build the contract, validate one delivery",
                first_use.format(".0f"),
                str(first_use.runs),
            ],
        ],
    )
    ours = costs["qase_contract"][0]
    ratios = [f"{peer} {ours / costs[peer][0]:.2f}" for peer in PLUGINS[1:] if costs[peer][0] > 0]
    if ratios:
        report.say("qase_contract's cost / each peer's (from the mins): " + ", ".join(ratios) + ".")
    paired = costs["qase_contract"][1]
    verdict = "met" if paired < 20 else "NOT met"
    report.say(
        f"Goal, under 20 ms added by qase_contract: {verdict} ({paired:+.1f} ms, median of the paired "
        f"differences; {ours:+.1f} ms from the fastest)."
    )


def _costs(pair: tuple[float, float]) -> str:
    return f"{pair[0]:+.1f} / {pair[1]:+.1f}"


def against(revision: str, folder: Path, work: Path, runs: int, report: Report) -> None:
    this, then = this_and(revision, work, packages=("pytest", "pytest-httpserver"))
    sides = (this, then)
    # In every round: this, then with all plugins; this, then without qase_contract (A, B, A, B).
    sessions = {f"{i.label} all": partial(session_ms, i.python, folder) for i in sides}
    sessions.update(
        {f"{i.label} without": partial(session_ms, i.python, folder, "qase_contract") for i in sides}
    )
    times = interleaved(warmed(sessions), runs, "sessions: ")
    timings = {name: Spread.of(values) for name, values in times.items()}

    def scripts(script: str, count: int, label: str) -> dict[str, Spread]:
        return spreads(
            warmed({i.label: partial(script_ms, i.python, folder, script) for i in sides}), count, label
        )

    imports = scripts(IMPORT_ONLY, runs, "import: ")
    first_use = scripts(FIRST_USE, max(3, runs // 3), "first use: ")

    def row(what: str, a: Spread, b: Spread, spec: str = ".1f") -> list[str]:
        return [what, a.format(spec), b.format(spec), format_ratio(ratio(b, a))]

    this_added = added(times[f"{this.label} all"], times[f"{this.label} without"])
    then_added = added(times[f"{then.label} all"], times[f"{then.label} without"])
    report.say(
        f"{this.label} against {then.label} ({then.commit}), each installed in a fresh virtual "
        f"environment with pytest and pytest-httpserver at the same versions; paired runs "
        f"({runs} pairs, A then B). ms, min / median; what the plugin adds is the fastest session "
        f"less the fastest without it / the median of the differences within each round. The ratio "
        f"is {then.label}'s figure divided by this checkout's (above 1: this checkout is cheaper)."
    )
    report.table(
        ["measurement", this.label, then.label, f"{then.label} ÷ this"],
        [
            row("pytest session, all plugins", timings[f"{this.label} all"], timings[f"{then.label} all"]),
            row(
                "pytest session, -p no:qase_contract",
                timings[f"{this.label} without"],
                timings[f"{then.label} without"],
            ),
            ["added by qase_contract (all − without)", _costs(this_added), _costs(then_added), ""],
            row("import qase_contract.pytest_plugin", imports[this.label], imports[then.label], ".2f"),
            row("first use: contract + one delivery", first_use[this.label], first_use[then.label], ".0f"),
        ],
    )
    report.say(
        f"Added by the plugin (median of the paired differences): {this_added[1]:+.1f} ms now, "
        f"{then_added[1]:+.1f} ms at {then.label}; the import alone (median): "
        f"{imports[this.label].median:.2f} ms now, {imports[then.label].median:.2f} ms at {then.label}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser, runs=15)
    parser.add_argument("--against", metavar="REV", help="compare with this git revision, in paired runs")
    options = parser.parse_args()
    runs = runs_of(options, quick=3)
    if options.against:
        report = Report(
            "bench_plugin_import.py --against",
            f"pytest plugin start-up, this checkout against {options.against}",
            PACKAGES[:2],
        )
    else:
        report = Report(
            "bench_plugin_import.py",
            "pytest plugin start-up, next to its peers",
            PACKAGES,
        )
    with tempfile.TemporaryDirectory(prefix="qase-bench-plugin-") as scratch:
        folder = trivial_suite(Path(scratch, "suite").resolve())
        if options.against:
            against(options.against, folder, Path(scratch), runs, report)
        else:
            peers(folder, runs, report)
    report.publish(results_path(options))


if __name__ == "__main__":
    main()
