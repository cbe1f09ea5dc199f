"""What the HTML reports share: one self-contained file (styles and script inline, nothing
fetched from anywhere, a Content Security Policy that runs only the report's own script),
text always escaped, bar charts drawn as inline SVG, tables with filters.

Every value that comes from a corpus (event names, keys, paths, messages, file names) goes
through :func:`text` or :func:`attribute`, so it renders as text, never as markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable, Sequence

from qase_contract._util.printable import one_line
from qase_contract.reporters._web import asset_text

#: Rows of a findings or changes table, at most: a browser stays quick; the counts cover all.
MAX_ROWS = 20_000


def text(value: object) -> str:
    """``value`` as HTML text: markup escaped, control characters shown as ``\\x..``."""
    return html.escape(one_line(str(value)), quote=True)


def attribute(value: object) -> str:
    """``value`` as a double-quoted attribute value (quotes included)."""
    return f'"{text(value)}"'


def _digest(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


def document_start(title: str) -> str:
    """The start of a report: its head with the styles and script inline, and the body's start.
    The policy names the exact style and script by their hashes: nothing else would run."""
    style = asset_text("base.css") + asset_text("report.css")
    script = asset_text("report.js")
    policy = (
        f"default-src 'none'; style-src {_digest(style)}; script-src {_digest(script)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content={attribute(policy)}>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{text(title)}</title>\n"
        f"<style>{style}</style>\n"
        f'</head>\n<body>\n<main class="report">\n<h1>{text(title)}</h1>\n'
    )


def document_end() -> str:
    """The end of a report, with its script (the filters), which runs once the tables are there."""
    return f"</main>\n<script>{asset_text('report.js')}</script>\n</body>\n</html>\n"


def badge(kind: str, label: str | None = None) -> str:
    """A badge in ``kind``'s colours, saying ``label`` (default: the kind): words, not only colour."""
    return f'<span class="badge {text(kind)}">{text(kind if label is None else label)}</span>'


def stacked_bar(segments: Sequence[tuple[str, int]], total: int | None = None) -> str:
    """A horizontal bar of ``(class, count)`` segments, as wide as ``total`` (default: their sum)."""
    whole = total if total is not None else sum(count for _, count in segments)
    label = ", ".join(f"{count} {name}" for name, count in segments if count)
    rects, x = [], 0.0
    for name, count in segments:
        if count and whole:
            width = 100 * count / whole
            rects.append(
                f'<rect class="seg {text(name)}" x="{x:.3f}" y="0" width="{width:.3f}" height="10"/>'
            )
            x += width
    return (
        f'<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        f"aria-label={attribute(label or 'none')}>"
        f'<rect class="track" x="0" y="0" width="100" height="10"/>{"".join(rects)}</svg>'
    )


def options(name: str, label: str, values: Iterable[str], every: str) -> str:
    """A filter's select: ``every`` first (no filter), then each value."""
    choices = "".join(f"<option value={attribute(value)}>{text(value)}</option>" for value in values)
    return (
        f"<label>{text(label)} <select name={attribute(name)}>"
        f'<option value="">{text(every)}</option>{choices}</select></label>'
    )


def filters(table: str, selects: Sequence[str]) -> str:
    """The filters of table ``table``: selects on its rows' ``data-`` attributes, a text search,
    and how many rows they leave (the report's script applies them)."""
    return (
        f'<form class="filters" data-table={attribute(table)} role="search">'
        + "".join(selects)
        + '<label>Text <input type="search" name="text" autocomplete="off" spellcheck="false"></label>'
        + '<output class="muted" aria-live="polite"></output></form>\n'
    )


def error_page(title: str, message: str) -> str:
    """A report that says only why the run did not happen."""
    return document_start(title) + f'<p class="error-note">Error: {text(message)}</p>\n' + document_end()
