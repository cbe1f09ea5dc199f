"""JSON Pointer (RFC 6901): rendering, shared by findings and schema checks, and parsing."""

from __future__ import annotations

import re
from collections.abc import Iterable


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """A pointer's segment as the key it names (``~1`` is ``/``, ``~0`` is ``~``)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer(parts: Iterable[object]) -> str:
    """``["payload", "steps", 0]`` -> ``/payload/steps/0``; no parts -> ``""`` (the root)."""
    if type(parts) is not list:
        parts = list(parts)
    try:
        joined = "/".join(parts)  # type: ignore[arg-type]  # most paths are keys only: no copy
    except TypeError:  # an array index
        parts = [part if type(part) is str else str(part) for part in parts]
        joined = "/".join(parts)  # type: ignore[arg-type]
    if not parts:
        return ""
    # Most paths need no escaping: one join, instead of two replaces per token.
    if "~" in joined or joined.count("/") != len(parts) - 1:
        return "".join(f"/{escape(str(token))}" for token in parts)
    return "/" + joined


def child(parent: str, key: object) -> str:
    token = key if type(key) is str else str(key)
    if "~" in token or "/" in token:
        token = escape(token)
    return f"{parent}/{token}"


#: A "~" that escapes nothing RFC 6901 knows.
_BAD_TILDE = r"~(?![01])"  # compiled by re on first use, not at every start-up


def parse(text: str) -> list[str]:
    """``/payload/steps/0`` -> ``["payload", "steps", "0"]``; ``""`` (the root) -> ``[]``.

    Raises :class:`ValueError` saying why for text that is no JSON Pointer (RFC 6901): one that
    does not start with ``/``, or a ``~`` not followed by ``0`` or ``1``.
    """
    if not text:
        return []
    if not text.startswith("/"):
        raise ValueError(f"{text!r} is not a JSON Pointer: it must start with '/' (or be empty, the root)")
    tokens = text[1:].split("/")
    for token in tokens:
        if "~" in token and re.search(_BAD_TILDE, token):
            raise ValueError(
                f"{text!r} is not a JSON Pointer: '~' must be followed by 0 or 1 (~0 is ~, ~1 is /)"
            )
    return [unescape(token) for token in tokens]
