"""Lint and types are part of the suite, so CI gates on them like on any behaviour."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers.data import ROOT

BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_ruff_finds_nothing() -> None:
    lint = run(str(BIN / "ruff"), "check", "qase_contract", "tests", "benchmarks")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatting = run(str(BIN / "ruff"), "format", "--check", "qase_contract", "tests", "benchmarks")
    assert formatting.returncode == 0, formatting.stdout + formatting.stderr


def test_mypy_strict_finds_nothing() -> None:
    typing = run(str(BIN / "mypy"))
    assert typing.returncode == 0, typing.stdout + typing.stderr
