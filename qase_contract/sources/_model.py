"""What readers produce: deliveries with their locations, or the reason a record could not be read."""

from collections.abc import Iterator, Mapping
from typing import NamedTuple


class Location(NamedTuple):
    """Where a delivery came from: a file, and a line or an index inside it.

    Locations and deliveries are named tuples, not frozen dataclasses: just as immutable,
    and three times cheaper to make, which counts when a corpus holds millions of them.

    ``container`` names what ``index`` counts when it is not a JSON array's items
    (``"entries"`` for a HAR file), so every output can say exactly where to look. An array's
    item may have both: its index names it, its line places annotations in CI.
    """

    source: str
    line: int | None = None
    index: int | None = None  # type: ignore[assignment]  # shadows tuple.index, never used here
    container: str = ""

    def __str__(self) -> str:
        source, line, index, container = self  # one unpacking: a report names every location
        # An array's item is named by its index even when its line is known too.
        if index is not None:
            return f"{source}:{container}[{index}]" if container else f"{source}[{index}]"
        if line is not None:
            return f"{source}:{line}"
        return source


class ReadFailure(NamedTuple):  # not a dataclass: see tests/cli/test_start_up.py
    """A record that could not be read at all, and why (an unreadable file, a broken HAR entry)."""

    reason: str


class ListedFile(NamedTuple):
    """A file a run reads, as the walk that listed it saw it: its path as text (a Path for
    each file of a large folder would cost more than reading most), and its size then if it
    was a regular file (None: looked at when it is opened)."""

    path: str
    size: int | None = None


class Delivery(NamedTuple):
    """One delivery: its body (raw bytes, or data already parsed) and where it came from.

    ``body`` is a :class:`ReadFailure` when the record could not be read; it is still a
    delivery, so it is counted and reported at its place and nothing is silently lost.
    ``headers`` are the HTTP request headers when the source kept them (HAR entries and
    capture records), credentials redacted.
    """

    body: object
    location: Location
    headers: Mapping[str, str] | None = None
    #: Bytes of input this record consumed, for progress reporting.
    size: int = 0


class LineBatch(NamedTuple):
    """Consecutive JSON Lines records of one file, read as one block and handed on whole: the
    bulk of a large dump, with no :class:`Delivery` and :class:`Location` made for each line
    (making them cost more than checking a conforming delivery does).

    ``lines[i]`` stands on line ``first_line + i`` of ``source``; a blank line is ``b""`` there,
    so the numbering holds. Every other entry is an object record (it starts with ``{``) within
    the record limit and not a capture record, as written, with its line end or without it
    (:func:`record_of` gives the record): whatever is not goes out as a :class:`Delivery`
    between two batches, in its place. ``size`` is the bytes the lines took, newlines included.
    A line is parsed as it is (JSON allows the blanks of a line end); its end is cut only from
    a line that is reported, which spares a copy of every line of a block.
    """

    source: str
    first_line: int
    lines: list[bytes]
    size: int

    def deliveries(self) -> Iterator[Delivery]:
        """The records one by one, as deliveries, for readers that want them so."""
        new = tuple.__new__
        for offset, line in enumerate(self.lines):
            if line:
                record = record_of(line)
                location = new(Location, (self.source, self.first_line + offset, None, ""))
                yield new(Delivery, (record, location, None, len(record) + 1))


def record_of(line: bytes) -> bytes:
    """The record of a :class:`LineBatch` line: the line without its end, a ``"\r"`` before the
    ``"\n"`` included, as reading line by line gives it (and sizes it: one byte more)."""
    return line.rstrip(b"\r\n")
