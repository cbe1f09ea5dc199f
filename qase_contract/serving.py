"""Serve a WSGI application on a threaded HTTP/1.1 server: the one ``qase-contract listen`` runs.

werkzeug's threaded server gives each connection its own thread (a client trickling its
body stalls nobody else), decodes chunked bodies, and reads away a body the application
refused, so a client sent a 413 sees it instead of a reset connection. Per-request access
logs are off: the receiver prints its own live line. The socket is bound here, so a port
in use is a clear :class:`ServeError`, and :meth:`Server.stop` lets requests in flight
finish (and so be recorded and answered) before it returns.

werkzeug reads away a refused body (up to 10 GB) so the client sees the answer; since
it closes every connection after one request, a cap on the bytes one connection may
send (``request_limit``) bounds that read, for a 401 as for a 413.
"""

from __future__ import annotations

import io
import socket
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any, cast

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from qase_contract._printable import printable
from qase_contract.receiver import Environ, StartResponse

WSGIApp = Any
#: Seconds a client may stay silent in the middle of a request before it is dropped.
CLIENT_TIMEOUT = 60.0
LISTEN_BACKLOG = 128
SHUTDOWN_POLL = 0.05


def request_limit_for(max_body: int) -> int:
    """Bytes one connection may send for a body of ``max_body``: room for headers and chunk framing."""
    return 2 * max_body + 1024 * 1024


class ServeError(OSError):
    """The server could not start: the address is in use, or not one of this machine's."""


class _CappedReader(io.BufferedIOBase):
    """A connection's input that ends (reads as empty) after ``limit`` bytes."""

    def __init__(self, stream: io.BufferedIOBase, limit: int) -> None:
        super().__init__()
        self._stream = stream
        self._left = limit

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = self._left if size is None or size < 0 else min(size, self._left)
        return self._count(self._stream.read(size) if size else b"")

    def readline(self, size: int | None = -1) -> bytes:
        size = self._left if size is None or size < 0 else min(size, self._left)
        return self._count(self._stream.readline(size) if size else b"")

    def close(self) -> None:
        self._stream.close()
        super().close()

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        return data


class _QuietHandler(WSGIRequestHandler):
    timeout = CLIENT_TIMEOUT
    server: _LimitedServer

    def setup(self) -> None:
        super().setup()
        limit = self.server.request_limit
        if limit is not None:
            self.rfile = _CappedReader(self.rfile, limit)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log: the receiver prints one line per request itself."""

    def log(self, type: str, message: str, *args: Any) -> None:
        # Server errors (a malformed request line, say) still show, escaped onto one line.
        text = message % args if args else message
        print(f"{type}: {printable(text.rstrip())}", file=sys.stderr, flush=True)


class _LimitedServer(BaseWSGIServer):
    request_limit: int | None


class Server:
    """``app`` served on ``host:port`` (port 0: any free port) from a background thread.

    ``request_limit`` caps the bytes read from one connection (request line, headers and
    body with its framing); ``None`` leaves werkzeug's own bounds.
    """

    def __init__(
        self, app: WSGIApp, host: str = "127.0.0.1", port: int = 8000, *, request_limit: int | None = None
    ) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            listener = socket.create_server((host, port), family=family, backlog=LISTEN_BACKLOG)
        except OSError as error:
            raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        self._in_flight = 0
        self._idle = threading.Condition()
        self._app = app
        with listener:
            # werkzeug duplicates the descriptor, so the original can be closed right away.
            self._server = cast(
                _LimitedServer,
                make_server(
                    host,
                    port,
                    self._counted,
                    threaded=True,
                    request_handler=_QuietHandler,
                    fd=listener.fileno(),
                ),
            )
        self._server.request_limit = request_limit
        self.host = host
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._serve, name="qase-listen", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self, wait: float = 5.0) -> None:
        """Stop accepting connections, then wait up to ``wait`` seconds for requests in flight."""
        if self._thread.is_alive():
            self._server.shutdown()  # blocks until serve_forever returns, so only once it runs
        self._server.server_close()
        deadline = time.monotonic() + wait
        with self._idle:
            while self._in_flight and time.monotonic() < deadline:
                self._idle.wait(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        # A short poll makes stop() quick; the idle cost is 20 wake-ups a second.
        self._server.serve_forever(poll_interval=SHUTDOWN_POLL)

    def _counted(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        with self._idle:
            self._in_flight += 1
        try:
            # Materialised here, so "in flight" covers the application's whole work.
            return list(self._app(environ, start_response))
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()
