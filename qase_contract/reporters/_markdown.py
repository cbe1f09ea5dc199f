"""``--format markdown``: the verdict first, then what differs, for a CI job summary or a
pull-request comment (GitHub's ``$GITHUB_STEP_SUMMARY``, a GitLab note).

Everything taken from a delivery (locations, event names, paths, messages) is escaped as the
drift report's Markdown is, so a delivery cannot inject markup. Rows are spooled, since the
verdict that heads the summary is known only at the end; past :data:`MAX_ROWS` deliveries the
table stops and says how many more there are (job summaries are limited in size).
"""

from __future__ import annotations

from typing import IO

from qase_contract._util.printable import one_line
from qase_contract.findings import Finding
from qase_contract.reporters._base import ReportOptions, Spool, affects, listed, reads_note
from qase_contract.reporters._drift import _cell, _code
from qase_contract.reporters._text import fails_only_on_drift, reads_line, summary_line
from qase_contract.validation._batch import NO_EVENT, Outcome, Tally

TITLE = "Qase webhook contract"
#: Deliveries listed in the table at most; the rest are counted.
MAX_ROWS = 200


class MarkdownReporter:
    def __init__(self, stream: IO[str], options: ReportOptions) -> None:
        self.stream = stream
        self.options = options
        self.lists_conforming = options.everything
        self.rows = Spool()
        self.listed = 0
        self.left_out = 0

    def outcome(self, outcome: Outcome) -> None:
        if not listed(outcome, self.options):
            return
        if self.listed >= MAX_ROWS:
            self.left_out += 1
            return
        self.listed += 1
        findings = outcome.findings if outcome.status != "conforming" else ()
        if findings:
            first = next((f for f in findings if affects(f, self.options)), findings[0])
            more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
            finding = f"{first.kind} {first.code}"
            where, message = _code(first.path or "/"), _cell(_message(first, self.options) + more)
        else:
            finding, where, message = "conforming", "", ""
        # One line per row: a line break or control character from a delivery is shown escaped.
        row = (
            f"| {_code(str(outcome.location))} | {_code(outcome.event_name or NO_EVENT)} "
            f"| {finding} | {where} | {message} |"
        )
        self.rows.write(one_line(row) + "\n")

    def finish(self, tally: Tally) -> None:
        # The verdict leads, in the words of the drift report's summary.
        verdict = "**Failed**" if tally.failed else "**Passed**"
        lines = [f"## {TITLE}", "", f"{verdict}: {_cell(summary_line(tally))}."]
        affecting = reads_line(tally, self.options)
        if affecting:
            lines += ["", _cell(affecting) + "."]
        if tally.failed and fails_only_on_drift(tally, self.options):
            lines += ["", "Drift fails this run because of `--strict`."]
        self.stream.write("\n".join(lines) + "\n")
        if not self.rows.empty:
            self.stream.write(
                "\n### Deliveries that differ\n\n"
                "| location | event | finding | path | message |\n|---|---|---|---|---|\n"
            )
            self.rows.copy_to(self.stream)
            if self.left_out:
                self.stream.write(f"\n{self.left_out} more not listed here.\n")
        by_event = tally.by_event
        if by_event:
            self.stream.write(
                "\n| event | deliveries | conforming | drift | violations | unreadable |\n"
                "|---|---:|---:|---:|---:|---:|\n"
            )
            for event, counts in sorted(by_event.items()):
                row = (
                    f"| {_code(event)} | {sum(counts.values())} | {counts['conforming']} "
                    f"| {counts['drift']} | {counts['violation']} | {counts['unreadable']} |"
                )
                self.stream.write(one_line(row) + "\n")

    def fatal(self, message: str) -> None:
        self.stream.write(f"## {TITLE}\n\n**Error**: {one_line(_cell(message))}\n")


def _message(finding: Finding, options: ReportOptions) -> str:
    note = reads_note(finding, options)
    return finding.message + (f" [{note}]" if note else "")
