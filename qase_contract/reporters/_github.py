"""``--format github``: GitHub Actions workflow commands, shown as annotations on the files.

A violation or unreadable record is ``::error``, drift ``::warning`` (``::error`` under
``--strict``); with a read-set, a finding that affects the consumer is ``::error`` and the
others ``::notice``. Each names the file and line. A plain summary line closes the log.
"""

from __future__ import annotations

from typing import IO

from qase_contract._util.printable import one_line
from qase_contract.reporters._base import ReportOptions, reads_note, relative_path, severity
from qase_contract.reporters._text import reads_line, summary_line
from qase_contract.validation._batch import NO_EVENT, Outcome, Tally


class GithubReporter:
    def __init__(self, stream: IO[str], options: ReportOptions) -> None:
        self.stream = stream
        self.options = options
        self.lists_conforming = False

    def outcome(self, outcome: Outcome) -> None:
        if outcome.status == "conforming":
            return
        location = outcome.location
        for finding in outcome.findings:
            # A finding that does not affect the consumer's read-set is a notice.
            command = _COMMANDS[severity(finding, self.options)]
            properties = f"file={_property(relative_path(location.source))}"
            if location.line is not None:
                properties += f",line={location.line}"
            title = f"{outcome.event_name or NO_EVENT} {finding.code}"
            properties += f",title={_property(title)}"
            message = f"{location} {finding.path or '/'}: {finding.message}"
            note = reads_note(finding, self.options)
            if note:
                message += f" [{note}]"
            self.stream.write(f"::{command} {properties}::{_data(message)}\n")

    def finish(self, tally: Tally) -> None:
        self.stream.write(summary_line(tally) + "\n")
        affecting = reads_line(tally, self.options)
        if affecting:
            self.stream.write(affecting + "\n")

    def fatal(self, message: str) -> None:
        self.stream.write(f"::error title=qase-contract::{_data(message)}\n")


#: Workflow commands by severity: ``note`` (a finding outside the read-set) is a notice.
_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def _data(value: str) -> str:
    # The escaping the Actions runner undoes (actions/toolkit, command.ts); other control
    # characters from a delivery are shown escaped rather than sent to the log.
    escaped = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return one_line(escaped)


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")
