"""mypy and pyright, run on small consumer modules, hold consumers of ``qase_contract.types`` to the contract.

One module reads fields correctly through narrowing and must pass both under their strict modes;
the others misspell a key, forget that a field may be null, or wait for an event that does not
exist, and each must fail with the error that says so. pyright is the one basedpyright ships
(its wheel carries Node), so the check runs offline.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.data import ROOT

CONSUMERS = Path(__file__).parent / "consumers"
BIN = Path(sys.executable).parent
#: module -> (mypy error code, pyright rule, words of the message both name)
EXPECTED = {
    "misspelt_key": ("typeddict-item", "reportGeneralTypeIssues", '"pased"'),
    "nullable_without_check": ("union-attr", "reportOptionalMemberAccess", '"strip"'),
    "unknown_event_name": ("comparison-overlap", "reportUnnecessaryComparison", "'run.finished'"),
}


@functools.cache
def mypy_errors() -> dict[str, list[tuple[str, str]]]:
    """Module name -> (error code, message) of every error mypy --strict reports in it."""
    completed = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--show-error-codes", str(CONSUMERS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors: dict[str, list[tuple[str, str]]] = {path.stem: [] for path in CONSUMERS.glob("*.py")}
    for line in completed.stdout.splitlines():
        found = re.match(r"(.+?\.py):\d+: error: (.*)  \[([\w-]+)\]$", line)
        if found:
            errors[Path(found[1]).stem].append((found[3], found[2]))
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    return errors


@pytest.fixture(scope="module")
def pyright(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, str]]]:
    """Module name -> (rule, message) of every error pyright reports in its strict mode."""
    config = tmp_path_factory.mktemp("pyright") / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict"}), encoding="utf-8")
    completed = subprocess.run(
        [str(BIN / "basedpyright"), "--outputjson", "-p", str(config), "--pythonpath", sys.executable]
        + [str(path) for path in sorted(CONSUMERS.glob("*.py"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(completed.stdout)
    errors: dict[str, list[tuple[str, str]]] = {path.stem: [] for path in CONSUMERS.glob("*.py")}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            errors[Path(diagnostic["file"]).stem].append((diagnostic.get("rule", ""), diagnostic["message"]))
    return errors


def test_the_consumer_that_narrows_before_reading_passes_mypy_strict() -> None:
    assert mypy_errors()["reads_through_narrowing"] == []


def test_the_consumer_that_narrows_before_reading_passes_pyright_strict(
    pyright: dict[str, list[tuple[str, str]]],
) -> None:
    assert pyright["reads_through_narrowing"] == []


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_mypy_rejects_a_consumer_that_breaks_the_contract(module: str) -> None:
    code, _, words = EXPECTED[module]
    errors = mypy_errors()[module]
    assert any(found == code and words in message for found, message in errors), errors


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_pyright_rejects_a_consumer_that_breaks_the_contract(
    module: str, pyright: dict[str, list[tuple[str, str]]]
) -> None:
    _, rule, words = EXPECTED[module]
    errors = pyright[module]
    assert any(found == rule and words in message for found, message in errors), errors


def test_every_consumer_module_is_checked() -> None:
    assert {path.stem for path in CONSUMERS.glob("*.py")} == {"reads_through_narrowing", *EXPECTED}
