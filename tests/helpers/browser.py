"""Headless Chromium for the tests that look at pages as people do.

The browser is Debian's ``chromium`` package (``.ci/run`` installs it when it is missing),
driven by Playwright; ``playwright install`` is never run (it would download a browser). One
browser serves a whole test module, with a fresh profile, and records every request and every
console error of its pages, so a test can say that a page asked nothing of any other host.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, sync_playwright

CHROMIUM = Path(os.environ.get("QASE_CONTRACT_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Milliseconds any wait may take on a loaded two-core machine; a wait ends as soon as it can.
WAIT = 30_000
VIEWPORT = {"width": 1360, "height": 860}


@dataclass
class Browser:
    """A Chromium with one profile; what its pages asked for and complained about."""

    context: BrowserContext
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def page(self, *, dark: bool = False) -> Page:
        page = self.context.new_page()
        page.set_default_timeout(WAIT)
        page.emulate_media(color_scheme="dark" if dark else "light")
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def elsewhere(self, *origins: str) -> list[str]:
        """The requests made to anything but ``origins`` (and data: URLs, which fetch nothing)."""
        return [url for url in self.requests if not url.startswith(("data:", *origins))]


@contextmanager
def chromium(profile: Path) -> Iterator[Browser]:
    """Chromium, headless, with a fresh profile in ``profile``."""
    if not CHROMIUM.exists():
        raise AssertionError(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport=VIEWPORT,  # type: ignore[arg-type]
            timeout=WAIT,
        )
        browser = Browser(context)
        context.on("request", browser._request)
        try:
            yield browser
        finally:
            context.close()


def eventually(check: Callable[[], bool], timeout: float = WAIT / 1000) -> bool:
    """Whether ``check`` comes true within ``timeout`` seconds (checked every 20 ms)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
