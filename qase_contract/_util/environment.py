"""Settings read from environment variables, one way for every entry point."""

from __future__ import annotations

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def flag(text: str) -> bool:
    """A yes-or-no environment variable: 1, true, yes or on; 0, false, no, off or empty (any case).
    Anything else raises ``ValueError``: a typo must not turn a gate off."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("expected 1, true, yes or on, or 0, false, no, off or nothing")
