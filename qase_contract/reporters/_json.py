"""``--format json``: ``{"summary": {...}, "results": [...]}``, documented in the README.

Results are spooled (memory while small, disk past a few megabytes) so the summary can
come first and a corpus of any size is rendered in flat memory.
"""

from __future__ import annotations

from typing import IO

import orjson

from qase_contract.reporters._base import ReportOptions, Spool
from qase_contract.reporters._serial import outcome_data
from qase_contract.validation._batch import Outcome, Tally

FORMAT_VERSION = 1


class JsonReporter:
    def __init__(self, stream: IO[str], options: ReportOptions) -> None:
        self.stream = stream
        self.options = options
        self.lists_conforming = options.everything
        self.results = Spool()

    def outcome(self, outcome: Outcome) -> None:
        if outcome.status == "conforming" and not self.options.everything:
            return
        separator = "" if self.results.empty else ",\n    "
        self.results.write(separator + orjson.dumps(outcome_data(outcome, self.options)).decode())

    def finish(self, tally: Tally) -> None:
        data = {"format": FORMAT_VERSION, **tally.as_dict(), "strict": self.options.strict}
        if self.options.reads is not None:
            data.update(reads=self.options.reads, affecting=tally.affecting)
        summary = orjson.dumps(data)
        self.stream.write('{\n  "summary": ' + summary.decode() + ',\n  "results": [')
        if not self.results.empty:
            self.stream.write("\n    ")
            self.results.copy_to(self.stream)
            self.stream.write("\n  ")
        self.stream.write("]\n}\n")

    def fatal(self, message: str) -> None:
        self.stream.write(
            orjson.dumps({"error": {"message": message}}, option=orjson.OPT_INDENT_2).decode() + "\n"
        )
