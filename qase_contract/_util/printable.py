"""Text that came from a request, made safe to print on one line of a log."""

from __future__ import annotations

#: Escapes control characters (CR and LF among them) and backslashes, so nothing a client
#: sends can forge a line of the log or hide an escape among real ones.
_CONTROL_CHARACTERS = str.maketrans(
    {**{c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}, ord("\\"): "\\\\"}
)


def printable(text: str) -> str:
    """``text`` with every control character escaped, safe to print on one line."""
    return text.translate(_CONTROL_CHARACTERS)


#: Only control characters: for reports, where a backslash needs no escape of its own.
_CONTROL_ONLY = str.maketrans({c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]})


def one_line(text: str) -> str:
    """``text`` with control characters escaped, so a delivery's own text (an event name, a
    key, a file name) can neither break a report's line nor send escapes to a terminal."""
    return text.translate(_CONTROL_ONLY)
