"""Names that look like a given one: every "did you mean" of the project says it this way."""

from __future__ import annotations

from collections.abc import Iterable


def close_names(name: str, known: Iterable[str]) -> tuple[str, ...]:
    """Names of ``known`` that look like ``name``, best first."""
    import difflib  # only on the paths that report a likely typo

    return tuple(difflib.get_close_matches(name, list(known), n=3, cutoff=0.6))


def did_you_mean(name: str, known: Iterable[str]) -> tuple[tuple[str, ...], str]:
    """The close names, and the hint to append to a message: ``"; did you mean a, b?"`` or ``""``."""
    suggestions = close_names(name, known)
    return suggestions, f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
