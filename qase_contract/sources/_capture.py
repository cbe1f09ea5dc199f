"""The capture file format: one JSON line per received delivery, nothing lost, no secret kept.

A capture file is JSON Lines. Every record is an object with an integer ``qase_capture``
key (the format version). The writer puts it first, so readers recognise a capture line
among plain deliveries without parsing it twice; a file whose first record is a capture
record in any key order (after ``jq -S``, say) is read as a capture file too::

    {"qase_capture": 1, "received_at": "2026-11-27T08:10:20.123456Z", "method": "POST",
     "path": "/hooks/qase", "query": "", "remote_addr": "127.0.0.1",
     "headers": {"Content-Type": "application/json", "X-Qase-Secret": "[redacted]"},
     "body": "{\\"event_name\\": ...}", "body_encoding": "text", "status": 200}

``body`` is the raw body exactly as received: the text when it is UTF-8, otherwise
base64 with ``body_encoding`` ``"base64"`` (DESIGN decision 6). Credentials in headers
and the query are replaced by ``[redacted]`` before a record is built (by name, and where
the receiver knows the secret, by value), so they never reach a file. ``status`` is the HTTP
status the receiver answered (``null`` when unknown): the verdict's, or the one it was told
to give (``listen --respond``, ``--fail-rate``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

import orjson

from qase_contract._util.credentials import redact_headers, redact_query
from qase_contract.errors import CaptureFormatError
from qase_contract.sources._capture_lines import CAPTURE_PREFIX, is_capture_record

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: no POSIX locks; appends are still whole within one process
    fcntl = None

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class CaptureRecord:
    """One received delivery as stored: raw body bytes, request line facts and safe headers."""

    body: bytes
    received_at: str = field(default_factory=lambda: utc_now())
    method: str = "POST"
    path: str = "/"
    query: str = ""
    remote_addr: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    status: int | None = None

    @classmethod
    def received(cls, body: bytes, headers: Mapping[str, str], **request: object) -> CaptureRecord:
        """A record for a delivery just received; the headers are redacted here, once."""
        return cls(body=body, headers=redact_headers(headers), **request)  # type: ignore[arg-type]

    def to_line(self) -> bytes:
        """The record as one JSON line, newline included."""
        try:
            text, encoding = self.body.decode("utf-8"), "text"
        except UnicodeDecodeError:
            import base64  # rare: a body that is not UTF-8

            text, encoding = base64.b64encode(self.body).decode("ascii"), "base64"
        record = {
            "qase_capture": FORMAT_VERSION,
            "received_at": self.received_at,
            "method": self.method,
            "path": self.path,
            "query": redact_query(self.query),
            "remote_addr": self.remote_addr,
            "headers": redact_headers(self.headers),
            "body": text,
            "body_encoding": encoding,
            "status": self.status,
        }
        return orjson.dumps(record) + b"\n"


def parse_line(line: bytes) -> CaptureRecord:
    """The record of one capture line; raises :class:`CaptureFormatError` saying what is wrong."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise CaptureFormatError(f"capture record is not valid JSON: {error}") from None
    return record_from_data(data)


def record_from_data(data: object) -> CaptureRecord:
    """The record a parsed capture line holds; raises :class:`CaptureFormatError` saying what is wrong."""
    version = data.get("qase_capture") if isinstance(data, dict) else None
    if not isinstance(data, dict) or type(version) is not int or version < 1:  # true is no version
        raise CaptureFormatError('not a capture record: no integer "qase_capture" key')
    if version > FORMAT_VERSION:
        raise CaptureFormatError(
            f"capture format version {version} is newer than this qase-contract "
            f"reads ({FORMAT_VERSION}); upgrade qase-contract"
        )
    body, encoding = data.get("body"), data.get("body_encoding", "text")
    if not isinstance(body, str):
        raise CaptureFormatError('capture record has no "body" text')
    if encoding == "base64":
        import base64
        import binascii

        try:
            raw = base64.b64decode(body, validate=True)
        except binascii.Error as error:
            raise CaptureFormatError(f'capture record "body" is not valid base64: {error}') from None
    elif encoding == "text":
        raw = body.encode("utf-8")
    else:
        raise CaptureFormatError(f'capture record has an unknown "body_encoding" {encoding!r}')
    headers = data.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise CaptureFormatError('capture record "headers" must be an object of strings')
    status = data.get("status")
    return CaptureRecord(
        body=raw,
        received_at=str(data.get("received_at", "")),
        method=str(data.get("method", "POST")),
        path=str(data.get("path", "/")),
        query=str(data.get("query", "")),
        remote_addr=data.get("remote_addr") if isinstance(data.get("remote_addr"), str) else None,
        headers=headers,
        status=status if isinstance(status, int) else None,
    )


def iter_capture(path: str | os.PathLike[str]) -> Iterator[tuple[int, CaptureRecord | CaptureFormatError]]:
    """Every record of a capture file with its line number (from 1), blank lines skipped.

    A line that is not a capture record, or a broken one, comes as a
    :class:`CaptureFormatError` at its line, so one bad line never stops the rest. A file
    whose first record is not a capture record is no capture file: one error says so.
    """
    with Path(path).open("rb") as lines:
        first = True
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if first and not is_capture_record(line):
                yield (
                    number,
                    CaptureFormatError(
                        'not a capture file: its first record has no "qase_capture" key '
                        "(qase-contract listen --record writes capture files)"
                    ),
                )
                return
            first = False
            try:
                yield number, parse_line(line)
            except CaptureFormatError as error:
                yield number, error


def record_at(file: BinaryIO, offset: int) -> CaptureRecord:
    """The record whose line starts at byte ``offset`` of an open capture file (as
    :meth:`CaptureWriter.append` returned it); raises :class:`CaptureFormatError` when no
    record starts there (the file was replaced or cut)."""
    if offset < 0 or (offset and _read_at(file, offset - 1, 1) != b"\n"):
        raise CaptureFormatError(f"no capture record starts at byte {offset}")
    file.seek(offset)
    return parse_line(file.readline())


def whole_lines_end(file: BinaryIO, size: int) -> int:
    """Where the whole lines among the first ``size`` bytes end: past the last newline, so
    what follows (a record still being written) is left out."""
    return _start_of_last_line(file, size)


def last_record_offsets(file: BinaryIO, count: int, end: int | None = None) -> list[int]:
    """Where the last ``count`` non-blank lines before byte ``end`` (default: the end of the
    file) start, oldest first. Read backwards in blocks, so a long file costs only its tail.
    Only whole lines count: bytes after the last newline are a record still being written."""
    if end is None:
        end = file.seek(0, os.SEEK_END)
    starts: list[int] = []
    # The line being looked at ends at the newline `line_stop`; `filled`: it holds more than blanks.
    line_stop: int | None = None
    filled = False
    position = end
    while position > 0 and len(starts) < count:
        begin = max(0, position - _BACKWARD_BLOCK)
        block = _read_at(file, begin, position - begin)
        index = len(block)
        while len(starts) < count:
            newline = block.rfind(b"\n", 0, index)
            if line_stop is not None:
                filled = filled or bool(block[newline + 1 : index].strip())
            if newline < 0:
                break
            if line_stop is not None and filled:
                starts.append(begin + newline + 1)
            line_stop, filled, index = begin + newline, False, newline
        position = begin
    if position == 0 and line_stop is not None and filled and len(starts) < count:
        starts.append(0)
    starts.reverse()
    return starts


class CaptureWriter:
    """Appends records to a capture file, one whole line at a time, safe across threads and
    across processes (the workers of gunicorn, or several receivers sharing one file).

    ``append`` returns only after the line is written and flushed to the operating
    system, so a delivery acknowledged after it survives a killed process; ``fsync``
    also survives a power cut, at the cost of a disk sync per delivery.

    Each record is one ``write`` to a file opened with ``O_APPEND``, made under an exclusive
    POSIX record lock (``lockf``: held per process, so it also separates workers that share
    one open file after a fork, as gunicorn's ``--preload`` does) and a thread lock. Within the
    lock the writer first looks at the end of the file: a record cut short there (its writer
    was killed in the middle of a write, so it was never acknowledged) is taken back, and a
    line of anything else is ended, so every record starts a line of its own. Locks are
    released by the system when a process dies, so a killed worker never blocks the others.
    The file must be on a local file system (POSIX locks and appends over NFS are not to be
    trusted).
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self._fsync = fsync
        self._lock = threading.Lock()
        # Unbuffered: no byte of a record that failed to be written is held back, to reach the
        # file with the next record as if that delivery had been kept. Readable too, to look
        # at the end of the file before each append.
        self._file: BinaryIO = self.path.open("a+b", buffering=0)
        with self._locked():
            self._mend_end()

    def append(self, record: CaptureRecord) -> int:
        """Write one record; the byte offset where its line starts in the file (for
        :func:`record_at`). Raises :class:`OSError` (a full disk) with the file as it was."""
        line = record.to_line()
        with self._lock, self._locked():
            start = self._mend_end()
            try:
                written = 0
                while written < len(line):  # a raw write may take only part of the line
                    written += self._file.write(line[written:]) or 0
                if self._fsync:
                    os.fsync(self._file.fileno())
            except OSError:
                # Not acknowledged, so Qase delivers it again: take back whatever part of the
                # line reached the file, or the capture would hold it twice, once torn.
                with contextlib.suppress(OSError):
                    self._file.truncate(start)
                raise
        return start

    def close(self) -> None:
        with self._lock:
            self._file.close()

    def __enter__(self) -> CaptureWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The file to this process alone (other processes wait), for one append."""
        if fcntl is None:
            yield
            return
        descriptor = self._file.fileno()
        fcntl.lockf(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.lockf(descriptor, fcntl.LOCK_UN)

    def _mend_end(self) -> int:
        """The size of the file once its end is ready for a new record; under the lock.

        A file that does not end with a newline ends with a line cut short. A capture record
        cut short was being written by a process that died before it could acknowledge the
        delivery: it is taken back. Anything else (a line added by hand) is kept and ended.
        """
        size = os.fstat(self._file.fileno()).st_size
        if size == 0 or _read_at(self._file, size - 1, 1) == b"\n":
            return size
        start = _start_of_last_line(self._file, size)
        if _read_at(self._file, start, len(CAPTURE_PREFIX)) == CAPTURE_PREFIX:
            self._file.truncate(start)
            return start
        self._file.write(b"\n")
        return size + 1


def _read_at(file: BinaryIO, offset: int, size: int) -> bytes:
    """``size`` bytes from ``offset``; only under the lock, since the file's position is shared
    (appends go to the end whatever the position)."""
    file.seek(offset)
    return file.read(size)


def _start_of_last_line(file: BinaryIO, size: int) -> int:
    """Where the last line of a file begins, read backwards in blocks."""
    end = size
    while end > 0:
        begin = max(0, end - _BACKWARD_BLOCK)
        newline = _read_at(file, begin, end - begin).rfind(b"\n")
        if newline >= 0:
            return begin + newline + 1
        end = begin
    return 0


_BACKWARD_BLOCK = 64 * 1024


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
