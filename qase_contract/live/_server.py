"""Serve a WSGI application on a threaded HTTP/1.1 server: the one ``qase-contract listen`` runs.

The server is waitress: one event loop reads every request whole (a client trickling its
body stalls nobody, and holds no thread), decodes chunked bodies, and hands complete
requests to a pool of worker threads that run the application. Measured against
werkzeug's threaded development server and stdlib ``wsgiref`` + ``ThreadingMixIn``
(``benchmarks/bench_receiver.py``), it spends about half the CPU per delivery, which is
what keeps p99 latency low when 32 senders share two cores with the receiver.

The socket is bound here, so a port in use is a clear :class:`ServeError`. waitress
itself refuses a body past ``max_request_body`` with its own 413 before the application
sees it; :func:`server_body_limit` leaves room above ``--max-body`` so the receiver
answers (and counts) the usual oversized deliveries itself. :meth:`Server.stop` stops
accepting, lets requests in flight finish and their answers reach the clients, then
closes every connection.
"""

from __future__ import annotations

import contextlib
import logging
import math
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, cast

from qase_contract._util.printable import printable
from qase_contract.errors import MissingExtra, ServeError

try:
    from waitress.channel import HTTPChannel
    from waitress.server import BaseWSGIServer, create_server
except ImportError:
    raise MissingExtra("qase-contract listen", "listen", "waitress") from None
from qase_contract.live._receiver import Environ, StartResponse

WSGIApp = Any
#: Seconds a connection may stay silent before the server closes it.
CLIENT_TIMEOUT = 60
LISTEN_BACKLOG = 1024
WORKER_THREADS = 8
_POLL = 0.01


def server_body_limit(max_body: int) -> int:
    """The body size the server refuses by itself: room above ``max_body`` for the receiver's own 413."""
    return 2 * max_body + 1024 * 1024


class _PrintableHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """waitress's own messages on standard error, one escaped line each (paths come from clients)."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def _quiet_waitress_logs() -> None:
    logger = logging.getLogger("waitress")
    if not any(isinstance(handler, _PrintableHandler) for handler in logger.handlers):
        handler = _PrintableHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
        # Warnings show (the connection limit reached: someone holds connections open), but not
        # "Task queue depth is N", which busy moments print by the dozen.
        logger.setLevel(logging.WARNING)
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)


#: Open connections served at once. waitress's default of 100 lets a hundred clients that
#: trickle their headers (slowloris) hold every slot while Qase's 15-second deliveries wait.
CONNECTION_LIMIT = 2000


def _connection_limit() -> int:
    """:data:`CONNECTION_LIMIT`, or less when the process may not open that many files."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return CONNECTION_LIMIT if soft == resource.RLIM_INFINITY else max(100, min(CONNECTION_LIMIT, soft - 100))


class Server:
    """``app`` served on ``host:port`` (port 0: any free port) from a background thread.

    ``max_request_body`` is the largest body the server itself reads (``None``: waitress's
    default of 1 GiB). ``streaming`` passes answers on as the application yields them (the
    inspector's server-sent events), tells the application when a client has gone
    (``environ["waitress.client_disconnected"]``), and leaves it to the application to end
    its streams before :meth:`stop`.
    """

    def __init__(
        self,
        app: WSGIApp,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        max_request_body: int | None = None,
        threads: int = WORKER_THREADS,
        streaming: bool = False,
    ) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            listener = socket.create_server((host, port), family=family, backlog=LISTEN_BACKLOG)
        except OSError as error:
            raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        _quiet_waitress_logs()
        self._app = app
        self._in_flight = 0
        self._idle = threading.Condition()
        self._map: dict[int, Any] = {}
        options: dict[str, Any] = {
            "sockets": [listener],
            "threads": threads,
            "channel_timeout": CLIENT_TIMEOUT,
            "connection_limit": _connection_limit(),
            "backlog": LISTEN_BACKLOG,
            "ident": "qase-contract",
        }
        if max_request_body is not None:
            options["max_request_body_size"] = max_request_body
        if streaming:
            options["channel_request_lookahead"] = 1  # what makes waitress say a client has gone
        server = create_server(app if streaming else self._counted, map=self._map, **options)
        assert isinstance(server, BaseWSGIServer)  # one socket: never a MultiSocketServer
        self._server = server
        self.host = host
        self.port: int = listener.getsockname()[1]
        self._thread = threading.Thread(target=self._server.run, name="qase-listen", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self, wait: float = 5.0) -> None:
        """Stop accepting; give requests in flight ``wait`` seconds to be answered; close everything."""
        deadline = time.monotonic() + wait
        if not self._thread.is_alive():
            self._close_all()
            self._server.task_dispatcher.shutdown(timeout=1)
            return
        self._in_loop(self._stop_accepting, deadline)
        with self._idle:
            while self._in_flight and time.monotonic() < deadline:
                self._idle.wait(max(0.0, deadline - time.monotonic()))
        while (
            any(_unanswered(channel) for channel in list(self._map.values())) and time.monotonic() < deadline
        ):
            time.sleep(_POLL)
        self._in_loop(self._close_all, deadline)
        self._thread.join(max(0.0, deadline - time.monotonic()))
        self._server.task_dispatcher.shutdown(timeout=max(1, math.ceil(deadline - time.monotonic())))

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _in_loop(self, action: Callable[[], None], deadline: float) -> None:
        """Run ``action`` in the server's loop thread (waitress's sockets belong to it), and wait for it."""
        done = threading.Event()

        def thunk() -> None:
            try:
                action()
            finally:
                done.set()

        # waitress's trigger runs the thunks it is given in the loop thread (its stubs type it as int).
        cast(Any, self._server.trigger).pull_trigger(thunk)
        done.wait(max(0.0, deadline - time.monotonic()))

    def _stop_accepting(self) -> None:
        self._server.accepting = False
        self._server.del_channel()
        if self._server.socket is not None:
            self._server.socket.close()

    def _close_all(self) -> None:
        # The loop ends when its map is empty: the listener, the trigger and every connection.
        for dispatcher in list(self._map.values()):
            with contextlib.suppress(OSError):
                dispatcher.close()

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


def _unanswered(dispatcher: object) -> bool:
    """A connection whose request is still being served or whose answer is not yet sent."""
    return isinstance(dispatcher, HTTPChannel) and bool(dispatcher.requests or dispatcher.total_outbufs_len)
