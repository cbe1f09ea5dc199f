"""Reporters render outcomes in one format each, to a stream they are given (DESIGN: check,
result and report are separate steps)."""

from __future__ import annotations

from typing import IO

from qase_contract.reporters.base import Reporter, ReportOptions
from qase_contract.reporters.github import GithubReporter
from qase_contract.reporters.json import JsonReporter
from qase_contract.reporters.junit import JunitReporter
from qase_contract.reporters.sarif import SarifReporter
from qase_contract.reporters.text import TextReporter

__all__ = ["FORMATS", "ReportOptions", "Reporter", "make_reporter"]

FORMATS = ("text", "json", "junit", "sarif", "github")


def make_reporter(name: str, stream: IO[str], options: ReportOptions) -> Reporter:
    reporters: dict[str, type[Reporter]] = {
        "text": TextReporter,
        "json": JsonReporter,
        "junit": JunitReporter,
        "sarif": SarifReporter,
        "github": GithubReporter,
    }
    return reporters[name](stream, options)  # type: ignore[call-arg]
