"""JSON Lines: one delivery per line, streamed, with capture records unwrapped.

A line is never held beyond its record, so a file of any size is read in flat memory.
A line longer than the record limit is skipped in chunks and reported, never loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from qase_contract.capture import CAPTURE_PREFIX, CaptureFormatError, parse_line
from qase_contract.sources.model import Delivery, Location, ReadFailure

#: The largest record read: real Qase deliveries are a few kilobytes, and the receiver
#: refuses bodies over 1 MiB by default; this leaves room for odd captures, not for accidents.
MAX_RECORD_BYTES = 16 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024


def numbered_lines(stream: BinaryIO, limit: int = MAX_RECORD_BYTES) -> Iterator[tuple[int, bytes | int]]:
    """``(line number, line)`` for each line; an over-long line is given as its size instead."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while not line.endswith(b"\n"):
                line = stream.readline(_SKIP_CHUNK)
                if not line:
                    break
                size += len(line)
            yield number, size
        else:
            yield number, line


def json_lines(lines: Iterable[tuple[int, bytes | int]], source: str, limit: int) -> Iterator[Delivery]:
    """Deliveries of numbered lines; blank lines are skipped, capture records unwrapped."""
    for number, line in lines:
        location = Location(source, line=number)
        if isinstance(line, int):
            yield Delivery(ReadFailure(_too_long(line, limit)), location, size=line)
        elif line.strip():
            yield delivery_of_line(line, location)


def delivery_of_line(line: bytes, location: Location) -> Delivery:
    if line.startswith(CAPTURE_PREFIX):
        try:
            record = parse_line(line)
        except CaptureFormatError as error:
            return Delivery(ReadFailure(str(error)), location, size=len(line))
        return Delivery(record.body, location, headers=record.headers, size=len(line))
    return Delivery(line.rstrip(b"\r\n"), location, size=len(line))


def _too_long(size: int, limit: int) -> str:
    return (
        f"record of {size:,} bytes is over the {limit:,}-byte limit (a Qase delivery is a few "
        "kilobytes); skipped without reading it; raise the limit with --max-record-size"
    )
