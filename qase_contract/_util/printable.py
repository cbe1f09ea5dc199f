"""Text that came from a request or from the disk, made safe to print on one line of a log.

Escaped: the C0 and C1 control characters (CR, LF and ESC among them), and the characters
that reorder or break a line without being control characters: the bidirectional
embeddings, overrides, isolates and marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F,
U+061C: a file name can read backwards with them) and the line and paragraph separators
(U+2028, U+2029). Nothing a client sends can forge a line of the log or turn it around.
"""

from __future__ import annotations

import re

_CONTROLS = [*range(0x20), *range(0x7F, 0xA0)]
_REORDERING = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x2028, 0x2029]
_ESCAPES = {c: f"\\x{c:02x}" for c in _CONTROLS} | {c: f"\\u{c:04x}" for c in _REORDERING}

#: Every character above escaped, and backslashes, so no escape hides among real ones.
_WITH_BACKSLASHES = str.maketrans({**_ESCAPES, ord("\\"): "\\\\"})
#: Only the characters above: for reports, where a backslash needs no escape of its own.
_ONLY_UNSAFE = str.maketrans(_ESCAPES)
#: As above, line feeds kept: for messages of several lines.
_KEEPING_LINES = str.maketrans({c: e for c, e in _ESCAPES.items() if c != ord("\n")})


# str.isprintable() is False for every character escaped here (control, format and separator
# characters), so text it passes needs no translation: most text, at a fraction of the cost.


def printable(text: str) -> str:
    """``text`` with every unsafe character and backslash escaped, safe to print on one line."""
    if text.isprintable() and "\\" not in text:
        return text
    return text.translate(_WITH_BACKSLASHES)


def one_line(text: str) -> str:
    """``text`` with unsafe characters escaped, so a delivery's own text (an event name, a
    key, a file name) can neither break a report's line, reorder it, nor send escapes to a
    terminal."""
    if text.isprintable():
        return text
    return text.translate(_ONLY_UNSAFE)


def safe_lines(text: str) -> str:
    """``text`` with unsafe characters escaped except its line feeds: a message of several lines."""
    return text.translate(_KEEPING_LINES)


def display_name(path: object) -> str:
    """A path as text every output can carry: bytes of a file name that are not UTF-8 (which
    Python keeps as lone surrogates) are shown as ``\\xNN`` escapes instead."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_BYTE_ESCAPE = rb"\\x([89a-f][0-9a-f])"  # compiled by re on first use


def name_bytes(shown: str) -> bytes:
    """The bytes of the file name that :func:`display_name` showed as ``shown``, for formats
    that encode bytes (SARIF's URIs). Only bytes of 0x80 and above are escaped there, so a
    name whose own text holds a backslash, ``x`` and two such hex digits is the one ambiguity."""
    return re.sub(_BYTE_ESCAPE, lambda match: bytes([int(match.group(1), 16)]), shown.encode("utf-8"))


def shown_path(path: object) -> str:
    """A path as a message names it: bytes that are not UTF-8 and unsafe characters escaped."""
    return one_line(display_name(path))
