"""A FIFO named as input: read once a writer has it open, never waited on forever.

Opening a FIFO for reading blocks until a writer opens it, which may be never. It is opened
without blocking instead and read without blocking until a writer shows: data, or
``EAGAIN`` (a writer that has written nothing yet). Process substitution
(``validate <(zcat dump.jsonl.gz)``) names a pipe whose writer is already there, so it is
read at once, however slow the writer is after that.
"""

from __future__ import annotations

import io
import os
import time
from typing import BinaryIO

#: How long a FIFO with no writer is waited on before it is reported, not read.
FIFO_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.05
_CHUNK = 64 * 1024


def wait_for_writer(descriptor: int) -> BinaryIO | None:
    """A FIFO opened for reading without blocking, as a stream once a writer has it; or None,
    and the descriptor closed, when no writer opened it within :data:`FIFO_WAIT_SECONDS` (or
    one opened it and closed it without writing). The stream owns the descriptor."""
    deadline = time.monotonic() + FIFO_WAIT_SECONDS
    try:
        while True:
            try:
                first = os.read(descriptor, _CHUNK)
            except BlockingIOError:
                first = b""  # a writer, with nothing written yet
                break
            if first:
                break
            if time.monotonic() >= deadline:  # end of file: no writer so far
                os.close(descriptor)
                return None
            time.sleep(_POLL_SECONDS)
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return io.BufferedReader(_Pipe(descriptor, first))


def wait_text() -> str:
    """How long a FIFO is waited on, as the report says it."""
    return f"{FIFO_WAIT_SECONDS:g} s"


class _Pipe(io.RawIOBase):
    """The read end of a pipe, with the bytes read while waiting for the writer put back first."""

    def __init__(self, descriptor: int, first: bytes) -> None:
        super().__init__()
        self._descriptor = descriptor
        self._first = first

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._descriptor

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._first:
            count = min(len(buffer), len(self._first))
            buffer[:count] = self._first[:count]
            self._first = self._first[count:]
            return count
        data = os.read(self._descriptor, len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self._descriptor)
        super().close()
