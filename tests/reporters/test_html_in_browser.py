"""The HTML reports in a real browser (headless Chromium): they render the expected counts, their
filters work, they ask nothing of any host, and a hostile corpus runs no script. Each test leaves
screenshots of what it looked at in its tmp folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.helpers.browser import Browser, chromium, eventually
from tests.helpers.cli import invoke
from tests.helpers.data import ROOT
from tests.helpers.drift import MARKDOWN_EVENT, SCRIPT_EVENT, every_kind_of_drift, hostile_corpus, write_jsonl

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as started:
        yield started


def open_report(browser: Browser, tmp_path: Path, command: str, *paths: str, dark: bool = False) -> Page:
    """The ``command --format html`` report of ``paths``, opened from its file."""
    report = tmp_path / f"{command}.html"
    invoke(command, "--format", "html", "--output", str(report), *paths)
    browser.problems.clear()
    browser.requests.clear()
    page = browser.page(dark=dark)
    page.goto(report.as_uri())
    page.locator("h1").wait_for()
    return page


def shown_rows(page: Page, table: str) -> int:
    return page.locator(f"#{table} tbody tr:not([hidden])").count()


def test_the_validate_report_renders_the_counts_and_its_filters_work(
    browser: Browser, tmp_path: Path
) -> None:
    page = open_report(browser, tmp_path, "validate", str(EXAMPLES))
    page.screenshot(path=tmp_path / "validate.png", full_page=True)
    tiles = page.locator(".tiles li").all_inner_texts()
    assert [" ".join(tile.split()) for tile in tiles] == [
        "19 deliveries",
        "10 conforming",
        "4 with drift",
        "5 with violations",
        "0 unreadable",
    ]
    case_created = page.locator("#events tbody tr", has_text="case.created").locator("td").all_inner_texts()
    assert case_created[2:] == ["3", "1", "1", "1", "0"]
    assert page.locator("#events svg.bar").count() == 12
    assert shown_rows(page, "findings") == 12
    page.select_option("select[name=verdict]", "drift")
    assert eventually(lambda: shown_rows(page, "findings") == 6)
    page.select_option("select[name=code]", "unknown-field")
    assert eventually(lambda: shown_rows(page, "findings") == 3)
    page.select_option("select[name=verdict]", "")
    page.select_option("select[name=code]", "")
    page.fill("input[name=text]", "priority")
    assert eventually(lambda: shown_rows(page, "findings") == 1)
    assert page.locator("form.filters output").inner_text() == "1 of 12 rows shown"
    page.screenshot(path=tmp_path / "validate-filtered.png", full_page=True)
    assert browser.problems == []
    assert browser.elsewhere(page.url) == []
    page.close()


def test_the_drift_report_renders_the_shares_and_its_filters_work(browser: Browser, tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "captured.jsonl", every_kind_of_drift())
    page = open_report(browser, tmp_path, "drift", str(corpus), dark=True)
    page.screenshot(path=tmp_path / "drift.png", full_page=True)
    tiles = [" ".join(tile.split()) for tile in page.locator(".tiles li").all_inner_texts()]
    assert tiles[:3] == ["10 deliveries", "7 events seen", "6 differ from the contract"]
    shares = page.locator("#undocumented tbody tr").all_inner_texts()
    assert [" ".join(share.split()) for share in shares] == [
        "custom_field.created /payload/api_token 100.0% in 1 of 1 as string",
        "milestone.created /payload/color 33.3% in 1 of 3 as string",
    ]
    assert shown_rows(page, "changes") == 6
    page.select_option("select[name=change]", "undocumented field")
    assert eventually(lambda: shown_rows(page, "changes") == 2)
    page.select_option("select[name=event]", "milestone.created")
    assert eventually(lambda: shown_rows(page, "changes") == 1)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"  # dark, as the system asks
    assert browser.problems == []
    assert browser.elsewhere(page.url) == []
    page.close()


@pytest.mark.parametrize("command", ["validate", "drift"])
def test_a_hostile_corpus_runs_no_script_and_loads_nothing(
    browser: Browser, tmp_path: Path, command: str
) -> None:
    corpus = write_jsonl(tmp_path / "hostile.jsonl", hostile_corpus())
    dialogs: list[str] = []
    report = tmp_path / f"{command}.html"
    invoke(command, "--format", "html", "--output", str(report), str(corpus))
    browser.problems.clear()
    browser.requests.clear()
    page = browser.page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(report.as_uri())
    page.locator("h1").wait_for()
    page.screenshot(path=tmp_path / "hostile.png", full_page=True)
    assert dialogs == []
    assert page.locator("img, iframe, svg[onload], b").count() == 0
    assert page.locator("script").count() == 1
    text = page.locator("main").inner_text()
    assert SCRIPT_EVENT in text
    assert MARKDOWN_EVENT in text
    assert browser.problems == []
    assert browser.elsewhere(page.url) == []
    page.close()
