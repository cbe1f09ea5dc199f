"""Turn a delivery body (bytes, text, or already-parsed data) into JSON data, or say why not."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from qase_contract.findings import Finding, make_finding

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Parsed:
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
    return Parsed(delivery)


def _loads(data: bytes | str) -> Parsed | Finding:
    if not data.strip():
        return _unparsable("the body is empty")
    try:
        return Parsed(orjson.loads(data))
    except orjson.JSONDecodeError as error:
        return _unparsable(f"the body is not valid JSON: {error}")


def _unparsable(reason: str) -> Finding:
    return make_finding("unparsable", "", reason, expected="a JSON object", actual="unparsable body")
