"""The screenshots of the manual (docs/images), taken fresh from the code as it is: the inspector
of a ``listen --ui`` that received the shipped examples, and the HTML reports of them.

The manual uses these files; tests/docs checks that every image it shows exists. After a change
to the pages, take them again and review the diff of docs/images::

    python -m tests.helpers.screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.helpers.browser import chromium
from tests.helpers.cli import invoke
from tests.helpers.data import ROOT
from tests.helpers.listening import listening
from tests.helpers.live import SECRET, RecordingConsumer, serving

IMAGES = ROOT / "docs" / "images"
#: The images the manual shows, each taken by :func:`take`.
SHOTS = ("inspector.png", "inspector-dark.png", "report-validate.png", "report-drift.png")
VIEWPORT = {"width": 1280, "height": 760}


def take(folder: Path, images: Path = IMAGES) -> list[Path]:
    """Take every screenshot of :data:`SHOTS` into ``images``, working in ``folder``."""
    images.mkdir(parents=True, exist_ok=True)
    examples = str(ROOT / "examples")
    with (
        serving(RecordingConsumer(status=200)) as consumer,
        listening(folder / "listen", "--ui", "--forward-to", consumer.url + "/hooks/qase") as listener,
        chromium(folder / "profile") as browser,
    ):
        run = invoke("send", listener.url, "--from", examples, "--secret", SECRET)
        assert run.code in (0, 1), run.stderr  # the broken example is answered 400
        invoke("send", listener.url, "--event", "run.started")  # no secret: refused
        assert listener.inspector is not None
        views = [
            ("inspector.png", False, "case.created", "violation"),
            ("inspector-dark.png", True, "run.completed", "drift"),
        ]
        for name, dark, event, verdict in views:
            page = browser.page(dark=dark)
            page.set_viewport_size(VIEWPORT)
            page.goto(listener.inspector)
            page.locator("#connection.live").wait_for()
            row = page.locator(f'.row[data-verdict="{verdict}"]', has=page.locator(".event", has_text=event))
            row.first.click()
            page.locator("#detail .line.marked").first.wait_for()
            page.locator("#detail .line.marked").first.scroll_into_view_if_needed()
            page.screenshot(path=images / name)
            page.close()
        for command, name in [("validate", "report-validate.png"), ("drift", "report-drift.png")]:
            report = folder / f"{command}.html"
            invoke(command, "--format", "html", "--output", str(report), examples)
            page = browser.page()
            page.set_viewport_size(VIEWPORT)
            page.goto(report.as_uri())
            page.locator("h1").wait_for()
            page.screenshot(path=images / name)
            page.close()
        assert not browser.problems, browser.problems
    return [images / name for name in SHOTS]


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / "listen").mkdir()
        written = take(folder)
    for path in written:
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)", file=sys.stderr)


if __name__ == "__main__":
    main()
