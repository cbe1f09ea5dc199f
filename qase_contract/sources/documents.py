"""Whole JSON documents: one delivery, an array of deliveries, or a HAR 1.2 archive."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

import orjson

from qase_contract.capture import redact
from qase_contract.sources.model import Delivery, Location, ReadFailure


def document_deliveries(data: bytes, source: str) -> Iterator[Delivery]:
    """Deliveries of one whole document. A document that is not JSON is one unparsable delivery."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        # The validator reports why (BOM, NaN, depth, line and column) at the file's location.
        yield Delivery(data, Location(source), size=len(data))
        return
    if is_har(document):
        yield from har_deliveries(document, source, size=len(data))
    elif isinstance(document, list):
        if not document:
            yield Delivery(ReadFailure("empty: a JSON array with no delivery in it"), Location(source))
        share = len(data) // max(len(document), 1)
        for index, item in enumerate(document):
            yield Delivery(_as_body(item), Location(source, index=index), size=share)
    else:
        yield Delivery(_as_body(document), Location(source), size=len(data))


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
        if str(request.get("method", "")).upper() != "POST":
            continue
        posts += 1
        yield _har_post(request, location, share)
    if posts == 0:
        yield Delivery(
            ReadFailure(
                f"HAR archive has no POST request among its {len(entries)} entries: nothing to check"
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
            return Delivery(base64.b64decode(text, validate=True), location, headers, size)
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
    return redact(pairs)
