"""The human format: a line per delivery with findings, details with ``-v``, a summary per event."""

from __future__ import annotations

from collections import Counter
from typing import IO

from qase_contract._util.printable import one_line
from qase_contract._util.words import counted
from qase_contract.findings import Finding
from qase_contract.reporters._base import ReportOptions, affects, listed, reads_note
from qase_contract.reporters._paint import paint
from qase_contract.validation._batch import NO_EVENT, Outcome, Tally


class TextReporter:
    def __init__(self, stream: IO[str], options: ReportOptions) -> None:
        self.stream = stream
        self.options = options
        self.lists_conforming = options.everything

    def paint(self, text: str, style: str) -> str:
        return paint(text, style, self.options.colour)

    def outcome(self, outcome: Outcome) -> None:
        # Kept lean: it runs for every delivery that does not conform, a tenth of a corpus, and
        # a Python call costs more than the formatting here: text is escaped only when it is
        # not printable as it is (see one_line), the result's own fields are read directly.
        options, result = self.options, outcome.result
        if options.everything or options.quiet:
            if not listed(outcome, options):
                return
        elif result is not None and result.status == "conforming":
            return  # as listed() decides without those options, a call the fewer
        colour = options.colour
        where = str(outcome.location)
        if not where.isprintable():
            where = one_line(where)
        if colour:
            where = paint(where, "bold", colour)
        event = (result and result.event_name) or NO_EVENT
        head = f"{where}  {event if event.isprintable() else one_line(event)}"
        if result is None:
            findings = outcome.findings
        else:
            findings = result.findings if result.status != "conforming" else ()
        if not findings:
            self.stream.write(f"{head}  {paint('ok', 'conforming', colour)}\n")
        elif self.options.verbose:
            self.stream.write(f"{head}  {paint(outcome.status, outcome.status, colour)}\n")
            for finding in findings:
                self.stream.write(f"    {self.described(finding)}\n")
                details = _details(finding)
                if details:
                    self.stream.write(f"        {paint(one_line(details), 'dim', colour)}\n")
        else:
            # With a read-set, the line shows the first finding that affects the consumer.
            first = findings[0]
            if self.options.reads is not None:
                first = next((f for f in findings if affects(f, self.options)), first)
            more = f"  (+{len(findings) - 1} more, shown with -v)" if len(findings) > 1 else ""
            self.stream.write(f"{head}  {self.described(first)}{more}\n")

    def described(self, finding: Finding) -> str:
        colour = self.options.colour
        # The kind and the code are the contract's own words: only the path and the message,
        # which carry the delivery's text, need escaping.
        label = f"{finding.kind} {finding.code}"
        if colour:
            label = paint(label, "unreadable" if finding.code == "unreadable" else finding.kind, colour)
        path, message = finding.path or "/", finding.message
        path = path if path.isprintable() else one_line(path)
        text = f"{label} {path}: {message if message.isprintable() else one_line(message)}"
        if self.options.reads is None:
            return text
        note = reads_note(finding, self.options)
        if note:
            text += "  " + paint(
                f"[{one_line(note)}]", "violation" if affects(finding, self.options) else "dim", colour
            )
        return text

    def finish(self, tally: Tally) -> None:
        """The verdict and the counts first, then the events that differ; events where every
        delivery conforms are listed with ``-v`` or ``--all`` only."""
        line = verdict_line(tally)
        self.stream.write(self.paint(line, "violation" if tally.failed else "conforming") + "\n")
        affecting = reads_line(tally, self.options)
        if affecting:
            self.stream.write(affecting + "\n")
        if self.options.quiet:
            return
        every_event = self.options.everything or bool(self.options.verbose)
        listed = folded = 0
        for event, per_event in sorted(tally.by_event.items()):
            if every_event or per_event["conforming"] != sum(per_event.values()):
                self.stream.write(event_line(one_line(event), per_event) + "\n")
                listed += 1
            else:
                folded += 1
        if folded:
            events = counted(folded, "other event" if listed else "event")
            self.stream.write(f"  {events}, every delivery conforming (-v lists them)\n")
        if tally.failed and fails_only_on_drift(tally, self.options):
            self.stream.write("drift fails this run because of --strict\n")

    def fatal(self, message: str) -> None:
        self.stream.write(f"{self.paint('error', 'violation')}: {message}\n")


def summary_line(tally: Tally) -> str:
    """``19 deliveries: 10 conforming, 4 with drift, 5 with violations, 0 unreadable``."""
    counts = tally.statuses
    line = (
        f"{counted(tally.deliveries, 'delivery')}: {counts['conforming']} conforming, "
        f"{counts['drift']} with drift, {counts['violation']} with violations, "
        f"{counts['unreadable']} unreadable"
    )
    if tally.filtered:
        line += f", {tally.filtered} filtered out by --event"
    return line


def reads_line(tally: Tally, options: ReportOptions) -> str:
    """With a read-set: ``2 deliveries with findings that affect your reads (reads.json)``."""
    if options.reads is None:
        return ""
    count = tally.affecting
    noun = "delivery" if count == 1 else "deliveries"
    return f"{count} {noun} with findings that affect your reads ({one_line(options.reads)})"


def verdict_line(tally: Tally) -> str:
    """The summary line led by the verdict: ``FAILED  19 deliveries: ...`` or ``PASSED  ...``."""
    return f"{'FAILED' if tally.failed else 'PASSED'}  {summary_line(tally)}"


#: What ``(no event)`` stands for, said where the summary counts it.
NO_EVENT_MEANING = "records without a usable event_name"


def event_line(event: str, counts: Counter[str]) -> str:
    """``  case.created: 3 deliveries (1 conforming, 1 with drift, 1 with violations)``, the
    counts that are not zero; ``event`` comes already escaped for where the line is printed."""
    parts = [f"{counts[status]} {label}" for status, label in _EVENT_COUNTS if counts[status]]
    meaning = f", {NO_EVENT_MEANING}" if event == NO_EVENT else ""
    return f"  {event}: {counted(sum(counts.values()), 'delivery')} ({', '.join(parts)}){meaning}"


_EVENT_COUNTS = (
    ("conforming", "conforming"),
    ("drift", "with drift"),
    ("violation", "with violations"),
    ("unreadable", "unreadable"),
    ("error", "not checked (checker error)"),
)


def fails_only_on_drift(tally: Tally, options: ReportOptions) -> bool:
    return options.strict and not tally.statuses["violation"] and not tally.statuses["unreadable"]


def _details(finding: Finding) -> str:
    """Expected and actual where the message does not say them already, and the schema place."""
    parts = []
    if finding.expected is not None and finding.expected not in finding.message:
        parts.append(f"expected {finding.expected}")
    if finding.actual is not None and finding.actual not in finding.message:
        parts.append(f"got {finding.actual}")
    if finding.schema_path:
        parts.append(f"schema {finding.schema_path}")
    return "; ".join(parts)
