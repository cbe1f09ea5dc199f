"""One file or stream: its format recognised by name and content, and its deliveries read.

A JSON document holding one delivery, an array of them or a HAR 1.2 archive; JSON Lines
(``.jsonl``/``.ndjson``, or any stream whose first record is a complete line); and the capture
files ``qase-contract listen`` writes (JSON Lines whose records start with
``{"qase_capture":``). Whatever cannot be read becomes a delivery whose body is a
:class:`ReadFailure` at its place, so it is reported and the other records still checked.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from qase_contract._util.printable import display_name
from qase_contract.sources._capture_lines import is_capture_record
from qase_contract.sources._documents import document_deliveries, har_deliveries, is_har
from qase_contract.sources._lines import (
    MAX_RECORD_BYTES,
    RangeStream,
    empty_source,
    json_lines,
    numbered_lines,
)
from qase_contract.sources._model import Delivery, LineBatch, Location, ReadFailure

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
HAR_SUFFIXES = frozenset({".har"})
#: Names that say a file is a dump: what a folder walk reads, and files whose content errors
#: are reported record by record even when nothing in them looks like JSON.
DUMP_SUFFIXES = frozenset({".json", *HAR_SUFFIXES, *JSONL_SUFFIXES})
#: Names that say a file is a document for people, never a dump: not read even when named on
#: the command line (a README may well start with "[", as JSON does). A ``.txt`` file is judged
#: by its content: dumps are saved under that name too.
PROSE_SUFFIXES = frozenset({".md", ".markdown", ".rst"})
#: The bytes a JSON text can start with (after blanks and a BOM).
_JSON_STARTS = frozenset(b'{["-0123456789tfn')
#: A whole JSON document (not JSON Lines) is parsed at once; past this, JSON Lines is the answer.
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024
#: What may come before the first character of a JSON text in a file: blanks and a UTF-8 BOM.
_BLANKS_AND_BOM = b" \t\r\n\xef\xbb\xbf"
_SNIFF_BYTES = 8192


def read_file(
    path: str | os.PathLike[str],
    *,
    size: int | None = None,
    max_record: int = MAX_RECORD_BYTES,
    raw_bodies: bool = False,
    batched: bool = False,
) -> Iterator[Delivery | LineBatch]:
    """The deliveries of one file, read as it is when opened. Given the ``size`` a regular
    file had when it was listed (:class:`~qase_contract.sources._model.ListedFile`), a small
    one is read without being looked at again, unless the read finds it longer."""
    # The path as text, not a Path: making a Path costs more than reading a small file.
    path = os.fspath(path)
    suffix = suffix_of(path)
    if suffix in PROSE_SUFFIXES:
        yield Delivery(ReadFailure(f"not a delivery dump: a {suffix} file"), Location(display_name(path)))
        return
    try:
        opened = _open(path, size)
    except OSError as error:
        yield Delivery(ReadFailure(f"cannot read: {error.strerror or error}"), Location(display_name(path)))
        return
    if opened is None:
        from qase_contract.sources._pipes import wait_text

        reason = f"a FIFO that no writer opened within {wait_text()}: not read"
        yield Delivery(ReadFailure(reason), Location(display_name(path)))
        return
    if isinstance(opened, bytes):
        if suffix == ".json" and is_one_object_document(opened, max_record):
            # Told apart without the line-by-line recognition of read_stream, which costs more
            # than checking the delivery: a delivery saved as a file is most often this.
            yield from document_deliveries(
                opened, display_name(path), max_record, raw_bodies=raw_bodies, text_body=batched
            )
            return
        opened = io.BufferedReader(io.BytesIO(opened))
    with opened as stream:
        try:
            yield from read_stream(
                stream,
                display_name(path),
                suffix=suffix,
                max_record=max_record,
                raw_bodies=raw_bodies,
                batched=batched,
            )
        except OSError as error:
            yield Delivery(
                ReadFailure(f"read failed: {error.strerror or error}"), Location(display_name(path))
            )


def suffix_of(path: str) -> str:
    """The suffix of a path's last part, lower-cased, as ``Path.suffix`` gives it: ``..jsonl``
    has one (``os.path.splitext`` would say not), ``name.`` has none."""
    name = os.path.basename(path)
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _open(path: str, listed_size: int | None) -> BinaryIO | bytes | None:
    """A small regular file's bytes, read at once, or the file open for reading as it is now
    (see :func:`as_opened`); a FIFO once a writer has it (None if none comes).

    Opened without blocking, then looked at: the open of a FIFO with no writer would block,
    and looking first would cost a call more for every file of a folder. A file listed as a
    small regular file is read at once, without being looked at again, unless the read finds
    it longer than listed (replaced, or appended to, since): it is then looked at as it is.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCKING | _CLOSE_ON_EXEC)
    except BlockingIOError:
        # A file under a lease (a Samba oplock, an NFS delegation) refuses an open that would
        # not wait: wait for its holder to give it up, as a blocking open does.
        descriptor = os.open(path, os.O_RDONLY | _CLOSE_ON_EXEC)
    if listed_size is not None and 0 < listed_size <= _READ_AT_ONCE:
        data = _read_small(descriptor, listed_size, listed=True)
        if data is not None:
            return data
    try:
        status = os.fstat(descriptor)
        mode = status.st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not (stat.S_ISFIFO(mode) or (stat.S_ISREG(mode) and status.st_size > 0)):
            # Not blocking means nothing to a file's data, but may to a device or to a file of
            # /proc (whose size says nothing): those are read as any stream is.
            os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    if stat.S_ISFIFO(mode):
        from qase_contract.sources._pipes import wait_for_writer  # FIFOs only: not at every start-up

        return wait_for_writer(descriptor)
    if stat.S_ISREG(mode) and 0 < status.st_size <= _READ_AT_ONCE:
        data = _read_small(descriptor, status.st_size)
        if data is not None:
            return data
    return _stream(io.FileIO(descriptor, "rb"), status)


def _read_small(descriptor: int, size: int, *, listed: bool = False) -> bytes | None:
    """A small file's bytes, read at once and its descriptor closed (a single delivery, most
    often: a read through :class:`_AsOpened` costs a Python call each, more than its check).
    ``size`` is the file's now, or, ``listed``, when it was listed: then a byte more is asked
    for, and a file found longer gives None. None too, when the read fails (an EIO on a
    failing disk): the file, rewound, is then read as a stream, whose reader reports the error
    as a read that failed, in its place."""
    try:
        data: bytes | None = _read_exactly(partial(os.read, descriptor), size + 1 if listed else size)
    except OSError:
        data = None
    if data is None or len(data) > size:
        with contextlib.suppress(OSError):
            os.lseek(descriptor, 0, os.SEEK_SET)
        return None
    os.close(descriptor)
    return data


#: Open flags that POSIX has and other systems may not.
_NONBLOCKING = getattr(os, "O_NONBLOCK", 0)
_CLOSE_ON_EXEC = getattr(os, "O_CLOEXEC", 0)


def as_opened(raw: io.RawIOBase) -> BinaryIO:
    """``raw`` buffered; a regular file read only up to the size it has now (see
    :class:`_AsOpened`). A file whose size says nothing (0 for most of /proc, a device) is
    read to its end."""
    status = os.fstat(raw.fileno())
    size = status.st_size
    if stat.S_ISREG(status.st_mode) and 0 < size <= _READ_AT_ONCE:
        # A small file (a single delivery, most often) is read with one call and served from
        # memory: through _AsOpened every read is a Python call, which costs more than the
        # delivery's check.
        start = raw.tell()
        try:
            data = _read_exactly(raw.read, size - start)
        except OSError:
            # Read as a stream instead, from where it was: its reader reports the error (an
            # EIO on a failing disk) as a read that failed, in its place.
            with contextlib.suppress(OSError):
                raw.seek(start)
        else:
            raw.close()
            return io.BufferedReader(io.BytesIO(data))
    return _stream(raw, status)


def _stream(raw: io.RawIOBase, status: os.stat_result) -> BinaryIO:
    """``raw`` buffered, up to the size ``status`` gives a regular file (see :class:`_AsOpened`)."""
    size = status.st_size
    if not stat.S_ISREG(status.st_mode) or size <= 0:
        return io.BufferedReader(raw)
    return io.BufferedReader(_AsOpened(raw, size), max(io.DEFAULT_BUFFER_SIZE, min(size, _SNAPSHOT_BUFFER)))


#: Files up to this size are read whole when opened.
_READ_AT_ONCE = 1024 * 1024


def _read_exactly(read: Callable[[int], bytes | None], size: int) -> bytes:
    """``size`` bytes from ``read``, or fewer if it ends first (a file cut while it is read)."""
    chunks: list[bytes] = []
    while size > 0:
        chunk = read(size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


#: Few, large reads through :class:`_AsOpened`, whose every read is a Python call (a buffer
#: as large as the file up to this: a small file gets a small one).
_SNAPSHOT_BUFFER = 4 * 1024 * 1024


class _AsOpened(io.RawIOBase):
    """A file's bytes up to the size it had when opened. A file that grows while it is read (a
    capture the receiver appends to, as ``send --from`` it to that receiver would make it do)
    then ends, where reading to its end would never finish."""

    def __init__(self, raw: io.RawIOBase, size: int) -> None:
        super().__init__()
        self._raw = raw
        self._size = size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._size - self._raw.tell()
        if left <= 0:
            return 0
        with memoryview(buffer) as view:
            return self._raw.readinto(view[:left]) or 0

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def fileno(self) -> int:
        return self._raw.fileno()

    @property
    def name(self) -> object:
        return getattr(self._raw, "name", None)

    def _dealloc_warn(self, source: object) -> None:
        # What io.BufferedReader calls when it is collected unclosed: pass it on, so that the
        # file's own ResourceWarning still says a stream was leaked.
        warn = getattr(self._raw, "_dealloc_warn", None)
        if warn is not None:
            warn(source)

    def close(self) -> None:
        self._raw.close()
        super().close()


def read_stream(
    stream: BinaryIO,
    source: str,
    *,
    suffix: str = "",
    max_record: int = MAX_RECORD_BYTES,
    raw_bodies: bool = False,
    batched: bool = False,
) -> Iterator[Delivery | LineBatch]:
    """Deliveries of one binary stream (a file, or standard input), its format recognised;
    ``raw_bodies`` as :func:`~qase_contract.sources.read_paths` says; ``batched`` gives JSON
    Lines records in :class:`LineBatch` blocks."""
    head = _peek(stream)
    if _looks_utf16(head):
        reason = "UTF-16 text: JSON dumps are read as UTF-8 (convert with: iconv -f UTF-16 -t UTF-8)"
        return iter([Delivery(ReadFailure(reason), Location(source))])
    if _looks_binary(head):
        reason = "binary content (NUL bytes): not JSON, JSON Lines or HAR (nor UTF-8 text)"
        return iter([Delivery(ReadFailure(reason), Location(source))])
    # Returned, not delegated with yield from: one generator less for every delivery.
    return _deliveries(stream, source, suffix, max_record, head, raw_bodies, batched)


def _deliveries(
    stream: BinaryIO,
    source: str,
    suffix: str,
    max_record: int,
    head: bytes,
    raw_bodies: bool,
    batched: bool,
) -> Iterator[Delivery | LineBatch]:
    lines = numbered_lines(stream, max_record)
    seen: list[tuple[int, bytes | int]] = []
    if suffix not in HAR_SUFFIXES:
        first = _next_record(lines, seen)
        if first is None:
            yield empty_source(source)
            return
        if _is_json_lines(suffix, first, lines, seen, head):
            yield from json_lines(stream, source, max_record, read=seen, batched=batched)
            return
    # One whole document (a delivery, an array of them, or a HAR archive).
    data = _document(stream, seen, source)
    if isinstance(data, Delivery):
        yield data
    elif not data.strip():
        yield empty_source(source)
    elif suffix in HAR_SUFFIXES:
        yield from _har_file(data, source)
    elif suffix not in DUMP_SUFFIXES and data.lstrip(_BLANKS_AND_BOM)[0] not in _JSON_STARTS:
        yield _not_a_dump(data, source)
    else:
        yield from document_deliveries(data, source, max_record, raw_bodies=raw_bodies, text_body=batched)


def _not_a_dump(data: bytes, source: str) -> Delivery:
    """A file whose first character cannot start a JSON text, and whose name does not say it is
    a dump (a README, notes, a log): one finding that says so, not a parse error."""
    first = data.lstrip(_BLANKS_AND_BOM)[:4].decode("utf-8", "replace")[0]
    reason = f'not a delivery dump: it starts with "{first}", which no JSON text does'
    return Delivery(ReadFailure(reason), Location(source))


def _document(stream: BinaryIO, seen: list[tuple[int, bytes | int]], source: str) -> bytes | Delivery:
    """The whole document, from the lines read to recognise it and the rest of the stream.

    A line over the record limit was skipped while recognising the format, not kept: a file is
    then read again from its start; a pipe cannot be, so the document is reported instead.
    """
    skipped = [size for _, size in seen if isinstance(size, int)]
    if not skipped:
        return _rest(stream, b"".join(line for _, line in seen if isinstance(line, bytes)), source)
    if stream.seekable():
        stream.seek(0)
        return _rest(stream, b"", source)
    reason = (
        f"a line of {skipped[0]:,} bytes, over the record limit, inside a JSON document read from a "
        "stream that cannot be read twice; raise --max-record-size or write the dump as JSON Lines"
    )
    return Delivery(ReadFailure(reason), Location(source))


def _is_json_lines(
    suffix: str,
    first: bytes | int,
    lines: Iterator[tuple[int, bytes | int]],
    seen: list[tuple[int, bytes | int]],
    head: bytes,
) -> bool:
    """Whether a stream is JSON Lines: by its name, unless its first line only opens a
    pretty-printed document (``{`` alone: deliveries appended by ``example >> dump.jsonl``),
    or else by its content. A first line over the record limit starts JSON Lines unless it is
    a one-line document: in a ``.json`` file, or an array (``jq -c`` output)."""
    if isinstance(first, int):
        one_line_document = suffix == ".json" or head.lstrip(_BLANKS_AND_BOM)[:1] == b"["
        return suffix in JSONL_SUFFIXES or not one_line_document
    if suffix in JSONL_SUFFIXES:
        return not (isinstance(first, bytes) and first.strip() in (b"{", b"["))
    return _starts_json_lines(first, lines, seen)


def _starts_json_lines(
    first: bytes, lines: Iterator[tuple[int, bytes | int]], seen: list[tuple[int, bytes | int]]
) -> bool:
    """Whether a stream whose first record is ``first`` is JSON Lines; reads at most one more record.

    A capture record, or a complete object followed by another record, starts JSON Lines;
    a first line that is not complete JSON does too when the next one is a complete object
    (a truncated first record). Anything else is one document spread over lines.
    """
    if is_capture_record(first):
        return True
    # A line that is only "{" or "[" opens a pretty-printed document: no need to parse it (nor,
    # below, a second line that is no object) to know it is not complete JSON.
    value = None if first.strip() in (b"{", b"[") else _loads_or_none(first)
    if isinstance(value, dict):
        return not is_har(value) and _next_record(lines, seen) is not None
    if value is None:
        second = _next_record(lines, seen)
        return (
            isinstance(second, bytes)
            and second.lstrip()[:1] == b"{"
            and isinstance(_loads_or_none(second), dict)
        )
    return False


def is_one_object_document(data: bytes, max_record: int) -> bool:
    """Whether :func:`read_stream` reads a ``.json`` file of ``data`` as one whole document
    that opens with ``{``, told from the bytes alone; False when in doubt (it is then read
    as a stream, which decides). What makes it so: no NUL (no UTF-16, no binary), no line
    over the record limit, and either one non-blank line that is no capture record, or a
    first line that is ``{`` alone followed by a line that does not start an object (the
    recognition in :func:`_starts_json_lines`; bytes' ``strip`` blanks are its blanks)."""
    if len(data) > max_record or b"\x00" in data:
        return False
    text = data.strip()
    if text[:1] != b"{":
        return False
    end = text.find(b"\n")
    if end < 0:
        return not is_capture_record(text)
    return text[:end].strip() == b"{" and text[end + 1 :].lstrip()[:1] != b"{"


def _looks_utf16(head: bytes) -> bool:
    """A UTF-16 byte order mark, or ASCII text with a NUL after (or before) every character."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:512]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    # All NULs on one side and text on the other; a zero-filled file (a crash) is no text.
    return (odd.count(0) == len(odd) and even.count(0) == 0) or (
        even.count(0) == len(even) and odd.count(0) == 0
    )


def _looks_binary(head: bytes) -> bool:
    """NUL bytes in a head that does not start like JSON. A JSON text never holds a raw NUL,
    but a dump that starts like JSON and has a zero-filled block later (a crash while writing)
    is still read record by record, so the good records are not lost."""
    return b"\x00" in head and not head.lstrip(_BLANKS_AND_BOM).startswith((b"{", b"["))


def _next_record(
    lines: Iterator[tuple[int, bytes | int]], seen: list[tuple[int, bytes | int]]
) -> bytes | int | None:
    for number, line in lines:
        seen.append((number, line))
        if isinstance(line, int) or line.strip():
            return line
    return None


def _loads_or_none(line: bytes) -> object:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _har_file(data: bytes, source: str) -> Iterator[Delivery]:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        yield Delivery(ReadFailure(f"HAR file is not valid JSON: {error}"), Location(source))
        return
    yield from har_deliveries(document, source, size=len(data))


def _peek(stream: BinaryIO) -> bytes:
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(_SNIFF_BYTES)[:_SNIFF_BYTES])
    return b""


def _rest(stream: BinaryIO, head: bytes, source: str) -> bytes | Delivery:
    """The whole document: what was read already plus the rest, within the document limit.

    Read in growing chunks: one read of the limit would allocate the limit (512 MiB) for a
    document of a few kilobytes, which costs more than reading it."""
    chunks = [head]
    size, chunk = len(head), _FIRST_CHUNK
    while size <= MAX_DOCUMENT_BYTES:
        data = stream.read(min(chunk, MAX_DOCUMENT_BYTES + 1 - size))
        if not data:
            break
        chunks.append(data)
        size += len(data)
        chunk = min(chunk * 2, _LARGEST_CHUNK)
    if size > MAX_DOCUMENT_BYTES:
        return Delivery(
            ReadFailure(
                f"a single JSON document over {MAX_DOCUMENT_BYTES:,} bytes is not read at once; "
                "write large dumps as JSON Lines (one delivery per line), which stream"
            ),
            Location(source),
        )
    return b"".join(chunks)


#: The chunks :func:`_rest` reads: small first (most documents are one delivery), then larger.
_FIRST_CHUNK = 64 * 1024
_LARGEST_CHUNK = 16 * 1024 * 1024


def is_json_lines_file(path: Path, *, max_record: int = MAX_RECORD_BYTES) -> bool:
    """Whether ``read_file`` would read ``path`` as JSON Lines holding at least one record, so
    it can be read in ranges with the same outcome; False whenever in doubt (the file is
    then read whole, which reports whatever is wrong with it)."""
    if path.suffix.lower() in HAR_SUFFIXES:
        return False
    try:
        with path.open("rb") as stream:
            head = _peek(stream)
            if _looks_binary(head) or _looks_utf16(head):
                return False
            lines = numbered_lines(stream, max_record)
            seen: list[tuple[int, bytes | int]] = []
            first = _next_record(lines, seen)
            if first is None:
                return False
            return _is_json_lines(path.suffix.lower(), first, lines, seen, head)
    except OSError:
        return False


def is_capture_file(path: Path, *, max_record: int = MAX_RECORD_BYTES) -> bool:
    """Whether the first record of ``path`` within the record limit is a capture record: what
    a sequential read decides by, computed once for all the ranges of the file."""
    with path.open("rb") as stream:
        records = (line for _, line in numbered_lines(stream, max_record) if isinstance(line, bytes))
        first = next((line for line in records if line.strip()), None)
    return first is not None and is_capture_record(first)


def read_range(
    path: Path,
    start: int,
    end: int,
    first_line: int,
    *,
    captures: bool,
    max_record: int = MAX_RECORD_BYTES,
    batched: bool = False,
) -> Iterator[Delivery | LineBatch]:
    """The deliveries of the JSON Lines between byte offsets ``start`` and ``end`` (both on
    line boundaries), whose first line is number ``first_line`` of the file; ``captures`` says
    whether it is a capture file (:func:`is_capture_file`)."""
    with path.open("rb") as stream:
        stream.seek(start)
        window = RangeStream(stream, end - start)
        yield from json_lines(
            window,
            display_name(path),
            max_record,
            first_line=first_line,
            empty_ok=True,
            captures=captures,
            batched=batched,
        )
