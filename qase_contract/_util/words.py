"""Counts in messages, with the noun in the number the count asks for."""

from __future__ import annotations

#: Nouns whose plural is not the singular plus ``s``.
_PLURALS = {"delivery": "deliveries", "entry": "entries", "body": "bodies"}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 delivery``, ``2 deliveries``, ``0 violations``; ``plural`` when it is not ``noun + s``."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural or _PLURALS.get(noun) or noun + 's'}"
