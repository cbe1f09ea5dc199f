"""JSON data written as block YAML, with nothing a YAML reader could take for something else.

Every string (keys included, unless plainly a name) is double-quoted with JSON's escapes, which
YAML 1.1 and 1.2 read alike; the characters a YAML reader treats as line breaks or refuses
(NEL, the Unicode line and paragraph separators, DEL, C1 controls, surrogates, non-characters)
are escaped too, so no string can end early or turn into a number, a boolean or a null.
Numbers are written as JSON writes them, a float always with a point (``1e20`` would be a string
to a YAML 1.1 reader). This is all a document export needs; it is no general YAML writer.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

#: A key written plain: a name that no YAML reader resolves to anything but that string.
_PLAIN_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.\-]*")
#: Words YAML 1.1 or 1.2 read as booleans or null, in any case.
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
#: Characters json.dumps(ensure_ascii=False) leaves raw but a YAML double-quoted scalar may not hold.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def dumps(data: Any) -> str:
    """``data`` (JSON values only) as a YAML document ending in a newline."""
    return "\n".join(_lines(data, 0, "")) + "\n"


def _lines(value: Any, depth: int, prefix: str) -> list[str]:
    indent = "  " * depth
    if isinstance(value, dict) and value:
        lines: list[str] = []
        for key, item in value.items():
            head = f"{prefix if not lines else indent}{_key(key)}:"
            lines.extend(_child(head, item, depth + 1))
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            head = f"{prefix if not lines else indent}-"
            if isinstance(item, dict) and item:
                lines.extend(_lines(item, depth + 1, head + " "))
            else:
                lines.extend(_child(head, item, depth + 1))
        return lines
    return [prefix + _scalar(value)]


def _child(head: str, value: Any, depth: int) -> list[str]:
    if isinstance(value, (dict, list)) and value:
        return [head, *_lines(value, depth, "  " * depth)]
    return [f"{head} {_scalar(value)}"]


def _key(key: str) -> str:
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _RESERVED:
        return key
    return _string(key)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a JSON number")
        text = repr(value)
        mantissa, _, exponent = text.partition("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}e{exponent}" if exponent else mantissa
    if isinstance(value, str):
        return _string(value)
    if value == {}:
        return "{}"
    if value == []:
        return "[]"
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _string(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)
