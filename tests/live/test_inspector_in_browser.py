"""The inspector in a real browser (headless Chromium): ``listen --ui`` as a process, deliveries
sent with ``send``, the page read as a person reads it. Each test leaves screenshots of what it
looked at in its tmp folder."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from playwright.sync_api import Locator, Page

from qase_contract.sources._capture import CaptureRecord
from tests.helpers.browser import WAIT, Browser, chromium, eventually
from tests.helpers.cli import invoke
from tests.helpers.listening import Listener, listening
from tests.helpers.live import DELIVERY, SECRET, RecordingConsumer, numbered_delivery, serving


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as started:
        yield started


@pytest.fixture(scope="module")
def consumer() -> Iterator[tuple[RecordingConsumer, str]]:
    recording = RecordingConsumer(status=202)
    with serving(recording) as server:
        yield recording, server.url + "/hooks/qase"


@pytest.fixture(scope="module")
def listener(
    tmp_path_factory: pytest.TempPathFactory, consumer: tuple[RecordingConsumer, str]
) -> Iterator[Listener]:
    with listening(tmp_path_factory.mktemp("listen"), "--ui", "--forward-to", consumer[1]) as started:
        assert started.inspector is not None
        yield started


def origin(url: str) -> str:
    return url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/"


def inspector_url(listener: Listener) -> str:
    assert listener.inspector is not None
    return listener.inspector


def open_inspector(browser: Browser, listener: Listener, *, dark: bool = False) -> Page:
    """The inspector in a new page, once it follows the live stream."""
    browser.problems.clear()
    browser.requests.clear()
    page = browser.page(dark=dark)
    page.goto(inspector_url(listener))
    page.locator("#connection.live").wait_for()
    return page


@pytest.fixture
def page(browser: Browser, listener: Listener) -> Iterator[Page]:
    opened = open_inspector(browser, listener)
    yield opened
    opened.close()


def send(listener: Listener, *args: str) -> None:
    run = invoke("send", listener.url, "--secret", SECRET, *args)
    assert run.code == 0, run.stdout + run.stderr


def row(page: Page, event: str) -> Locator:
    return page.locator(".row", has=page.locator(".event", has_text=event)).first


def test_the_page_loads_live_with_no_console_error_and_no_request_elsewhere(
    browser: Browser, listener: Listener, page: Page, tmp_path: Path
) -> None:
    send(listener, "--event", "run.started", "--event", "case.created")
    page.locator(".row").nth(1).wait_for()
    page.screenshot(path=tmp_path / "list.png")
    assert page.locator("#connection").text_content() == "Live"
    assert browser.problems == []
    assert browser.requests  # they were watched
    assert browser.elsewhere(origin(inspector_url(listener)), origin(listener.url)) == []


def test_a_delivery_sent_with_send_appears_within_a_second_without_a_reload(
    listener: Listener, page: Page, tmp_path: Path
) -> None:
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    send(listener, "--event", "shared_step.deleted")
    sent = time.monotonic()
    arrived = row(page, "shared_step.deleted")
    arrived.wait_for()
    took = time.monotonic() - sent
    page.screenshot(path=tmp_path / "arrived.png")
    assert took < 1.0, f"it took {took:.2f} s"
    assert navigations == []
    assert arrived.locator(".badge").text_content() == "conforming"


def test_the_detail_view_marks_each_finding_at_its_path_with_its_message(
    listener: Listener, page: Page, tmp_path: Path
) -> None:
    send(listener, "--event", "plan.created", "--set", "/payload/title=7", "--set", "/payload/extra=1")
    chosen = row(page, "plan.created")
    chosen.click()
    marked = page.locator('.line.marked[data-pointer="/payload/title"]')
    marked.wait_for()
    page.screenshot(path=tmp_path / "detail.png")
    assert "violation" in (marked.get_attribute("class") or "")
    assert marked.text_content() == '"title": 7,'
    note = page.locator('.line[data-pointer="/payload/title"] + .note')
    assert note.text_content() == "▲ violation wrong-type: expected string, got integer 7"
    drift = page.locator('.line.marked.drift[data-pointer="/payload/extra"]')
    assert drift.count() == 1
    assert page.locator(".findings li").count() == 2
    headers = page.locator(".headers").text_content() or ""
    assert "X-Qase-Secret[redacted]" in headers
    assert SECRET not in page.content()


def test_filters_by_event_verdict_and_text_narrow_the_list(
    listener: Listener, page: Page, tmp_path: Path
) -> None:
    send(listener, "--event", "milestone.created", "--set", '/project_code="ZEBRA7"')
    send(listener, "--event", "milestone.deleted", "--set", "/payload/id=null")
    row(page, "milestone.deleted").wait_for()
    events = page.locator(".row:not([hidden]) .event")
    page.select_option("#filter-verdict", "violation")
    assert eventually(lambda: events.count() > 0)
    verdicts = page.locator(".row:not([hidden]) .badge").all_text_contents()
    assert set(verdicts) == {"violation"}
    page.select_option("#filter-verdict", "")
    page.select_option("#filter-event", "milestone.created")
    assert eventually(lambda: set(events.all_text_contents()) == {"milestone.created"})
    page.select_option("#filter-event", "")
    page.fill("#filter-text", "zebra7")  # only in the body: the server searches bodies
    assert eventually(lambda: events.all_text_contents() == ["milestone.created"])
    page.screenshot(path=tmp_path / "filtered.png")
    assert "Showing 1 of " in (page.locator("#shown").text_content() or "")
    page.locator("#filter-text").press("Escape")
    assert eventually(lambda: page.locator(".row:not([hidden])").count() > 1)


def test_the_keyboard_moves_through_the_list_and_opens_a_delivery(listener: Listener, page: Page) -> None:
    send(listener, "--event", "defect.created", "--event", "defect.updated")
    row(page, "defect.updated").wait_for()
    page.locator("#list").focus()
    page.keyboard.press("ArrowDown")
    first = page.locator('.row[aria-selected="true"] .event')
    assert eventually(lambda: first.text_content() == "defect.updated")
    page.keyboard.press("j")
    assert eventually(lambda: first.text_content() == "defect.created")
    page.keyboard.press("k")
    assert eventually(lambda: first.text_content() == "defect.updated")
    page.locator("#detail h2").filter(has_text="defect.updated").wait_for()
    active = page.locator("#list").get_attribute("aria-activedescendant")
    assert active is not None
    assert page.locator(f"#{active} .event").text_content() == "defect.updated"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "detail"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "filter-text"
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "list"


def test_a_replay_posts_the_delivery_again_and_shows_the_consumers_answer(
    listener: Listener, page: Page, consumer: tuple[RecordingConsumer, str], tmp_path: Path
) -> None:
    recording, _ = consumer
    send(listener, "--event", "suite.created")
    chosen = row(page, "suite.created")
    chosen.wait_for()
    assert eventually(lambda: chosen.locator(".forwarded").text_content() == "202")
    before = len(recording.received)
    chosen.click()
    page.locator("#replay:not([disabled])").click()
    status = page.locator("#replay-status")
    assert eventually(lambda: (status.text_content() or "").startswith("Your consumer answered 202 in "))
    page.locator("#answers li").nth(1).wait_for()
    page.screenshot(path=tmp_path / "replayed.png")
    assert len(recording.received) == before + 1
    body, headers = recording.received[-1]
    assert orjson.loads(body)["event_name"] == "suite.created"
    assert headers["X-Qase-Secret"] == SECRET
    answers = page.locator("#answers li").all_text_contents()
    assert answers[0].startswith("Forwarded ")
    assert answers[1].startswith("Replayed ")


def test_the_token_is_required(browser: Browser, listener: Listener, tmp_path: Path) -> None:
    base = origin(inspector_url(listener))
    for path in ["", "api/deliveries", "api/deliveries/1", "api/stream", "capture.jsonl", "?token=wrong"]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + path, timeout=WAIT / 1000)
        refused.value.close()  # an HTTPError holds the connection open until it is closed
        assert refused.value.code == 401
    page = browser.page()
    page.goto(base)
    page.screenshot(path=tmp_path / "no-token.png")
    assert "needs the address" in (page.text_content("body") or "")
    assert page.locator(".row").count() == 0
    page.close()


def test_a_reload_brings_the_list_back_and_the_capture_downloads(
    browser: Browser, listener: Listener, page: Page, tmp_path: Path
) -> None:
    send(listener, "--event", "run.completed")
    row(page, "run.completed").wait_for()
    count = page.locator(".row:not([hidden])").count()
    page.reload()
    page.locator("#connection.live").wait_for()
    assert eventually(lambda: page.locator(".row:not([hidden])").count() == count)
    with page.expect_download() as download:
        page.locator("#download").click()
    saved = tmp_path / "capture.jsonl"
    download.value.save_as(saved)
    assert saved.read_bytes() == listener.capture.read_bytes()


def test_light_and_dark_follow_the_system_setting(
    browser: Browser, listener: Listener, tmp_path: Path
) -> None:
    backgrounds = []
    for dark in (False, True):
        page = open_inspector(browser, listener, dark=dark)
        page.locator(".row").first.click()
        page.locator("#detail h2").wait_for()
        page.screenshot(path=tmp_path / f"{'dark' if dark else 'light'}.png")
        backgrounds.append(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        page.close()
    assert backgrounds == ["rgb(255, 255, 255)", "rgb(13, 17, 23)"]


# -- 10,000 deliveries, and the history a restarted listener reads back ------------------


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Listener]:
    """A listener started on a capture file of 10,050 deliveries (every 100th breaks the contract)."""
    folder = tmp_path_factory.mktemp("crowded")
    broken = orjson.loads(DELIVERY)
    broken["project_code"] = 7
    with (folder / "capture.jsonl").open("wb") as capture:
        for number in range(10_050):
            body = orjson.dumps(broken) if number % 100 == 99 else numbered_delivery(number)
            capture.write(CaptureRecord(body=body, status=200).to_line())
    with listening(folder, "--ui") as started:
        assert (
            f"inspector history: the latest 10000 deliveries of {folder / 'capture.jsonl'}"
            in started.out.read_text()
        )
        yield started


def test_ten_thousand_deliveries_from_the_capture_file_stay_quick_to_browse(
    browser: Browser, crowded: Listener, tmp_path: Path
) -> None:
    page = open_inspector(browser, crowded)
    shown = page.locator("#shown")
    assert eventually(lambda: (shown.text_content() or "").startswith("Showing 10000 of 10000"))
    assert page.locator(".row").count() < 100  # the list draws only what can be seen
    page.locator("#list").focus()
    page.keyboard.press("End")
    oldest = page.locator('.row[aria-selected="true"]')
    assert eventually(lambda: oldest.get_attribute("data-id") == "1")
    page.locator("#detail .line").first.wait_for()  # read back from the capture file
    assert "read back from the capture file" in (page.locator("#detail .facts").first.text_content() or "")
    page.select_option("#filter-verdict", "violation")
    assert eventually(lambda: (shown.text_content() or "").startswith("Showing 100 of 10000"))
    page.screenshot(path=tmp_path / "ten-thousand.png")
    send(crowded, "--event", "run.deleted")
    page.select_option("#filter-verdict", "")
    page.locator("#list").focus()
    page.keyboard.press("Home")
    row(page, "run.deleted").wait_for()
    assert (shown.text_content() or "").startswith("Showing 10000 of 10000")  # the oldest made room
    assert browser.problems == []
    page.close()
