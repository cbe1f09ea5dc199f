"""``--format junit``: one testcase per delivery, in the JUnit XML that CI systems render.

A violation is a ``<failure>``, an unreadable record an ``<error>``; drift passes with its
findings in ``<system-out>`` (and fails under ``--strict``). With a read-set, a delivery fails
only on a finding that affects the consumer; the others pass with theirs in ``<system-out>``.
Testcases are spooled so the counts can head the document.
"""

from __future__ import annotations

from collections import Counter
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from qase_contract.findings import Finding
from qase_contract.reporters._base import ReportOptions, Spool, affects, fails, reads_note
from qase_contract.validation._batch import NO_EVENT, Outcome, Tally


class JunitReporter:
    def __init__(self, stream: IO[str], options: ReportOptions) -> None:
        self.stream = stream
        self.options = options
        self.lists_conforming = True
        self.cases = Spool()
        self.counts: Counter[str] = Counter()

    def outcome(self, outcome: Outcome) -> None:
        event = outcome.event_name or NO_EVENT
        attributes = (
            f"classname={_attr(f'qase-contract.{event}')} name={_attr(str(outcome.location))} "
            f"file={_attr(outcome.location.source)}"
        )
        if outcome.location.line is not None:
            attributes += f' line="{outcome.location.line}"'
        findings = outcome.findings if outcome.status != "conforming" else ()
        self.counts["tests"] += 1
        body = ""
        if outcome.status == "unreadable":
            self.counts["errors"] += 1
            body = _element("error", findings[0].message, findings, self.options)
        elif fails(outcome, self.options):
            self.counts["failures"] += 1
            first = next((f for f in findings if affects(f, self.options)), findings[0])
            message = f"{first.code} at {first.path or '/'}: {first.message}"
            body = _element("failure", message, findings, self.options)
        elif findings:
            body = f"<system-out>{_text(_listing(findings, self.options))}</system-out>"
        self.cases.write(
            f"    <testcase {attributes}>{body}</testcase>\n" if body else f"    <testcase {attributes}/>\n"
        )

    def finish(self, tally: Tally) -> None:
        counts = (
            f'tests="{self.counts["tests"]}" failures="{self.counts["failures"]}" '
            f'errors="{self.counts["errors"]}" skipped="0"'
        )
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(f'<testsuites name="qase-contract" {counts}>\n')
        self.stream.write(f'  <testsuite name="qase-contract validate" {counts}>\n')
        if not self.cases.empty:
            self.cases.copy_to(self.stream)
        self.stream.write("  </testsuite>\n</testsuites>\n")

    def fatal(self, message: str) -> None:
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write('<testsuites name="qase-contract" tests="1" failures="0" errors="1" skipped="0">\n')
        self.stream.write(
            '  <testsuite name="qase-contract validate" tests="1" failures="0" errors="1" skipped="0">\n'
        )
        error = _element("error", message, (), self.options)
        self.stream.write(f'    <testcase classname="qase-contract" name="run">{error}</testcase>\n')
        self.stream.write("  </testsuite>\n</testsuites>\n")


def _element(tag: str, message: str, findings: tuple[Finding, ...], options: ReportOptions) -> str:
    kind = findings[0].code if findings else "error"
    listing = _text(_listing(findings, options))
    return f"<{tag} message={_attr(message)} type={_attr(kind)}>{listing}</{tag}>"


def _listing(findings: tuple[Finding, ...], options: ReportOptions) -> str:
    lines = []
    for finding in findings:
        note = reads_note(finding, options)
        lines.append(
            f"{finding.kind} {finding.code} {finding.path or '/'}: {finding.message}"
            + (f" [{note}]" if note else "")
        )
        if finding.schema_path:
            lines.append(f"    schema: {finding.schema_path}")
    return "\n".join(lines)


def _attr(value: str) -> str:
    return quoteattr(_xml_safe(value))


def _text(value: str) -> str:
    return escape(_xml_safe(value))


#: XML 1.0 cannot carry most C0 control characters, even as character references: they are
#: shown as ``\\xNN`` escapes (as in the text format) so ESC or BEL in a file name stays visible.
_NOT_XML = str.maketrans({c: f"\\x{c:02x}" for c in range(0x20) if chr(c) not in "\t\n\r"})


def _xml_safe(value: str) -> str:
    return value.translate(_NOT_XML)
