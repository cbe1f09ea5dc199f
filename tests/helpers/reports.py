"""Reports of fixed corpora in every format, compared byte for byte with the ones kept in
tests/data/reports: a change of engine, reader or speed-up must not change what is reported.

A deliberate change of a report (a new wording, a new field) regenerates them, and the diff
of tests/data/reports is then part of the review::

    python -m tests.helpers.reports
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.helpers.cli import invoke
from tests.helpers.corpora import corpora_module
from tests.helpers.data import ROOT, case_files, load_json

GOLDEN = ROOT / "tests" / "data" / "reports"
VALIDATE_FORMATS = ("text", "json", "junit", "sarif", "github", "markdown", "gitlab", "html")
DRIFT_FORMATS = ("text", "markdown", "json", "html")


def write_corpora(folder: Path) -> list[str]:
    """The corpora, written under ``folder``; their names relative to it."""
    corpora = corpora_module()
    shutil.copytree(ROOT / "examples", folder / "examples")
    with (folder / "cases.jsonl").open("wb") as out:
        for path in case_files():
            case = load_json(path)
            line = json.dumps(case["delivery"]) if "delivery" in case else case["body"]
            if "\n" not in line:
                out.write(line.encode("utf-8") + b"\n")
    corpora.write_lines(folder / "mixed.jsonl", 2000, seed=7, drift=0.10, violations=0.02)
    corpora.write_files(folder / "files", 200, seed=8, drift=0.10, violations=0.02)
    return ["examples", "cases.jsonl", "mixed.jsonl", "files"]


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def reports(folder: Path) -> dict[str, str]:
    """File name in tests/data/reports -> the report the current code writes."""
    names = write_corpora(folder)
    found: dict[str, str] = {}
    with _inside(folder):
        for name in names:
            stem = name.replace(".jsonl", "")
            run = invoke("validate", "--all", name)
            found[f"{stem}.validate.all"] = f"exit {run.code}\n{run.stdout}"
            for format_ in VALIDATE_FORMATS:
                run = invoke("validate", "--format", format_, name)
                found[f"{stem}.validate.{format_}"] = f"exit {run.code}\n{run.stdout}"
            run = invoke("validate", "-v", name)
            found[f"{stem}.validate.verbose"] = f"exit {run.code}\n{run.stdout}"
            for format_ in DRIFT_FORMATS:
                run = invoke("drift", "--format", format_, name)
                found[f"{stem}.drift.{format_}"] = f"exit {run.code}\n{run.stdout}"
    return found


def regenerate() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        found = reports(Path(work))
    shutil.rmtree(GOLDEN, ignore_errors=True)
    GOLDEN.mkdir(parents=True)
    for name, text in found.items():
        (GOLDEN / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(found)} reports to {GOLDEN.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    regenerate()
