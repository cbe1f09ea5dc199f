"""``validate --format html`` and ``drift --format html``: one self-contained file each, whose
counts agree with the JSON reports, and in which nothing from a corpus becomes markup."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from qase_contract.reporters._html import MAX_ROWS
from tests.helpers.cli import invoke
from tests.helpers.data import ROOT
from tests.helpers.drift import (
    ATTRIBUTE_KEY,
    ENTITY_VALUE,
    FORGED_VALUE,
    MARKDOWN_EVENT,
    MARKDOWN_VALUE,
    SCRIPT_EVENT,
    STYLE_KEY,
    every_kind_of_drift,
    hostile_corpus,
    write_jsonl,
)

EXAMPLES = ROOT / "examples"

#: Every element a report is made of; anything else would have come from a corpus.
ELEMENTS = {
    "html", "head", "meta", "title", "style", "script", "body", "main", "h1", "h2", "p", "ul", "li",
    "strong", "span", "code", "table", "thead", "tbody", "tr", "th", "td", "svg", "rect", "form",
    "label", "select", "option", "input", "output", "details", "summary", "div",
}  # fmt: skip


class Page(HTMLParser):
    """A report as a browser's parser reads it: its elements and attributes, its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self._raw = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._raw += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._raw -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._raw:
            self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def report(tmp_path: Path, command: str, *paths: str) -> tuple[int, str]:
    target = tmp_path / f"{command}.html"
    run = invoke(command, "--format", "html", "--output", str(target), *paths)
    return run.code, target.read_text(encoding="utf-8")


def rows_of(html: str, table: str) -> list[list[str]]:
    """The cells' texts of each body row of the table with id ``table``."""
    body = html.split(f'<table id="{table}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [Page(cell).text for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    ]


def test_the_validate_report_counts_what_the_json_report_counts(tmp_path: Path) -> None:
    code, html = report(tmp_path, "validate", str(EXAMPLES))
    summary = json.loads(invoke("validate", "--format", "json", str(EXAMPLES)).stdout)["summary"]
    page = Page(html)
    assert code == 1
    assert "19 deliveries: 10 conforming, 4 with drift, 5 with violations, 0 unreadable" in page.text
    per_event = {row[0]: [int(cell) for cell in row[2:]] for row in rows_of(html, "events")}
    assert per_event == {
        event: [counts["deliveries"], counts["conforming"], counts["drift"], counts["violations"], 0]
        for event, counts in summary["by_event"].items()
    }
    findings = rows_of(html, "findings")
    assert len(findings) == 12
    assert findings[0][0] == f"{EXAMPLES}/broken.jsonl:2"
    assert findings[0][3:] == [
        "violation wrong-type",
        "/payload/priority",
        'expected object, got string "high"',
    ]


def test_the_validate_report_is_one_file_that_fetches_nothing(tmp_path: Path) -> None:
    _, html = report(tmp_path, "validate", str(EXAMPLES))
    page = Page(html)
    assert not [attrs for _, attrs in page.elements if {"src", "href"} & set(attrs)]
    assert not re.search(r"url\(|@import|https?:", html.split("<style>")[1].split("</style>")[0])
    [policy] = [attrs["content"] for attrs in page.tags("meta") if attrs.get("http-equiv")]
    assert policy is not None
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "'unsafe-inline'" not in policy


def test_with_all_conforming_deliveries_are_rows_too_and_verbose_adds_the_details(tmp_path: Path) -> None:
    conforming = str(EXAMPLES / "conforming.jsonl")
    _, html = report(tmp_path, "validate", conforming)
    assert "Nothing to list: no delivery has a finding." in Page(html).text
    target = tmp_path / "all.html"
    invoke(
        "validate",
        "--all",
        "-v",
        "--format",
        "html",
        "-o",
        str(target),
        conforming,
        str(EXAMPLES / "broken.jsonl"),
    )
    rows = rows_of(target.read_text(encoding="utf-8"), "findings")
    assert sum(row[2] == "conforming" for row in rows) == 9
    wrong_type = next(row for row in rows if row[3] == "violation wrong-type")
    assert wrong_type[6:] == ["object", 'string "high"', "common/defs.schema.json#/$defs/priority/type"]


def test_a_usage_error_is_an_html_page_in_the_output_file(tmp_path: Path) -> None:
    code, html = report(tmp_path, "validate", str(tmp_path / "missing.jsonl"))
    assert code == 2
    assert "Error: no such file or folder: " in Page(html).text
    code, html = report(tmp_path, "drift", str(tmp_path / "missing.jsonl"))
    assert code == 2
    assert "Error: no such file or folder: " in Page(html).text


def test_the_drift_report_counts_what_the_json_report_counts(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "captured.jsonl", every_kind_of_drift())
    code, html = report(tmp_path, "drift", str(corpus))
    data = json.loads(invoke("drift", "--format", "json", str(corpus)).stdout)
    assert code == 1  # breaking changes, under the default --fail-on breaking
    page = Page(html)
    first_headline = re.search(r'<p class="headline">(.*?)</p>', html)
    assert first_headline is not None
    assert Page(first_headline.group(1)).text.startswith("FAILED (--fail-on breaking): ")
    events = {row[0]: (row[1], int(row[3]), row[4]) for row in rows_of(html, "events")}
    assert events["milestone.created"] == ("differs", 3, "1 undocumented field, 1 forbidden null")
    assert events["result.created"] == ("unknown event", 1, "unknown event")
    assert set(events) == {name for name, event in data["events"].items() if event["differs"]}
    assert "1 event as documented (--all lists them here): case.deleted" in page.text
    everything = tmp_path / "all.html"
    invoke("drift", "--all", "--format", "html", "--output", str(everything), str(corpus))
    listed = {row[0]: row[1] for row in rows_of(everything.read_text(encoding="utf-8"), "events")}
    assert listed["case.deleted"] == "as documented"
    assert set(listed) == set(data["events"])
    shares = [(row[0], row[1], row[3]) for row in rows_of(html, "undocumented")]
    assert shares == [
        ("custom_field.created", "/payload/api_token", "100.0%"),
        ("milestone.created", "/payload/color", "33.3%"),
    ]
    assert [(row[1], row[3]) for row in rows_of(html, "types")] == [("/payload/parent_id", "100.0%")]
    changes = rows_of(html, "changes")
    assert len(changes) == 6
    assert [
        "milestone.created",
        "forbidden null",
        "/payload/title",
        "null in 1 of 3 (33.3%) (breaking)",
        f"{corpus}:3",
    ] in changes
    assert "s3cr3t" not in html


@pytest.mark.parametrize("command", ["validate", "drift"])
def test_nothing_from_a_hostile_corpus_becomes_markup(tmp_path: Path, command: str) -> None:
    corpus = write_jsonl(tmp_path / "hostile.jsonl", hostile_corpus())
    _, html = report(tmp_path, command, str(corpus))
    page = Page(html)
    assert {tag for tag, _ in page.elements} <= ELEMENTS
    assert len(page.tags("script")) == 1
    assert len(page.tags("style")) == 1
    assert not [name for _, attrs in page.elements for name in attrs if name.startswith("on")]
    assert not [attrs for _, attrs in page.elements if {"src", "href"} & set(attrs)]
    shown = page.text
    assert "\r" not in shown
    assert "\u001b" not in shown
    style_path = "/payload/" + STYLE_KEY.replace("/", "~1")  # a key, as a JSON pointer writes it
    forged = [SCRIPT_EVENT, MARKDOWN_EVENT, ATTRIBUTE_KEY, style_path]
    if command == "drift":
        forged += [FORGED_VALUE, MARKDOWN_VALUE, ENTITY_VALUE]
    for text in forged:
        assert text in shown  # shown as the text it is


def test_a_findings_table_stops_at_its_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("qase_contract.reporters._html_validate.MAX_ROWS", 3)
    _, html = report(tmp_path, "validate", str(EXAMPLES))
    assert len(rows_of(html, "findings")) == 3
    assert "9 more rows are not listed: the first 3 are" in Page(html).text
    assert MAX_ROWS == 20_000


def test_with_a_read_set_each_finding_says_whether_it_affects_what_you_read(tmp_path: Path) -> None:
    reads = tmp_path / "reads.json"
    reads.write_text(json.dumps({"format": 1, "events": {"case.created": ["/payload/priority"]}}))
    target = tmp_path / "report.html"
    run = invoke("validate", "--reads", str(reads), "--format", "html", "-o", str(target), str(EXAMPLES))
    html = target.read_text(encoding="utf-8")
    assert run.code == 1
    assert f"3 deliveries with findings that affect your reads ({reads})" in Page(html).text
    rows = {(row[4], row[6]) for row in rows_of(html, "findings")}
    assert ("/payload/priority", "affects read /payload/priority") in rows
    assert ("/payload/cases", "not read") in rows
    assert html.count('data-affects="yes"') == 3  # priority, and the two without an event to judge by
    assert '<select name="affects">' in html
