"""Colour for terminals: ANSI styles by meaning, so every command paints alike."""

from __future__ import annotations

#: Meaning -> SGR code: red fails, yellow drifts, green passes.
STYLES = {"violation": "31", "unreadable": "31", "drift": "33", "conforming": "32", "dim": "2", "bold": "1"}


def paint(text: str, style: str, enabled: bool) -> str:
    """``text`` in the style's colour when colour is ``enabled``; as it is otherwise."""
    if not enabled or not text:
        return text
    return f"\033[{STYLES[style]}m{text}\033[0m"
