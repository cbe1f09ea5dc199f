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
