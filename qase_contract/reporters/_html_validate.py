"""``validate --format html``: one self-contained page: the counts, a bar per event (conforming,
drift, violations, unreadable), and every finding in a table with filters and its file:line.

Rows are spooled (memory while small, disk past a few megabytes) so the summary can come first.
"""

from __future__ import annotations

from typing import IO

from qase_contract.findings import Finding
from qase_contract.reporters._base import ReportOptions, Spool, affects, listed, reads_note
from qase_contract.reporters._html import (
    MAX_ROWS,
    attribute,
    badge,
    document_end,
    document_start,
    error_page,
    filters,
    options,
    stacked_bar,
    text,
)
from qase_contract.reporters._text import fails_only_on_drift, reads_line, summary_line
from qase_contract.validation._batch import NO_EVENT, Outcome, Tally

TITLE = "qase-contract validate report"
VERDICTS = ("conforming", "drift", "violation", "unreadable")


class HtmlReporter:
    def __init__(self, stream: IO[str], options: ReportOptions) -> None:
        self.stream = stream
        self.options = options
        self.lists_conforming = options.everything
        self.rows = Spool()
        self.listed = 0
        self.left_out = 0
        self.events: set[str] = set()
        self.codes: set[str] = set()

    def outcome(self, outcome: Outcome) -> None:
        if not listed(outcome, self.options):
            return
        findings = outcome.findings if outcome.status != "conforming" else ()
        for finding in findings or (None,):
            if self.listed >= MAX_ROWS:
                self.left_out += 1
                continue
            self.listed += 1
            self.rows.write(self._row(outcome, finding))

    def _row(self, outcome: Outcome, finding: Finding | None) -> str:
        event = outcome.event_name or NO_EVENT
        self.events.add(event)
        code = finding.code if finding is not None else ""
        if code:
            self.codes.add(code)
        cells = [
            f'<td class="where">{text(outcome.location)}</td>',
            f"<td>{text(event)}</td>",
            f"<td>{badge(outcome.status)}</td>",
        ]
        affecting = None if finding is None else affects(finding, self.options)
        if finding is None:
            cells.append('<td></td><td class="path"></td><td class="message">conforms</td>')
            if self.options.reads is not None:
                cells.append("<td></td>")
        else:
            cells += [
                f"<td>{badge(finding.kind)} <code>{text(code)}</code></td>",
                f'<td class="path">{text(finding.path or "/")}</td>',
                f'<td class="message">{text(finding.message)}</td>',
            ]
            if self.options.reads is not None:
                cells.append(f"<td>{text(reads_note(finding, self.options))}</td>")
            if self.options.verbose:
                cells += [
                    f"<td>{text(finding.expected or '')}</td>",
                    f"<td>{text(finding.actual or '')}</td>",
                    f'<td class="path">{text(finding.schema_path or "")}</td>',
                ]
        data = f"data-verdict={attribute(outcome.status)} data-event={attribute(event)}"
        data += f" data-code={attribute(code)}"
        if affecting is not None:
            data += f' data-affects="{"yes" if affecting else "no"}"'
        return f"<tr {data}>{''.join(cells)}</tr>\n"

    def finish(self, tally: Tally) -> None:
        write = self.stream.write
        write(document_start(TITLE))
        verdict = badge("violation", "FAILED") if tally.failed else badge("conforming", "PASSED")
        write(f'<p class="headline">{verdict} {text(summary_line(tally))}</p>\n')
        affecting = reads_line(tally, self.options)
        if affecting:
            write(f'<p class="headline">{text(affecting)}</p>\n')
        if tally.failed and fails_only_on_drift(tally, self.options):
            write('<p class="error-note">Drift fails this run because of --strict.</p>\n')
        write(_tiles(tally))
        write(_per_event(tally))
        write('<h2 id="findings-title">Findings</h2>\n')
        if self.rows.empty:
            write('<p class="empty-note">Nothing to list: no delivery has a finding.</p>\n')
        else:
            write(self._table_head())
            self.rows.copy_to(self.stream)
            write("</tbody></table>\n")
        if self.left_out:
            write(
                f'<p class="empty-note">{self.left_out} more rows are not listed: the first {MAX_ROWS} '
                "are (the counts above cover all); --format json lists every finding.</p>\n"
            )
        write(document_end())

    def _table_head(self) -> str:
        verdicts = [verdict for verdict in VERDICTS if verdict != "conforming" or self.lists_conforming]
        selects = [
            options("verdict", "Verdict", verdicts, "all verdicts"),
            options("event", "Event", sorted(self.events), "all events"),
            options("code", "Finding", sorted(self.codes), "all findings"),
        ]
        reads = ""
        if self.options.reads is not None:
            selects.append(options("affects", "Your reads", ["yes", "no"], "affecting or not"))
            reads = "<th>your reads</th>"
        verbose = "<th>expected</th><th>got</th><th>schema</th>" if self.options.verbose else ""
        return (
            filters("findings", selects)
            + '<table id="findings" aria-labelledby="findings-title"><thead><tr><th>where</th>'
            + "<th>event</th><th>verdict</th><th>finding</th><th>path</th><th>message</th>"
            + f"{reads}{verbose}</tr></thead>\n<tbody>\n"
        )

    def fatal(self, message: str) -> None:
        self.stream.write(error_page(TITLE, message))


def _tiles(tally: Tally) -> str:
    counts = tally.statuses
    tiles = [
        ("deliveries", tally.deliveries),
        ("conforming", counts["conforming"]),
        ("with drift", counts["drift"]),
        ("with violations", counts["violation"]),
        ("unreadable", counts["unreadable"]),
    ]
    if tally.filtered:
        tiles.append(("filtered out by --event", tally.filtered))
    items = "".join(f"<li><strong>{count}</strong>{text(label)}</li>" for label, count in tiles)
    return f'<ul class="tiles">{items}</ul>\n'


def _per_event(tally: Tally) -> str:
    by_event = tally.by_event
    if not by_event:
        return ""
    legend = "".join(badge(verdict) for verdict in VERDICTS)
    rows = []
    for event, counts in sorted(by_event.items()):
        segments = [(verdict, counts[verdict]) for verdict in VERDICTS]
        numbers = "".join(f'<td class="number">{count}</td>' for _, count in segments)
        rows.append(
            f'<tr><td>{text(event)}</td><td class="chart">{stacked_bar(segments)}</td>'
            f'<td class="number">{sum(counts.values())}</td>{numbers}</tr>\n'
        )
    return (
        '<h2 id="events-title">Verdicts per event</h2>\n'
        f'<div class="legend">{legend}</div>\n'
        '<table id="events" aria-labelledby="events-title"><thead><tr><th>event</th><th>verdicts</th>'
        '<th class="number">deliveries</th><th class="number">conforming</th><th class="number">drift</th>'
        '<th class="number">violations</th><th class="number">unreadable</th></tr></thead>\n<tbody>\n'
        + "".join(rows)
        + "</tbody></table>\n"
    )
