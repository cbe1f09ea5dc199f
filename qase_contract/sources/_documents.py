"""Whole JSON documents: one delivery, an array of deliveries, or a HAR 1.2 archive."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

import orjson

from qase_contract._util.credentials import redact_headers
from qase_contract._util.words import counted
from qase_contract.sources._lines import over_the_limit
from qase_contract.sources._model import Delivery, Location, ReadFailure


def document_deliveries(
    data: bytes,
    source: str,
    max_record: int | None = None,
    *,
    raw_bodies: bool = False,
    text_body: bool = False,
) -> Iterator[Delivery]:
    """Deliveries of one whole document. A document that is not JSON is one unparsable
    delivery, unless it is an array: then each item is judged on its own, so one broken item
    (or an array cut short) does not hide the others. A document holding one delivery (or
    each of several written one after another) is a record: ``max_record`` bounds it.
    ``raw_bodies`` gives the document, or each item of an array, as the bytes written;
    ``text_body`` the document alone, for a checker: the validator parses JSON text on its
    fast path, where parsed data would be walked again to make sure it is JSON data."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        opening = data.lstrip(b" \t\r\n")[:1]
        values = concatenated_values(data) if opening == b"{" else []
        if opening == b"[":
            yield from _items_one_by_one(data, source)
        elif len(values) > 1:
            yield from _values_one_by_one(data, values, source, max_record)
        else:
            # The validator reports why (BOM, NaN, depth, line and column) at the file's location.
            yield Delivery(data, Location(source), size=len(data))
        return
    if is_har(document):
        yield from har_deliveries(document, source, size=len(data))
    elif isinstance(document, list):
        if not document:
            yield Delivery(ReadFailure("empty: a JSON array with no delivery in it"), Location(source))
        share = len(data) // max(len(document), 1)
        if raw_bodies:
            yield from _items_one_by_one(data, source)
            return
        lines = _item_lines(data, len(document))
        for index, item in enumerate(document):
            yield Delivery(_as_body(item), Location(source, lines[index], index), size=share)
    elif max_record is not None and len(data) > max_record:
        reason = over_the_limit(len(data), max_record, read=True)
        yield Delivery(ReadFailure(reason), Location(source), size=len(data))
    else:
        body = data.strip(_BLANKS) if raw_bodies or text_body else _as_body(document)
        yield Delivery(body, Location(source), size=len(data))


#: What may surround a JSON text (RFC 8259 whitespace).
_BLANKS = b" \t\r\n"

#: A JSON string (escapes included), a lone quote that opens a string never closed, or a
#: character that shapes the document. Nothing else matters to find where items start and end.
_TOKENS = rb'"[^"\\]*(?:\\.[^"\\]*)*"|"|[\[\]{},]'  # compiled by re on first use


def _structural_tokens(data: bytes) -> Iterator[re.Match[bytes]]:
    """The brackets, braces and commas of ``data`` outside strings, in order; a string never
    closed ends them (what follows is one unfinished value)."""
    for token in re.finditer(_TOKENS, data, re.DOTALL):
        if data[token.start()] != 0x22:  # '"'
            yield token
        elif token.end() - token.start() == 1:
            return


#: What a span of :func:`array_items` holds.
ITEM, AFTER_END, UNCLOSED = "item", "after the end", "unclosed"


def array_items(data: bytes) -> Iterator[tuple[int, int, str]]:
    """``(start, end, kind)`` byte spans of the items of the top-level JSON array in ``data``,
    found without parsing them. What follows the array's end comes as an ``AFTER_END`` span;
    an array never closed ends with its unfinished item, then an empty ``UNCLOSED`` span."""
    depth = 0
    start = 0
    after_comma = False
    for token in _structural_tokens(data):
        mark = data[token.start()]
        if depth == 0:
            if mark != 0x5B:  # "[": not an array
                yield token.start(), len(data), AFTER_END
                return
            depth, start = 1, token.end()
        elif mark in (0x5B, 0x7B):  # "[" "{"
            depth += 1
        elif mark in (0x5D, 0x7D):  # "]" "}"
            depth -= 1
            if depth == 0:
                if after_comma or data[start : token.start()].strip():
                    yield start, token.start(), ITEM
                if data[token.end() :].strip():
                    yield token.end(), len(data), AFTER_END
                return
        elif depth == 1:  # "," between two items
            yield start, token.start(), ITEM
            start, after_comma = token.end(), True
    if data[start:].strip():
        yield start, len(data), ITEM
    yield len(data), len(data), UNCLOSED


_SPAN_PROBLEMS = {
    AFTER_END: "content after the end of the JSON array",
    UNCLOSED: "the JSON array is cut short: it never closes with ]",
}


def _items_one_by_one(data: bytes, source: str) -> Iterator[Delivery]:
    """The items of an array that is not valid JSON as a whole, each its own delivery."""
    spans = list(array_items(data))
    lines = _lines_at(data, [_first_character(data, start, end) for start, end, _ in spans])
    for index, ((start, end, kind), line) in enumerate(zip(spans, lines, strict=True)):
        item = data[start:end].strip()
        if kind != ITEM:
            yield Delivery(ReadFailure(_SPAN_PROBLEMS[kind]), Location(source, line), size=end - start)
        elif not item:
            reason = "an empty item: a comma too many"
            yield Delivery(ReadFailure(reason), Location(source, line, index), size=end - start)
        else:
            yield Delivery(item, Location(source, line, index), size=end - start)


#: Arrays up to this size also get the line each item starts on (for annotations in CI):
#: finding the items costs about three times parsing them, too much for large dumps.
LINE_SCAN_BYTES = 4 * 1024 * 1024


def _item_lines(data: bytes, count: int) -> list[int | None]:
    """The line each item of a valid array starts on, when the array is written over several
    lines and small enough to scan; else no lines."""
    if len(data) > LINE_SCAN_BYTES or b"\n" not in data.strip():
        return [None] * count
    starts = [_first_character(data, start, end) for start, end, kind in array_items(data) if kind == ITEM]
    lines = _lines_at(data, starts)
    return lines if len(lines) == count else [None] * count


def _first_character(data: bytes, start: int, end: int) -> int:
    span = data[start:end]
    return start + len(span) - len(span.lstrip())


def _lines_at(data: bytes, offsets: list[int]) -> list[int | None]:
    """The line number of each offset (ascending), counting newlines once."""
    lines: list[int | None] = []
    line, counted = 1, 0
    for offset in offsets:
        line += data.count(b"\n", counted, offset)
        counted = offset
        lines.append(line)
    return lines


def concatenated_values(data: bytes) -> list[tuple[int, int]]:
    """Byte spans of the top-level values written one after another in ``data`` (deliveries
    pretty-printed and appended to one file), and of anything found between them."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0  # of the value being read, or of the gap before the next one
    for token in _structural_tokens(data):
        mark = data[token.start()]
        if mark in (0x5B, 0x7B):  # "[" "{"
            if depth == 0:
                if data[start : token.start()].strip():
                    spans.append((start, token.start()))  # something between two values
                start = token.start()
            depth += 1
        elif mark in (0x5D, 0x7D) and depth > 0:  # "]" "}"
            depth -= 1
            if depth == 0:
                spans.append((start, token.end()))
                start = token.end()
    if data[start:].strip():
        spans.append((start, len(data)))
    return spans


def _values_one_by_one(
    data: bytes, spans: list[tuple[int, int]], source: str, max_record: int | None
) -> Iterator[Delivery]:
    """Each of several values in one file, located by the line it starts on."""
    lines = _lines_at(data, [_first_character(data, start, end) for start, end in spans])
    for (start, end), line in zip(spans, lines, strict=True):
        value = data[start:end].strip()
        if max_record is not None and len(value) > max_record:
            reason = over_the_limit(len(value), max_record, read=True)
            yield Delivery(ReadFailure(reason), Location(source, line), size=end - start)
        else:
            yield Delivery(value, Location(source, line), size=end - start)


def _as_body(value: object) -> object:
    """Parsed data as a delivery body. A string or number goes back to JSON text: the
    validator reads a ``str`` body as JSON text, and ``"{...}"`` (a delivery encoded twice)
    must be judged as the string it is, not as the object inside it."""
    return value if isinstance(value, (dict, list)) else orjson.dumps(value)


def is_har(document: object) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("log"), dict)
        and isinstance(document["log"].get("entries"), list)
    )


def har_deliveries(document: object, source: str, size: int = 0) -> Iterator[Delivery]:
    """The bodies of a HAR archive's POST requests, with their headers (credentials redacted).

    Other methods are what a browser or proxy also recorded, and are passed over; a HAR
    with no POST at all is reported, since nothing in it could be checked.
    """
    if not is_har(document):
        yield Delivery(ReadFailure('not a HAR 1.2 archive: no "log.entries" array'), Location(source))
        return
    assert isinstance(document, dict)
    entries: list[object] = document["log"]["entries"]
    posts = 0
    share = size // max(len(entries), 1)
    for index, entry in enumerate(entries):
        location = Location(source, index=index, container="entries")
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict):
            yield Delivery(ReadFailure('HAR entry has no "request" object'), location, size=share)
            continue
        method = request.get("method")
        if not isinstance(method, str):
            yield Delivery(ReadFailure('HAR entry has no "request.method" text'), location, size=share)
            continue
        if method.upper() != "POST":
            continue
        posts += 1
        yield _har_post(request, location, share)
    if posts == 0:
        yield Delivery(
            ReadFailure(
                f"HAR archive has no POST request among its {counted(len(entries), 'entry')}: "
                "nothing to check"
            ),
            Location(source),
        )


def _har_post(request: dict[str, object], location: Location, size: int) -> Delivery:
    headers = _har_headers(request.get("headers"))
    post_data = request.get("postData")
    if not isinstance(post_data, dict) or not isinstance(post_data.get("text"), str):
        return Delivery(ReadFailure('HAR POST entry has no "postData.text" body'), location, headers, size)
    text: str = post_data["text"]
    # HAR 1.2 has no body encoding for requests; some tools add one for binary bodies.
    if str(post_data.get("encoding") or post_data.get("_encoding") or "").lower() == "base64":
        try:
            # MIME-style base64 breaks lines every 76 characters: whitespace is no part of it.
            compact = "".join(text.split())
            return Delivery(base64.b64decode(compact, validate=True), location, headers, size)
        except binascii.Error as error:
            return Delivery(
                ReadFailure(f"HAR POST body is not valid base64: {error}"), location, headers, size
            )
    return Delivery(text.encode("utf-8", "surrogatepass"), location, headers, size)


def _har_headers(raw: object) -> dict[str, str] | None:
    if not isinstance(raw, list):
        return None
    pairs = {
        str(item["name"]): str(item.get("value", ""))
        for item in raw
        if isinstance(item, dict) and "name" in item
    }
    return redact_headers(pairs)
