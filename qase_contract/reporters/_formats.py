"""Reporters render outcomes in one format each, to a stream they are given (DESIGN: check,
result and report are separate steps)."""

from __future__ import annotations

import importlib
from typing import IO

from qase_contract.reporters._base import Reporter, ReportOptions

__all__ = ["FORMATS", "ReportOptions", "Reporter", "make_reporter"]

#: Format name -> the module and class that render it; only the chosen one is imported.
_REPORTERS = {
    "text": ("text", "TextReporter"),
    "json": ("json", "JsonReporter"),
    "junit": ("junit", "JunitReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "github": ("github", "GithubReporter"),
    "markdown": ("markdown", "MarkdownReporter"),
    "gitlab": ("gitlab", "GitlabReporter"),
    "html": ("html_validate", "HtmlReporter"),
}
FORMATS = tuple(_REPORTERS)


def make_reporter(name: str, stream: IO[str], options: ReportOptions) -> Reporter:
    module, class_name = _REPORTERS[name]
    reporter_class = getattr(importlib.import_module(f"qase_contract.reporters._{module}"), class_name)
    reporter: Reporter = reporter_class(stream, options)
    return reporter
