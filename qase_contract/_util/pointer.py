"""JSON Pointer (RFC 6901) rendering, shared by findings and schema checks."""

from __future__ import annotations

from collections.abc import Iterable


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """A pointer's segment as the key it names (``~1`` is ``/``, ``~0`` is ``~``)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer(parts: Iterable[object]) -> str:
    """``["payload", "steps", 0]`` -> ``/payload/steps/0``; no parts -> ``""`` (the root)."""
    return "".join(f"/{escape(str(part))}" for part in parts)


def child(parent: str, key: object) -> str:
    return f"{parent}/{escape(str(key))}"
