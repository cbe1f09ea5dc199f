"""JSON Lines: one delivery per line, streamed, with capture records unwrapped.

A line is never held beyond its record, so a file of any size is read in flat memory.
A line longer than the record limit is skipped in chunks and reported, never loaded.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from io import BytesIO
from operator import itemgetter
from typing import Protocol

from qase_contract.errors import CaptureFormatError
from qase_contract.sources._capture_lines import CAPTURE_PREFIX, capture_data, is_capture_record
from qase_contract.sources._model import Delivery, LineBatch, Location, ReadFailure

#: The largest record read: real Qase deliveries are a few kilobytes, and the receiver
#: refuses bodies over 1 MiB by default; this leaves room for odd captures, not for accidents.
MAX_RECORD_BYTES = 16 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024


#: Bytes read at once by the batched reader: many lines per call, memory still flat.
BLOCK_BYTES = 1024 * 1024


class LineReader(Protocol):
    """What the readers need of a stream: a file, standard input, or a range of a file."""

    def readline(self, size: int = -1, /) -> bytes: ...

    def read(self, size: int = -1, /) -> bytes: ...


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
    batched: bool = False,
) -> Iterator[Delivery | LineBatch]:
    """Deliveries of a JSON Lines stream; blank lines are skipped, capture records unwrapped.

    ``read`` are the numbered lines already taken from the stream to recognise its format.
    ``first_line`` numbers a range of a larger file. A stream with no record is reported,
    unless ``empty_ok`` (a range, which may hold only blank lines). ``captures`` says whether
    it is a capture file; left ``None``, its first record within the limit decides.
    ``batched`` gives the plain records of a file that is not a capture file in
    :class:`LineBatch` blocks (:func:`line_batches`), the rest as deliveries in their places.
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
        if batched and captures is False:
            records = (yield from line_batches(stream, source, limit, number)) or records
            if not records and not empty_ok:
                yield empty_source(source)
            return
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


def line_batches(
    stream: LineReader, source: str, limit: int, number: int
) -> Generator[Delivery | LineBatch, None, bool]:
    """The rest of a JSON Lines stream that is not a capture file, after line ``number``: read a
    block at a time and handed on in :class:`LineBatch` runs; a line that is not a plain object
    record (a capture record, anything else, one over the record limit) comes as its delivery
    in its place. Returns whether any record was seen. A line over ``limit`` is never held
    whole: once what is pending passes the limit, the rest of it is skipped block by block.
    """
    records = False
    pending = b""
    skipping = 0  # bytes of an over-long line read so far, while its end is looked for
    read = stream.read
    while True:
        block = read(BLOCK_BYTES)
        if skipping:
            end = block.find(b"\n")
            if end < 0 and block:
                skipping += len(block)
                continue
            size = skipping + (end + 1 if end >= 0 else 0)
            number += 1
            records = True
            reason = over_the_limit(size, limit)
            yield Delivery(ReadFailure(reason), Location(source, number), size=size)
            skipping = 0
            if end < 0:
                return records
            block = block[end + 1 :]
            if not block:
                continue  # the line ended the block: more may follow
        if not block:
            if pending:
                number += 1
                records = _record_like(pending) or records
                yield from _run(
                    source, number, [pending.rstrip(b"\r")], limit, last_without_newline=True, whole=[pending]
                )
            return records
        data = pending + block if pending else block
        # readlines finds each end with memchr, where split(b"\n") tests every byte: it costs a
        # third as much, its line ends dropped included.
        lines = BytesIO(data).readlines()
        pending = lines.pop() if not lines[-1].endswith(b"\n") else b""
        end = len(data) - len(pending) - 1  # where the whole lines end, before pending is dropped
        if len(pending) > limit:
            skipping, pending = len(pending), b""
        if lines:
            records = records or any(map(_record_like, lines))
            if _all_plain_records(data, end, lines, limit):
                # The lines as they are, their ends too (see LineBatch), and the bytes they took.
                yield LineBatch(source, number + 1, lines, end + 1)
            else:
                # The lines as written: their sizes, and the record limit, count a "\r".
                whole = pieces = list(map(_WITHOUT_NEWLINE, lines))
                if b"\r" in data:  # CRLF line ends: the record is what comes before them, as line by line
                    pieces = [piece.rstrip(b"\r") for piece in pieces]
                yield from _run(source, number + 1, pieces, limit, whole=whole)
            number += len(lines)


_WITHOUT_NEWLINE = itemgetter(slice(None, -1))


def _all_plain_records(data: bytes, end: int, lines: list[bytes], limit: int) -> bool:
    """Whether every one of ``lines`` (those of ``data[:end]``, each ending with its "\n") is a
    plain object record (see :func:`_run`), decided for the whole block in C rather than line
    by line, which would cost a tenth of checking the records.

    Every line starts with ``{`` when the least and the greatest do (in byte order, any other
    line lies between them, so its first byte is ``{`` too; an empty line is least of all),
    which takes a comparison per line where counting ``\n{`` in the block takes ten times
    as long."""
    if end >= limit and max(map(len, lines)) > limit + 1:  # a block shorter than the limit has no such line
        return False
    least, greatest = min(lines), max(lines)
    if not least[:1] == b"{" == greatest[:1]:
        return False
    # Lines that start like a capture record lie between the prefix and the prefix with its last
    # byte raised; none do when every line is below that range or above it (deliveries that
    # start with "event_name"), and then the block need not be searched for one.
    return greatest < CAPTURE_PREFIX or least >= _ABOVE_CAPTURES or CAPTURE_PREFIX not in data


_ABOVE_CAPTURES = CAPTURE_PREFIX[:-1] + bytes([CAPTURE_PREFIX[-1] + 1])


def _record_like(line: bytes) -> bool:
    return bool(line.strip())


def _run(
    source: str,
    first: int,
    pieces: list[bytes],
    limit: int,
    *,
    last_without_newline: bool = False,
    whole: list[bytes] | None = None,
) -> Iterator[Delivery | LineBatch]:
    """The lines of one block: batches of plain records, and a delivery for any other line.
    ``whole`` holds the lines as written, when ``pieces`` lost their "\r" (CRLF line ends):
    sizes, and the record limit, count it, as reading line by line does."""
    batch: list[bytes] = []
    start = first
    size = 0
    for offset, piece in enumerate(pieces):
        written = piece if whole is None else whole[offset]
        if piece[:1] == b"{" and len(written) <= limit and not piece.startswith(CAPTURE_PREFIX):
            batch.append(piece)
            size += len(written) + 1
        elif not piece.strip():
            batch.append(b"")
            size += len(written) + 1
        else:
            if batch:
                yield LineBatch(source, start, batch, size)
            batch, size, start = [], 0, first + offset + 1
            line = written if last_without_newline else written + b"\n"
            location = Location(source, first + offset)
            if len(written) > limit:
                yield Delivery(ReadFailure(over_the_limit(len(line), limit)), location, size=len(line))
            else:
                yield delivery_of_line(line, location)
    if batch:
        yield LineBatch(source, start, batch, size - last_without_newline)


class RangeStream:
    """The next ``length`` bytes of a binary stream, read by lines or blocks."""

    def __init__(self, stream: LineReader, length: int) -> None:
        self._stream = stream
        self._left = length

    def readline(self, size: int = -1, /) -> bytes:
        if self._left <= 0:
            return b""
        line = self._stream.readline(self._left if size < 0 else min(size, self._left))
        self._left -= len(line)
        return line

    def read(self, size: int = -1, /) -> bytes:
        if self._left <= 0:
            return b""
        data = self._stream.read(self._left if size < 0 else min(size, self._left))
        self._left -= len(data)
        return data


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
    written = line.lstrip().startswith(CAPTURE_PREFIX)
    data = capture_data(line) if captures and not written else None
    if not written and data is None:
        return Delivery(line.rstrip(b"\r\n"), location, size=len(line))
    from qase_contract.sources._capture import parse_line, record_from_data  # capture records only

    try:
        record = parse_line(line) if written else record_from_data(data)  # data: parsed once, above
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
