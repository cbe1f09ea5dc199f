"""Post deliveries to a consumer's URL (what to post is :mod:`qase_contract.live._outgoing`'s).

One delivery per connection, like Qase, with the standard library's ``http.client``; HTTPS
verifies the consumer's certificate unless told otherwise (:func:`tls_context`). Every post
gives a :class:`ConsumerAnswer` with the status and the latency, or the error that prevented
one; nothing here raises for a consumer that fails.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from qase_contract._util.credentials import redact_path, redact_query
from qase_contract._util.printable import printable
from qase_contract.errors import BadTarget
from qase_contract.reporters._live import answer_text

DEFAULT_TIMEOUT = 15.0  # seconds: Qase gives up on a consumer after 15 s
_EXCERPT = 200
#: What is read of an answer at most: only its start is shown; the rest is never needed.
_MAX_ANSWER = 64 * 1024


@dataclass(frozen=True, slots=True)
class Target:
    """Where deliveries go: scheme, host, port and the request target (path and query)."""

    scheme: str
    host: str
    port: int | None
    request_target: str
    #: ``Basic ...`` from the URL's ``user:password@``, sent as the Authorization header.
    authorization: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> Target:
        shown = _PASSWORD.sub(r"\1***@", url)  # errors never repeat a password
        if any(character.isspace() or not character.isprintable() for character in url):
            raise BadTarget(f"{shown!r} holds a space or control character; percent-encode it")
        try:
            parts = urllib.parse.urlsplit(url)
        except ValueError as error:  # an unbalanced IPv6 bracket, for one
            raise BadTarget(f"{shown!r} is not a valid URL: {error}") from None
        if parts.scheme not in ("http", "https"):
            raise BadTarget(f"{shown!r} is not an http:// or https:// URL")
        if not parts.hostname:
            raise BadTarget(f"{shown!r} has no host")
        try:
            port = parts.port
        except ValueError:
            raise BadTarget(f"{shown!r} has a port that is not a number from 0 to 65535") from None
        try:
            host = parts.hostname.encode("idna").decode("ascii")  # bücher.example -> xn--bcher-kva.example
        except UnicodeError:
            raise BadTarget(f"{shown!r} has a host name that is not valid") from None
        # HTTP sends the request target in ASCII: other characters are percent-encoded, as
        # browsers and curl do; what is encoded already stays as it is.
        path = urllib.parse.quote(parts.path or "/", safe=_URL_SAFE)
        query = urllib.parse.quote(parts.query, safe=_URL_SAFE + "?")
        authorization = None
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            authorization = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return cls(parts.scheme, host, port, path + (f"?{query}" if query else ""), authorization)

    def __str__(self) -> str:
        """The URL as it may be printed: no password, no credential-named query value."""
        return self.shown()

    def shown(self, secret: str | None = None) -> str:
        """The URL as it may be printed, also without ``secret`` wherever it is in the path or query."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port is not None else ""
        login = "***@" if self.authorization else ""
        path, mark, query = self.request_target.partition("?")
        path, query = redact_path(path, secret), redact_query(query, secret)
        return f"{self.scheme}://{login}{host}{port}{path}{mark}{query}"


#: The password of a URL's ``user:password@`` part.
_PASSWORD = re.compile(r"(//[^/@?#:]*:)[^/@?#]*@")
#: RFC 3986's reserved and unreserved characters, and "%" for what is encoded already.
_URL_SAFE = "/%:@!$&'()*+,;=-._~"


@dataclass(frozen=True, slots=True)
class ConsumerAnswer:
    """The consumer's answer: status (``None`` when there was none), latency in seconds, why not."""

    status: int | None
    latency: float
    error: str | None = None
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        return answer_text(self)


def tls_context(*, insecure: bool = False, cacert: str | None = None) -> ssl.SSLContext | None:
    """How HTTPS checks the consumer: ``None`` for the system's trusted authorities; ``cacert``
    trusts the authorities (or the self-signed certificate) in that PEM file instead; ``insecure``
    checks nothing. Raises :class:`OSError` (``ssl.SSLError`` included) for an unusable file."""
    if not insecure and cacert is None:
        return None
    context = ssl.create_default_context(cafile=cacert)
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def post(
    target: Target,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    context: ssl.SSLContext | None = None,
) -> ConsumerAnswer:
    """POST ``body`` with ``headers`` (plus Content-Length) on a fresh connection; ``context``
    is the TLS one for an https:// target (:func:`tls_context`).

    ``timeout`` bounds the whole exchange, not each read: a consumer that answers a byte at a
    time is cut off as one that never answers. At most ``_MAX_ANSWER`` bytes are read.
    """
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(target.host, target.port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    expired = threading.Event()
    started = time.perf_counter()
    watch = _DEADLINES.watch(started + timeout, connection, expired)
    try:
        connection.putrequest("POST", target.request_target, skip_accept_encoding=True)
        if target.authorization and not any(name.lower() == "authorization" for name in headers):
            connection.putheader("Authorization", target.authorization)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        answer = response.read(_MAX_ANSWER)
        latency = time.perf_counter() - started
    except (OSError, http.client.HTTPException) as error:
        reason = "no answer before the timeout" if expired.is_set() else _error_text(error)
        return ConsumerAnswer(None, time.perf_counter() - started, reason)
    except (ValueError, UnicodeError) as error:  # a recorded header that HTTP cannot carry
        return ConsumerAnswer(None, time.perf_counter() - started, f"not sent: {printable(str(error))}")
    finally:
        _DEADLINES.forget(watch)
        connection.close()
    excerpt = printable(answer[:_EXCERPT].decode("utf-8", "replace"))
    return ConsumerAnswer(response.status, latency, excerpt=excerpt)


class _Deadlines:
    """One thread that ends every exchange outliving its deadline, wherever it is waiting.

    A timer thread per request would cost more than many requests (32 concurrent senders
    halved the receiver's measured throughput); this one wakes every ``_TICK`` seconds while
    an exchange is watched, and sleeps while none is.
    """

    _TICK = 0.05

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._watched: dict[int, tuple[float, http.client.HTTPConnection, threading.Event]] = {}
        self._next_id = 0
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float, connection: http.client.HTTPConnection, expired: threading.Event) -> int:
        with self._lock:
            self._next_id += 1
            self._watched[self._next_id] = (deadline, connection, expired)
            self._lock.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="qase-send-deadlines", daemon=True)
                self._thread.start()
            return self._next_id

    def forget(self, watch: int) -> None:
        with self._lock:
            self._watched.pop(watch, None)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._watched:
                    self._lock.wait()
            time.sleep(self._TICK)
            now = time.perf_counter()
            with self._lock:
                late = [key for key, (deadline, _, _) in self._watched.items() if deadline <= now]
                ended = [self._watched.pop(key) for key in late]
            for _, connection, expired in ended:
                expired.set()
                if connection.sock is not None:
                    with contextlib.suppress(OSError):
                        connection.sock.shutdown(socket.SHUT_RDWR)


_DEADLINES = _Deadlines()


def _error_text(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "no answer before the timeout"
    return printable(str(error) or type(error).__name__)


T = TypeVar("T")


def paced(
    items: Iterable[T],
    rate: float | None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[T]:
    """``items`` released no faster than ``rate`` per second (``None``: as fast as they come).

    Each item waits at least ``1 / rate`` after the one before it was released, so a slow
    answer never turns into a catch-up burst above the rate.
    """
    due = clock()
    for item in items:
        if rate:
            delay = due - clock()
            if delay > 0:
                sleep(delay)
            due = max(due, clock()) + 1 / rate
        yield item
