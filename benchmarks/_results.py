"""What every benchmark shares: repeated runs summarised as min and median, paired rounds, and
its own section of ``benchmarks/RESULTS.md`` with the provenance of the figures.

RESULTS.md is written only by the scripts: each replaces the part between its two markers and
keeps every other section, so the figures quoted by the docs always come from a recorded run
(date, commit, machine, Python, packages, command line). Standard library only, so the helpers
can be imported and tested without the scripts' dependencies.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib.metadata
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

PREAMBLE = """\
# Benchmark results

Written by the scripts in `benchmarks/`, never by hand: each script replaces its own section
(between its markers) and keeps the others. Every section names the command that wrote it, the
commit measured, the date and the machine. Whole-process figures run the installed command with
its byte-code cached, as after `pip install`. Each figure is the min and the median of the
section's runs; ratios compare measurements taken in the same run, interleaved, so load on the
machine hits every side alike. Rerun a section with the command it names.
"""

T = TypeVar("T")


@dataclass(frozen=True)
class Spread:
    """Repeated measurements of one quantity: the min (least disturbed) and the median (typical)."""

    min: float
    median: float
    runs: int

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        ordered = sorted(values)
        if not ordered:
            raise ValueError("a spread needs at least one measurement")
        return cls(ordered[0], statistics.median(ordered), len(ordered))

    def scaled(self, factor: float) -> Spread:
        return Spread(self.min * factor, self.median * factor, self.runs)

    def format(self, spec: str = ".2f") -> str:
        return f"{self.min:{spec}} / {self.median:{spec}}"


def ratio(numerator: Spread, denominator: Spread) -> tuple[float, float]:
    """The ratio of the mins and the ratio of the medians."""
    return numerator.min / denominator.min, numerator.median / denominator.median


def round_by_round(numerators: Sequence[float], denominators: Sequence[float]) -> Spread:
    """The ratio of two measures within each round of :func:`interleaved`: on a machine whose
    load swings, a round's measures saw the same load, where the mins (or medians) of two
    measures may come from different rounds. Its min is the worst round, its median the
    typical one."""
    if len(numerators) != len(denominators):
        raise ValueError("round by round ratios need the same rounds on both sides")
    return Spread.of(a / b for a, b in zip(numerators, denominators, strict=True))


def format_rounds(spread: Spread, spec: str = ".2f") -> str:
    return f"{spread.median:{spec}}x (worst {spread.min:{spec}}x)"


def format_ratio(pair: tuple[float, float], spec: str = ".2f") -> str:
    return f"{pair[0]:{spec}}x / {pair[1]:{spec}}x"


def interleaved(measures: Mapping[str, Callable[[], T]], runs: int, label: str = "") -> dict[str, list[T]]:
    """Run every measure once per round, in order, for ``runs`` rounds (A, B, A, B, ...).

    Pairing the runs makes a change in the machine's load fall on every measure alike, so their
    ratio stays meaningful on a shared machine where absolute figures do not."""
    results: dict[str, list[T]] = {name: [] for name in measures}
    for round_ in range(1, runs + 1):
        progress(f"{label}round {round_}/{runs}")
        for name, measure in measures.items():
            results[name].append(measure())
    return results


def spreads(measures: Mapping[str, Callable[[], float]], runs: int, label: str = "") -> dict[str, Spread]:
    """:func:`interleaved`, each measure's values summarised."""
    return {name: Spread.of(values) for name, values in interleaved(measures, runs, label).items()}


def progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


def add_options(parser: argparse.ArgumentParser, runs: int) -> None:
    """The options every script takes: --runs, --quick and --results."""
    parser.add_argument("--runs", type=int, default=None, help=f"runs of each measurement (default {runs})")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small settings for development; writes RESULTS.md only where --results says",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help="the results file to write this script's section in (default benchmarks/RESULTS.md; "
        "with --quick, none)",
    )
    parser.set_defaults(default_runs=runs)


def runs_of(options: argparse.Namespace, quick: int = 2) -> int:
    runs: int | None = options.runs
    if runs is None:
        runs = quick if options.quick else options.default_runs
    if runs < 1:
        raise SystemExit("--runs: at least 1")
    return runs


def results_path(options: argparse.Namespace) -> Path | None:
    given: Path | None = options.results
    if given is not None:
        return given
    return None if options.quick else RESULTS


class Report:
    """One script's section: provenance, then paragraphs and tables, printed and written."""

    def __init__(self, key: str, title: str, packages: Sequence[str] = ()) -> None:
        self.key = key
        self.title = title
        self.packages = packages
        self.started = datetime.now(timezone.utc)
        self.load_at_start = os.getloadavg()[0]
        self.blocks: list[str] = []

    def say(self, text: str) -> None:
        self.blocks.append(text.strip())

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        lines = [_row(header), _row(["---"] * len(header))]
        lines += [_row(row) for row in rows]
        self.blocks.append("\n".join(lines))

    def body(self) -> str:
        head = [f"## {self.title}", "", *provenance(self.started, self.load_at_start, self.packages)]
        return "\n\n".join(["\n".join(head), *self.blocks])

    def publish(self, path: Path | None) -> None:
        """Print the section, and write it into ``path`` unless that is None."""
        body = self.body()
        print(body)
        if path is not None:
            write_section(path, self.key, body)
            print(f"\n(written to {_shown(path)}, section {self.key!r})")


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(ROOT))
    return str(path)


def provenance(started: datetime, load_at_start: float, packages: Sequence[str]) -> list[str]:
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    machine = f"{cores} cores ({usable} usable), {cpu_model()}, {platform.system()} {platform.machine()}"
    versions = ", ".join(f"{name} {version_of(name)}" for name in packages)
    return [
        f"- Command: `{command_line()}`",
        f"- Commit: {commit()}; {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine}; load average {load_at_start:.2f} at start, {os.getloadavg()[0]:.2f} at end",
        f"- Python: {platform.python_implementation()} {platform.python_version()}"
        + (f"; {versions}" if versions else ""),
    ]


def command_line() -> str:
    script = Path(sys.argv[0]).resolve()
    with contextlib.suppress(ValueError):
        script = script.relative_to(ROOT)
    return shlex.join(["python", str(script), *sys.argv[1:]])


def commit() -> str:
    """The commit measured, marked when the measured files differ from it."""
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    changed = _git("status", "--porcelain", "--", ".", f":(exclude){RESULTS.relative_to(ROOT)}")
    return f"{head} + uncommitted changes" if changed else head


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return ""
    return done.stdout.strip()


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def markers(key: str) -> tuple[str, str]:
    return f"<!-- begin {key} -->", f"<!-- end {key} -->"


def replace_section(text: str, key: str, body: str) -> str:
    """``text`` with the section ``key`` holding ``body``: replaced in place when present, else
    appended; every other section is kept byte for byte. A text without the preamble gets it."""
    begin, end = markers(key)
    section = f"{begin}\n{body.strip()}\n{end}\n"
    if not text.strip():
        text = PREAMBLE
    start = text.find(begin)
    if start < 0:
        return text.rstrip("\n") + "\n\n" + section
    stop = text.find(end, start)
    if stop < 0:
        raise ValueError(f"the section {key!r} has its begin marker but no end marker")
    after = text[stop + len(end) :].lstrip("\n")
    return text[:start] + section + ("\n" + after if after else "")


def write_section(path: Path, key: str, body: str) -> None:
    """Replace one section of ``path`` atomically, holding a lock so that two scripts finishing
    together do not drop each other's section."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.parent):
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(replace_section(old, key, body))
        Path(temporary).replace(path)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder itself (Linux), so no lock file is left behind."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock
