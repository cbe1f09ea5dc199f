"""The files of the pages people read in a browser (the inspector, the HTML reports): plain HTML,
CSS and JavaScript shipped in the package, with no build step and nothing fetched from elsewhere."""

from __future__ import annotations

import functools
from importlib import resources

#: Every asset, with its media type.
ASSETS = {
    "inspector.html": "text/html; charset=utf-8",
    "inspector.css": "text/css; charset=utf-8",
    "inspector.js": "text/javascript; charset=utf-8",
    "base.css": "text/css; charset=utf-8",
    "report.css": "text/css; charset=utf-8",
    "report.js": "text/javascript; charset=utf-8",
}


@functools.cache
def asset(name: str) -> bytes:
    """The bytes of one of :data:`ASSETS`; raises :class:`KeyError` for any other name."""
    if name not in ASSETS:
        raise KeyError(name)
    return resources.files("qase_contract.reporters").joinpath("web").joinpath(name).read_bytes()


def asset_text(name: str) -> str:
    return asset(name).decode("utf-8")
