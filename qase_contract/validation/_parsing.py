"""Turn a delivery body (bytes, text, or already-parsed data) into JSON data, or say why not."""

import re
from typing import NamedTuple

import orjson

from qase_contract._util.json_copy import copy_json
from qase_contract._util.pointer import pointer
from qase_contract.findings import Finding, make_finding

_BOM = b"\xef\xbb\xbf"


class Parsed(NamedTuple):  # not a dataclass: see tests/cli/test_start_up.py
    value: object


def parse_body(delivery: object) -> Parsed | Finding:
    """JSON data for a delivery given as ``bytes``/``str``; data passes through unchanged.

    A body that is not JSON gives an ``unparsable`` finding that says why and where
    (line and column from the parser), never an exception.
    """
    if isinstance(delivery, (bytes, bytearray, memoryview)):
        data = bytes(delivery)
        if data.startswith(_BOM):
            return _unparsable("the body starts with a UTF-8 byte order mark (BOM), which JSON forbids")
        return _loads(data)
    if isinstance(delivery, str):
        if delivery.startswith("\ufeff"):
            return _unparsable("the body starts with a byte order mark (BOM), which JSON forbids")
        return _loads(delivery)
    return json_data(delivery)


#: Integers past 64 bits become floats, as orjson reads them from JSON text, so a dict and
#: its JSON text get the same verdict; past the float range they are not usable numbers.
_INT64_LOW, _INT64_HIGH = -(2**63), 2**64
_FLOAT_LIMIT = 2**1023 * 2
_EXACT = (dict, list, str, int, float, bool, type(None))


def json_data(value: object) -> Parsed | Finding:
    """``value`` if it is JSON data (str keys, finite numbers, no Python-only types), else why not.

    Walks iteratively, so a 10,000-deep value costs no recursion. Subclasses of the JSON types
    (an ``IntEnum`` member, a ``str`` enum, ``numpy.float64``, an ``OrderedDict``) are judged
    as the plain value they hold, and integers beyond 64 bits as floats, in a copy: never in
    the caller's object, and never by a test that costs more than the value's size.
    """
    needs_copy = False
    # Where a node is, as a chain (parent's chain, key), rendered only for a finding: a pointer
    # string per node would cost the depth at every level, quadratic in a deep value.
    stack: list[tuple[object, _Trail]] = [(value, None)]
    while stack:
        node, trail = stack.pop()
        kind = type(node)
        if kind not in _EXACT:
            needs_copy = True
        if isinstance(node, dict):
            # dict.items and list.__iter__: the data as stored, whatever a subclass does
            # (a read-set recorder's tracked delivery would count the walk as the consumer's).
            for key, item in dict.items(node):
                if not isinstance(key, str):
                    return _unparsable(f"not JSON data: the key {key!r} at {_shown(trail)} is not a string")
                if type(key) is not str:
                    needs_copy = True
                if not _is_unicode(key):
                    return _lone_surrogate(f"the key {str.__str__(key)!r}", trail)
                stack.append((item, (trail, key)))
        elif isinstance(node, list):
            stack.extend((item, (trail, index)) for index, item in enumerate(list.__iter__(node)))
        elif isinstance(node, str):
            if not _is_unicode(node):
                return _lone_surrogate("the text", trail)
        elif isinstance(node, bool) or node is None:
            continue
        elif isinstance(node, int):
            number = int.__int__(node)  # the value itself, whatever a subclass makes of int()
            if not _INT64_LOW <= number < _INT64_HIGH:
                if abs(number) >= _FLOAT_LIMIT:
                    return _unparsable(
                        f"not JSON data: the integer at {_shown(trail)} is too large for a number"
                    )
                needs_copy = True
        elif isinstance(node, float):
            real = float.__float__(node)
            if real != real or real in (float("inf"), float("-inf")):
                return _unparsable(f"not JSON data: {real} at {_shown(trail)} is not a JSON number")
        else:
            return _unparsable(f"not JSON data: {type(node).__name__} at {_shown(trail)} has no JSON form")
    return Parsed(_plain_copy(value) if needs_copy else value)


def _is_unicode(text: str) -> bool:
    """False for a Python string holding a lone surrogate, which no JSON text can carry."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_Trail = tuple["_Trail", object] | None


def _shown(trail: _Trail) -> str:
    """The JSON Pointer of a trail, ``/`` for the root."""
    keys: list[object] = []
    while trail is not None:
        trail, key = trail
        keys.append(str.__str__(key) if isinstance(key, str) else key)
    return pointer(reversed(keys)) or "/"


def _lone_surrogate(what: str, trail: _Trail) -> Finding:
    return _unparsable(f"not JSON data: {what} at {_shown(trail)} holds a lone surrogate, not Unicode text")


def _plain_copy(value: object) -> object:
    """A copy of checked JSON data made of the exact JSON types: subclasses become the plain
    value they hold (keys too) and integers past 64 bits floats."""
    return copy_json(value, leaf=_plain, key=str.__str__)


def _plain(value: object) -> object:
    """A scalar as its exact JSON type (containers are copied by :func:`_plain_copy`)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        number = int.__int__(value)
        return float(number) if not _INT64_LOW <= number < _INT64_HIGH else number
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    return value


def clipped(value: object, depth: int) -> object:
    """A copy of ``value`` whose containers below ``depth`` are empty (same JSON types)."""
    if isinstance(value, dict):
        return {key: clipped(item, depth - 1) for key, item in value.items()} if depth > 0 else {}
    if isinstance(value, list):
        return [clipped(item, depth - 1) for item in value] if depth > 0 else []
    return value


def _loads(data: bytes | str) -> Parsed | Finding:
    if not data.strip():
        return _unparsable("the body is empty")
    try:
        return Parsed(orjson.loads(data))
    except orjson.JSONDecodeError as error:
        if isinstance(data, bytes):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as bad:
                # orjson's words for this ("str is not valid UTF-8: surrogates not allowed")
                # describe its internals; say what is wrong with the body, and where.
                byte = data[bad.start : bad.start + 1].hex()
                return _unparsable(f"the body is not valid UTF-8: byte 0x{byte} at offset {bad.start}")
        reason = str(error)
        if "\n" not in (data if isinstance(data, str) else data.decode("utf-8", "replace")):
            # A one-line body (a JSON Lines record): "line 1" would contradict the record's
            # own line number in the report, so give the column alone.
            reason = re.sub(_LINE_ONE, r"column \1", reason)
        return _unparsable(f"the body is not valid JSON: {reason}")


_LINE_ONE = r"line 1 column (\d+) \(char \d+\)"  # compiled by re on first use


def _unparsable(reason: str) -> Finding:
    return make_finding("unparsable", "", reason, expected="a JSON object", actual="unparsable body")
