"""Send deliveries to a consumer's URL: sample ones per event, or captured ones byte for byte.

One delivery per connection, like Qase, with the standard library's ``http.client``.
Every post gives an :class:`ConsumerAnswer` with the status and the latency, or the error
that prevented one; nothing here raises for a consumer that fails.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import orjson

from qase_contract._util.credentials import REDACTED, SECRET_HEADER, is_secret_header, redact_query
from qase_contract._util.printable import printable
from qase_contract._version import __version__
from qase_contract.contract._inventory import example_path
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import BadTarget, CaptureFormatError
from qase_contract.reporters._live import answer_text
from qase_contract.sources._capture import iter_capture

DEFAULT_TIMEOUT = 15.0  # seconds: Qase gives up on a consumer after 15 s
USER_AGENT = f"qase-contract/{__version__}"
#: Headers that describe one connection or one framing of the body, never replayed as recorded.
_CONNECTION_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "proxy-connection",
    }
)
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
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port is not None else ""
        login = "***@" if self.authorization else ""
        path, mark, query = self.request_target.partition("?")
        return f"{self.scheme}://{login}{host}{port}{path}{mark}{redact_query(query)}"


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


def post(
    target: Target, body: bytes, headers: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT
) -> ConsumerAnswer:
    """POST ``body`` with ``headers`` (plus Content-Length) on a fresh connection.

    ``timeout`` bounds the whole exchange, not each read: a consumer that answers a byte at a
    time is cut off as one that never answers. At most ``_MAX_ANSWER`` bytes are read.
    """
    connection_class = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(target.host, target.port, timeout=timeout)
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


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One delivery to send: a label for the output, its raw body and its headers.

    ``problem`` is set instead for a capture line that could not be read.
    """

    label: str
    body: bytes = b""
    headers: Mapping[str, str] | None = None
    problem: str | None = None


def sample_headers(secret: str | None) -> dict[str, str]:
    """The headers Qase sends with a delivery."""
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if secret:
        headers[SECRET_HEADER] = secret
    return headers


def samples(events: Iterable[str], secret: str | None) -> Iterator[Outgoing]:
    """The canonical example delivery of each event, compact JSON as Qase sends it."""
    for event in events:
        example = example_path(SchemaSet.builtin(), event).read_bytes()
        yield Outgoing(event, orjson.dumps(orjson.loads(example)), sample_headers(secret))


def replay_headers(recorded: Mapping[str, str], secret: str | None) -> dict[str, str]:
    """The recorded headers to send again: connection headers dropped, credentials restored.

    A recorded secret was written as ``[redacted]``; it is replaced by ``secret`` (or dropped
    without one), and other redacted credentials are dropped: they are never known again.
    """
    headers: dict[str, str] = {}
    for name, value in recorded.items():
        lowered = name.lower()
        if lowered in _CONNECTION_HEADERS or (is_secret_header(name) and value == REDACTED):
            continue
        headers[name] = value
    if secret:
        headers = {k: v for k, v in headers.items() if k.lower() != SECRET_HEADER.lower()}
        headers[SECRET_HEADER] = secret
    return headers


def forward_headers(received: Mapping[str, str]) -> dict[str, str]:
    """The headers of a live delivery to pass on, secret included, connection headers dropped."""
    return {name: value for name, value in received.items() if name.lower() not in _CONNECTION_HEADERS}


def replays(capture: str | os.PathLike[str], secret: str | None) -> Iterator[Outgoing]:
    """Every delivery recorded in a capture file, body byte for byte, in file order."""
    for line, record in iter_capture(capture):
        label = f"{os.fspath(capture)}:{line}"
        if isinstance(record, CaptureFormatError):
            yield Outgoing(label, problem=str(record))
        else:
            yield Outgoing(
                f"{label}  {event_label(record.body)}", record.body, replay_headers(record.headers, secret)
            )


def event_label(body: bytes) -> str:
    """The delivery's ``event_name`` for output, or a placeholder when it has none."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "(not JSON)"
    name = data.get("event_name") if isinstance(data, dict) else None
    return printable(name) if isinstance(name, str) else "(no event)"


def paced(
    items: Iterable[Outgoing],
    rate: float | None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Outgoing]:
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
