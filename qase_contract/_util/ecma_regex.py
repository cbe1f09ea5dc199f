"""ECMA-262 anchoring for JSON Schema ``pattern``: ``$`` means the very end of the string.

Python's ``$`` also matches before a final newline, so ``"2022-04-21 09:47:38\\n"`` would
pass ``^...$`` in python-jsonschema but fail in jsonschema-rs (and in any ECMA engine, as
JSON Schema requires). The explaining engine uses this translation so both engines agree.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(_strict_end(pattern))


def _strict_end(pattern: str) -> str:
    """Every ``$`` outside a character class and not escaped becomes ``\\Z``."""
    out: list[str] = []
    in_class = False
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            out.append(char + next(chars, ""))
        elif in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            # A "]" right after "[" or "[^" is a literal member, not the end of the class.
            out.extend(_leading_class_members(chars))
        elif char == "$":
            out.append(r"\Z")
        else:
            out.append(char)
    return "".join(out)


def _leading_class_members(chars: Iterator[str]) -> list[str]:
    """An optional ``^`` and an optional literal ``]`` opening a class, or its first member."""
    taken: list[str] = []
    for char in chars:
        taken.append(char)
        if char == "\\":
            taken.append(next(chars, ""))
        if char != "^":
            break
    return taken


def pattern_keyword(validator: Any, pattern: str, instance: object, schema: Any) -> Iterator[Any]:
    """python-jsonschema's ``pattern`` keyword with ECMA end-of-string semantics."""
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not compile_pattern(pattern).search(str(instance)):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")
