"""Readers that stream deliveries out of captured dumps, each with its location.

A JSON file holds one delivery or an array of them; a JSONL/NDJSON file one per line
(blank lines skipped). Folders are walked recursively. A record that cannot be read
becomes a delivery whose body is the raw bytes, so the validator reports it as
``unparsable`` at its location and the other records are still checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
DUMP_SUFFIXES = frozenset({".json", *JSONL_SUFFIXES})


class SourceError(OSError):
    """A path that does not exist: a usage error, not a bad record."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where a delivery came from: a file, and a line or an index inside it."""

    source: str
    line: int | None = None
    index: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.source}:{self.line}"
        if self.index is not None:
            return f"{self.source}[{self.index}]"
        return self.source


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """The body of a record that could not be read at all (an unreadable file)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery: its body (raw bytes, or data already parsed) and where it came from.

    ``headers`` are the HTTP request headers when the source kept them (HAR entries and
    capture records), with credentials already redacted by whoever recorded them.
    """

    body: object
    location: Location
    headers: Mapping[str, str] | None = None


def read_paths(paths: Iterable[str | Path]) -> Iterator[Delivery]:
    """Every delivery of every path, in order; folders recursively, in sorted order."""
    for path in paths:
        yield from read_path(Path(path))


def read_path(path: Path) -> Iterator[Delivery]:
    if path.is_dir():
        for file in _dump_files(path):
            yield from read_file(file)
    elif path.exists():
        yield from read_file(path)
    else:
        raise SourceError(f"{path}: no such file or folder")


def _dump_files(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if Path(name).suffix.lower() in DUMP_SUFFIXES:
                yield Path(root, name)


def read_file(path: Path) -> Iterator[Delivery]:
    try:
        data = path.read_bytes()
    except OSError as error:
        yield Delivery(ReadFailure(f"cannot read: {error.strerror or error}"), Location(str(path)))
        return
    yield from read_bytes(data, str(path), jsonl=path.suffix.lower() in JSONL_SUFFIXES)


def read_bytes(data: bytes, source: str, *, jsonl: bool = False) -> Iterator[Delivery]:
    """Deliveries of one dump given as bytes (a file's content, or standard input)."""
    if not jsonl:
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError:
            # Not one JSON document. JSON Lines if its first record parses on its own line;
            # otherwise one broken document, reported whole (the parser names line and column).
            if not _first_line_parses(data):
                yield Delivery(data, Location(source))
                return
        else:
            if isinstance(document, list):
                for index, item in enumerate(document):
                    yield Delivery(item, Location(source, index=index))
            else:
                yield Delivery(document, Location(source))
            return
    yield from _json_lines(data, source)


def _json_lines(data: bytes, source: str) -> Iterator[Delivery]:
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield Delivery(line, Location(source, line=number))


def _first_line_parses(data: bytes) -> bool:
    for line in data.splitlines():
        if line.strip():
            try:
                orjson.loads(line)
            except orjson.JSONDecodeError:
                return False
            return True
    return False
