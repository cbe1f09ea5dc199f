"""ECMA-262 regular expressions, as JSON Schema's ``pattern``, ``patternProperties`` and
``propertyNames`` mean them, compiled by a real ECMA engine (regress, the Rust library behind
Boa, with the ``u`` flag JSON Schema 2020-12 asks for).

Python's ``re`` differs where it matters: its ``$`` also matches before a final newline, its
``\\d`` matches any Unicode digit (ECMA: ASCII only), and it refuses valid ECMA such as
``\\p{Lu}``. Every place that checks a pattern uses :func:`search` or :func:`compile_pattern`;
only generation (Hypothesis draws from a Python regex) uses :func:`python_equivalent`, and
then filters what it draws through :func:`search`.
"""

from __future__ import annotations

import functools
import re

import regress

from qase_contract.errors import PatternError


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> regress.Regex:
    """The compiled pattern; raises :class:`PatternError` for one ECMA-262 does not accept."""
    try:
        return regress.Regex(pattern, "u")
    except regress.RegressError as error:
        raise PatternError(f"{pattern!r} is not an ECMA-262 regular expression: {error}") from None


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches anywhere in ``text`` (JSON Schema patterns are not anchored)."""
    return compile_pattern(pattern).find(text) is not None


def is_pattern(pattern: object) -> bool:
    """Whether ``pattern`` is a string ECMA-262 accepts as a regular expression."""
    if not isinstance(pattern, str):
        return False
    try:
        compile_pattern(pattern)
    except PatternError:
        return False
    return True


@functools.lru_cache(maxsize=512)
def python_equivalent(pattern: str) -> re.Pattern[str]:
    """A Python regex close to ``pattern`` for generating candidates (``$`` at the very end,
    ``\\d`` ASCII); what it draws is still checked with :func:`search`. Raises ``re.error``
    for ECMA that Python cannot express."""
    return re.compile(_strict_end(pattern), re.ASCII)


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
            for member in chars:
                out.append(member)
                if member == "\\":
                    out.append(next(chars, ""))
                if member != "^":
                    break
        elif char == "$":
            out.append(r"\Z")
        else:
            out.append(char)
    return "".join(out)
