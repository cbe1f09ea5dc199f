"""``--format gitlab``: a GitLab Code Quality report, for the merge-request widget
(``artifacts:reports:codequality``).

GitLab's documented subset of the Code Climate format: a JSON array of issues, each with
``description``, ``check_name``, ``fingerprint``, ``severity`` and ``location`` (``path`` and
``lines.begin``). One issue per finding; a violation or unreadable record is ``major``, drift
``minor`` (``major`` under ``--strict``); with a read-set, a finding that affects the consumer
is ``major`` and the others ``info``. The fingerprint hashes what identifies a finding (file,
place in the file, event, code, path), never the run, so GitLab matches issues across
pipelines and shows only what a change introduced or fixed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import IO

import orjson

from qase_contract.findings import Finding
from qase_contract.reporters._base import ReportOptions, reads_note, relative_path, severity
from qase_contract.sources._model import Location
from qase_contract.validation._batch import NO_EVENT, Outcome, Tally

#: Our severities as GitLab names them (info, minor, major, critical, blocker).
SEVERITIES = {"error": "major", "warning": "minor", "note": "info"}


class GitlabReporter:
    def __init__(self, stream: IO[str], options: ReportOptions) -> None:
        self.stream = stream
        self.options = options
        self.lists_conforming = False
        self.any_issue = False

    def outcome(self, outcome: Outcome) -> None:
        if outcome.status == "conforming":
            return
        event = outcome.event_name or NO_EVENT
        for finding in outcome.findings:
            self._write(
                {
                    "description": _description(outcome.location, event, finding, self.options),
                    "check_name": f"qase-contract/{finding.code}",
                    "fingerprint": fingerprint(outcome.location, event, finding),
                    "severity": SEVERITIES[severity(finding, self.options)],
                    "location": {
                        "path": _path(outcome.location.source),
                        "lines": {"begin": outcome.location.line or 1},
                    },
                }
            )

    def finish(self, tally: Tally) -> None:
        self.stream.write("\n]\n" if self.any_issue else "[]\n")

    def fatal(self, message: str) -> None:
        """The reason the run did not happen, as one blocking issue: the widget shows it."""
        self._write(
            {
                "description": f"qase-contract could not run: {message}",
                "check_name": "qase-contract/error",
                "fingerprint": hashlib.sha256(message.encode("utf-8")).hexdigest(),
                "severity": "blocker",
                "location": {"path": ".", "lines": {"begin": 1}},
            }
        )
        self.finish(Tally())

    def _write(self, issue: dict[str, object]) -> None:
        self.stream.write((",\n  " if self.any_issue else "[\n  ") + orjson.dumps(issue).decode())
        self.any_issue = True


def fingerprint(location: Location, event: str, finding: Finding) -> str:
    """The same finding at the same place has the same fingerprint in every run."""
    identity = "\0".join((_path(location.source), str(location)[len(location.source) :], event))
    identity += "\0".join(("", finding.code, finding.path))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def _description(location: Location, event: str, finding: Finding, options: ReportOptions) -> str:
    text = f"{event} {finding.path or '/'}: {finding.message} ({finding.kind} at {location})"
    note = reads_note(finding, options)
    return text + (f" [{note}]" if note else "")


def _path(source: str) -> str:
    """The file relative to the working folder (the checkout), as GitLab requires: with ``..``
    for one outside it; standard input as ``stdin``."""
    if source.startswith("<"):
        return "stdin"
    shown = relative_path(source)
    if not Path(shown).is_absolute():
        return shown
    try:
        return Path(os.path.relpath(shown)).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return shown
