"""JSON Lines: one delivery per line, streamed, with capture records unwrapped.

A line is never held beyond its record, so a file of any size is read in flat memory.
A line longer than the record limit is skipped in chunks and reported, never loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from qase_contract.errors import CaptureFormatError
from qase_contract.sources._capture import (
    CAPTURE_PREFIX,
    capture_data,
    is_capture_record,
    parse_line,
    record_from_data,
)
from qase_contract.sources._model import Delivery, Location, ReadFailure

#: The largest record read: real Qase deliveries are a few kilobytes, and the receiver
#: refuses bodies over 1 MiB by default; this leaves room for odd captures, not for accidents.
MAX_RECORD_BYTES = 16 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024


class LineReader(Protocol):
    """What the readers need of a stream: a file, standard input, or a range of a file."""

    def readline(self, size: int = -1, /) -> bytes: ...


def numbered_lines(stream: LineReader, limit: int = MAX_RECORD_BYTES) -> Iterator[tuple[int, bytes | int]]:
    """``(line number, line)`` for each line; an over-long line is given as its size instead."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            yield number, skip_line(stream, len(line), line)
        else:
            yield number, line


def json_lines(
    stream: LineReader,
    source: str,
    limit: int,
    read: Iterable[tuple[int, bytes | int]] = (),
    *,
    first_line: int = 1,
    empty_ok: bool = False,
    captures: bool | None = None,
) -> Iterator[Delivery]:
    """Deliveries of a JSON Lines stream; blank lines are skipped, capture records unwrapped.

    ``read`` are the numbered lines already taken from the stream to recognise its format.
    ``first_line`` numbers a range of a larger file. A stream with no record is reported,
    unless ``empty_ok`` (a range, which may hold only blank lines). ``captures`` says whether
    it is a capture file; left ``None``, its first record within the limit decides.
    """
    number = first_line - 1
    # Whether any record was seen: a stream with none is reported, not silently passed.
    records = False
    for number, line in read:
        if isinstance(line, int):
            records = True
            yield Delivery(ReadFailure(over_the_limit(line, limit)), Location(source, number), size=line)
        elif line.strip():
            records = True
            if captures is None:
                captures = is_capture_record(line)
            yield delivery_of_line(line, Location(source, number), captures)
    # The loop of numbered_lines, inlined: this runs once per delivery of a corpus. The tuples
    # are made with tuple.__new__, not their classes' Python-level __new__, which would cost
    # more than reading the line does.
    readline = stream.readline
    new = tuple.__new__
    while True:
        line = readline(limit + 1)
        if not line:
            if not records and not empty_ok:
                yield empty_source(source)
            return
        number += 1
        if captures is None and len(line) <= limit and line.strip():
            captures = is_capture_record(line)
        if (
            line[0] == 0x7B and len(line) <= limit and not captures and not line.startswith(CAPTURE_PREFIX)
        ):  # "{"
            records = True
            yield new(
                Delivery, (line.rstrip(b"\r\n"), new(Location, (source, number, None, "")), None, len(line))
            )
        elif len(line) > limit and not line.endswith(b"\n"):
            records = True
            size = skip_line(stream, len(line), line)
            yield Delivery(ReadFailure(over_the_limit(size, limit)), Location(source, number), size=size)
        elif line.strip():
            records = True
            yield delivery_of_line(line, Location(source, number), bool(captures))


class RangeStream:
    """The next ``length`` bytes of a binary stream, read by lines."""

    def __init__(self, stream: LineReader, length: int) -> None:
        self._stream = stream
        self._left = length

    def readline(self, size: int = -1, /) -> bytes:
        if self._left <= 0:
            return b""
        line = self._stream.readline(self._left if size < 0 else min(size, self._left))
        self._left -= len(line)
        return line


def empty_source(source: str) -> Delivery:
    return Delivery(ReadFailure("empty: no delivery in it"), Location(source))


def skip_line(stream: LineReader, size: int, line: bytes) -> int:
    """Read past the rest of an over-long line in chunks; its whole size."""
    while not line.endswith(b"\n"):
        line = stream.readline(_SKIP_CHUNK)
        if not line:
            break
        size += len(line)
    return size


def delivery_of_line(line: bytes, location: Location, captures: bool = False) -> Delivery:
    """The delivery of one line; in a capture file (``captures``) its records may have any key
    order, elsewhere only a line that starts like a written capture record is one."""
    try:
        if line.lstrip().startswith(CAPTURE_PREFIX):
            record = parse_line(line)
        elif captures and (data := capture_data(line)) is not None:
            record = record_from_data(data)  # parsed once, by the test above
        else:
            return Delivery(line.rstrip(b"\r\n"), location, size=len(line))
    except CaptureFormatError as error:
        return Delivery(ReadFailure(str(error)), location, size=len(line))
    return Delivery(record.body, location, headers=record.headers, size=len(line))


def over_the_limit(size: int, limit: int, *, read: bool = False) -> str:
    """Why a record over ``--max-record-size`` is not checked; ``read`` when it was loaded
    anyway (a whole document), else it was skipped in chunks."""
    skipped = "" if read else "; skipped without reading it"
    return (
        f"record of {size:,} bytes is over the {limit:,}-byte limit (a Qase delivery is a few "
        f"kilobytes){skipped}; raise the limit with --max-record-size"
    )
