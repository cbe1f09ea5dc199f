"""The paths a run names: files, folders walked recursively in sorted order, and ``-`` for
standard input; each file is read by :mod:`qase_contract.sources._streams`."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, cast

from qase_contract._util.files import is_missing, why_not_a_regular_file
from qase_contract._util.printable import display_name, shown_path
from qase_contract.errors import SourceError
from qase_contract.sources._lines import (
    MAX_RECORD_BYTES,
)
from qase_contract.sources._model import Delivery, LineBatch, ListedFile, Location, ReadFailure
from qase_contract.sources._streams import DUMP_SUFFIXES, as_opened, read_file, read_stream, suffix_of

#: The path that names standard input, as in most command-line tools.
STDIN = "-"


def read_paths(
    paths: Iterable[str | Path], *, max_record: int = MAX_RECORD_BYTES, raw_bodies: bool = False
) -> Iterator[Delivery]:
    """Every delivery of every path, in order; folders recursively, in sorted order; ``-`` is
    standard input.

    ``raw_bodies`` gives every body as the bytes the source holds (a JSON document, or an item
    of an array, as written), where by default bodies read from whole documents come parsed;
    JSON Lines, capture records and HAR entries always come as bytes.
    Raises :class:`SourceError` for a path that does not exist (a usage error).
    """
    return cast("Iterator[Delivery]", _read_all(paths, max_record, raw_bodies=raw_bodies, batched=False))


def read_batched(
    paths: Iterable[str | Path], *, max_record: int = MAX_RECORD_BYTES
) -> Iterator[Delivery | LineBatch]:
    """What :func:`read_paths` reads, with the plain records of JSON Lines in
    :class:`LineBatch` blocks: for checkers that take them by the block."""
    return _read_all(paths, max_record, raw_bodies=False, batched=True)


def _read_all(
    paths: Iterable[str | Path], max_record: int, *, raw_bodies: bool, batched: bool
) -> Iterator[Delivery | LineBatch]:
    return read_listed(list_inputs(paths), max_record=max_record, raw_bodies=raw_bodies, batched=batched)


#: What :func:`list_inputs` lists: a file, what stops a folder from being read (as its
#: delivery), or :data:`STDIN`.
Listed = ListedFile | Delivery | str


def list_inputs(paths: Iterable[str | Path]) -> Iterator[Listed]:
    """What the paths name, in the order it is read: files (a folder's walked in sorted order),
    :data:`STDIN` for ``-``. Raises :class:`SourceError` for a path that does not exist, or
    for ``-`` given twice."""
    for path in require_stdin_once(paths):
        if str(path) == STDIN:
            yield STDIN
        else:
            yield from dump_files(Path(path))


def read_listed(
    listed: Iterable[Listed],
    *,
    max_record: int = MAX_RECORD_BYTES,
    raw_bodies: bool = False,
    batched: bool = False,
) -> Iterator[Delivery | LineBatch]:
    """Every delivery of what :func:`list_inputs` listed, in order (``raw_bodies`` and
    ``batched`` as :func:`read_paths` and :func:`read_batched` say)."""
    for item in listed:
        if type(item) is ListedFile:
            yield from read_file(
                item.path, size=item.size, max_record=max_record, raw_bodies=raw_bodies, batched=batched
            )
        elif isinstance(item, Delivery):
            yield item
        else:
            yield from read_standard_input(max_record, raw_bodies=raw_bodies, batched=batched)


def read_path(path: Path, *, max_record: int = MAX_RECORD_BYTES) -> Iterator[Delivery]:
    return read_paths([path], max_record=max_record)


def require_stdin_once(paths: Iterable[str | Path]) -> list[str | Path]:
    """``paths`` as a list; raises :class:`SourceError` when ``-`` is given more than once
    (the second read would find standard input empty and report a false failure)."""
    listed = list(paths)
    if sum(str(path) == STDIN for path in listed) > 1:
        raise SourceError("- (standard input) can be read only once; give it once")
    return listed


def read_standard_input(
    max_record: int = MAX_RECORD_BYTES, *, raw_bodies: bool = False, batched: bool = False
) -> Iterator[Delivery | LineBatch]:
    if sys.stdin is None:  # started with standard input closed
        return iter([Delivery(ReadFailure("standard input is closed"), Location("<stdin>"))])
    stream = _as_opened_if_a_file(sys.stdin.buffer)
    return read_stream(stream, "<stdin>", max_record=max_record, raw_bodies=raw_bodies, batched=batched)


def _as_opened_if_a_file(stream: BinaryIO) -> BinaryIO:
    """Standard input redirected from a file is read as that file is now, as a file named on
    the command line is (``< capture.jsonl`` while a receiver appends to it ends)."""
    try:
        descriptor = stream.fileno()
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return stream
    except (OSError, ValueError):  # io.UnsupportedOperation is both: a stream in memory
        return stream
    return as_opened(io.FileIO(descriptor, "rb", closefd=False))


def dump_files(path: Path) -> Iterator[ListedFile | Delivery]:
    """The files a path names: itself, or the dump files of a folder, walked in sorted order.

    What stops a folder from being read (a symlink loop, an unreadable or empty folder) comes
    as a delivery whose body is the :class:`ReadFailure`. Raises :class:`SourceError` for a
    path that does not exist.
    """
    try:
        status: os.stat_result | None = os.stat(path)
    except OSError:
        status = None  # missing, or cannot be looked up: reading it says why
    if status is not None and stat.S_ISDIR(status.st_mode):
        empty = True
        for item in _walk(path):
            empty = False
            yield item
        if empty:
            suffixes = ", ".join(sorted(DUMP_SUFFIXES))
            yield Delivery(
                ReadFailure(f"no dump files ({suffixes}) in this folder"), Location(display_name(path))
            )
    elif status is None and is_missing(path):
        raise SourceError(f"{shown_path(path)}: no such file or folder")
    else:
        size = status.st_size if status is not None and stat.S_ISREG(status.st_mode) else None
        yield ListedFile(os.fspath(path), size)


def missing_paths(paths: Iterable[str | Path]) -> str | None:
    """The usage error for the paths that do not exist (``-`` aside), or None: ``no such file
    or folder: a, b``, each escaped for a terminal. A path that cannot be looked up is not
    missing: it is read, and reported as an unreadable record."""
    missing = [shown_path(path) for path in paths if str(path) != STDIN and is_missing(path)]
    return f"no such file or folder: {', '.join(missing)}" if missing else None


def _walk(folder: Path) -> Iterator[ListedFile | Delivery]:
    """Dump files under ``folder``, sorted, files before subfolders; a symlink loop is reported."""
    yield from _walk_from(os.fspath(folder), ancestors=frozenset())


def _walk_from(folder: str, ancestors: frozenset[tuple[int, int]]) -> Iterator[ListedFile | Delivery]:
    try:
        status = os.stat(folder)
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        yield Delivery(
            ReadFailure(f"cannot read folder: {error.strerror or error}"), Location(display_name(folder))
        )
        return
    identity = (status.st_dev, status.st_ino)
    if identity in ancestors:
        yield Delivery(
            ReadFailure("symlink loop: this folder leads back to one of its parents; not followed"),
            Location(display_name(folder)),
        )
        return
    inside = ancestors | {identity}
    folders: list[str] = []
    for entry in entries:
        # Named as a Path would name it: "x.jsonl" below ".", not "./x.jsonl" (the folder comes
        # as a Path made it: no trailing or doubled separators).
        path = entry.name if folder == "." else entry.path
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            folders.append(path)
        elif suffix_of(entry.name) in DUMP_SUFFIXES:
            problem = why_not_a_regular_file(entry)
            if problem is None:
                try:
                    size: int | None = entry.stat().st_size
                except OSError:
                    size = None
                yield ListedFile(path, size)
            else:
                yield Delivery(ReadFailure(f"{problem}: not read"), Location(display_name(path)))
    for subfolder in folders:
        yield from _walk_from(subfolder, inside)
