"""The inspector: a page that shows ``listen``'s deliveries as they arrive (``listen --ui``).

A WSGI application on its own port, never the receiving one, bound to 127.0.0.1 unless told
otherwise. It shows payloads, so everything but its static files asks for the token printed
at start (compared in constant time): ``?token=`` in the address, or ``Authorization: Bearer``
from the page's own requests; a replay (the one request that does something) takes only
the header, which no other site's page can send. Pages are served with a strict Content
Security Policy: no script but the page's own file, nothing fetched from another host.

Routes::

    GET  /?token=T                     the page (its files under /static/, no token needed)
    GET  /api/deliveries               the list, newest first, and the last change's number
    GET  /api/deliveries/N             one delivery's details
    POST /api/deliveries/N/replay      post it again to --forward-to; the consumer's answer
    GET  /api/search?q=TEXT            the deliveries whose summary or body holds TEXT
    GET  /api/stream?after=N           server-sent events: new deliveries, consumer answers
    GET  /capture.jsonl                the capture file, as far as it is written
"""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from qase_contract._util.credentials import secret_matches
from qase_contract._util.http_status import status_line
from qase_contract.live._forwarder import Forwarded
from qase_contract.live._journal import Journal
from qase_contract.live._outgoing import replay_headers
from qase_contract.live._receiver import Environ, StartResponse
from qase_contract.live._sender import DEFAULT_TIMEOUT, Target, post
from qase_contract.reporters._inspector import consumer_answer
from qase_contract.reporters._live import forwarded_line
from qase_contract.reporters._web import ASSETS, asset
from qase_contract.sources._capture import utc_now, whole_lines_end

#: Pages following the live stream at once; each holds one of the server's threads.
MAX_STREAMS = 12
#: Threads of the inspector's server: the streams, and room for the other requests.
THREADS = MAX_STREAMS + 6
#: Seconds between checks that a stream's page is still there, and between keep-alive comments.
STREAM_POLL = 0.5
KEEP_ALIVE = 15.0
#: Replays under way at once (each waits for the consumer's answer).
MAX_REPLAYS = 2
_CHUNK = 256 * 1024

_SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
]
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_DELIVERY = re.compile(r"/api/deliveries/([0-9]{1,12})(/replay)?")
_NO_TOKEN = (
    b"<!doctype html><meta charset=utf-8><title>qase-contract inspector</title>"
    b"<p>This page needs the address <code>qase-contract listen --ui</code> printed, token included "
    b"(<code>?token=...</code>).</p>"
)


class Inspector:
    """The inspector's WSGI application over a :class:`Journal`.

    ``token`` guards it; ``target`` is where a replay posts (``--forward-to``; ``None``: no
    replay), with ``secret`` put back in the recorded headers; ``on_replayed`` gets each
    replay's line for the terminal.
    """

    def __init__(
        self,
        journal: Journal,
        token: str,
        *,
        target: Target | None = None,
        secret: str | None = None,
        on_replayed: Callable[[str], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.journal = journal
        self.token = token
        self.target = target
        self.secret = secret
        self.on_replayed = on_replayed
        self.timeout = timeout
        self.closing = threading.Event()
        self._streams = threading.BoundedSemaphore(MAX_STREAMS)
        self._replays = threading.BoundedSemaphore(MAX_REPLAYS)
        self._shown_target = target.shown(secret) if target is not None else None

    def close(self) -> None:
        """End every live stream (within :data:`STREAM_POLL` seconds), so the server can stop."""
        self.closing.set()

    def forwarded(self, forwarded: Forwarded) -> None:
        """The forwarder's report on a delivery (``listen``'s ``on_forwarded``)."""
        answer = consumer_answer(
            forwarded.at, forwarded.shown or str(forwarded.target), forwarded.answer, forwarded.skipped
        )
        self.journal.answered(forwarded.receipt, answer)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", "")) or "/"
        method = str(environ.get("REQUEST_METHOD", ""))
        if path.startswith("/static/"):
            return self._static(path[len("/static/") :], method, start_response)
        query = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", "")))
        if not self._authorised(environ, query, allow_query=method != "POST"):
            if path == "/":
                return _answer(start_response, 401, _NO_TOKEN, "text/html; charset=utf-8", PAGE_POLICY)
            return _error(start_response, 401, "the inspector's token is missing or wrong")
        wanted = "POST" if path.endswith("/replay") else "GET"
        if method != wanted:
            return _error(start_response, 405, f"use {wanted}", [("Allow", wanted)])
        if path == "/":
            page = asset("inspector.html")
            return _answer(start_response, 200, page, ASSETS["inspector.html"], PAGE_POLICY)
        if path == "/api/deliveries":
            return _json(start_response, 200, self._listing())
        if path == "/api/search":
            found, complete = self.journal.search(query.get("q", [""])[0])
            return _json(start_response, 200, {"ids": found, "complete": complete})
        if path == "/api/stream":
            return self._stream(environ, query, start_response)
        if path == "/capture.jsonl":
            return self._capture(start_response)
        match = _DELIVERY.fullmatch(path)
        if match is not None:
            number = int(match.group(1))
            if match.group(2):
                return self._replay(number, start_response)
            detail = self.journal.detail(number)
            if detail is not None:
                return _json(start_response, 200, detail)
            return _error(start_response, 404, f"delivery {number} is not in the list")
        return _error(start_response, 404, "no such page")

    def _authorised(self, environ: Environ, query: dict[str, list[str]], *, allow_query: bool) -> bool:
        presented = None
        authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
        if authorization[:7].lower() == "bearer ":
            presented = authorization[7:].strip()
        elif allow_query and query.get("token"):
            presented = query["token"][0]
        return secret_matches(self.token, presented)

    def _listing(self) -> dict[str, object]:
        deliveries, last = self.journal.listing()
        capture = self.journal.capture
        return {
            "deliveries": deliveries,
            "last": last,
            "capacity": self.journal.capacity,
            "history": self.journal.history,
            "capture": capture.name if capture is not None else None,
            "replay_to": self._shown_target,
        }

    def _static(self, name: str, method: str, start_response: StartResponse) -> Iterable[bytes]:
        if method != "GET":
            return _json(start_response, 405, {"error": "use GET"}, [("Allow", "GET")])
        if name not in ASSETS or name.endswith(".html"):
            return _error(start_response, 404, "no such file")
        return _answer(start_response, 200, asset(name), ASSETS[name], cache="no-cache")

    def _stream(
        self, environ: Environ, query: dict[str, list[str]], start_response: StartResponse
    ) -> Iterable[bytes]:
        seen_text = str(environ.get("HTTP_LAST_EVENT_ID") or query.get("after", ["0"])[0])
        if not seen_text.isascii() or not seen_text.isdigit() or len(seen_text) > 12:
            return _error(start_response, 400, "after= and Last-Event-ID take a change number")
        if not self._streams.acquire(blocking=False):
            return _error(start_response, 503, f"more than {MAX_STREAMS} pages follow the deliveries")
        disconnected = environ.get("waitress.client_disconnected") or (lambda: False)
        start_response(
            "200 OK",
            [("Content-Type", "text/event-stream"), ("Cache-Control", "no-store"), *_SECURITY_HEADERS],
        )
        return _EventStream(self.journal, int(seen_text), self.closing, disconnected, self._streams.release)

    def _capture(self, start_response: StartResponse) -> Iterable[bytes]:
        capture = self.journal.capture
        if capture is None:
            return _error(start_response, 404, "not recording: start listen with --record FILE")
        try:
            file = capture.open("rb")
        except OSError as error:
            return _error(start_response, 404, f"cannot read the capture file: {error.strerror}")
        end = whole_lines_end(file, file.seek(0, 2))
        name = capture.name.replace('"', "")
        headers = [
            ("Content-Type", "application/x-ndjson"),
            ("Content-Length", str(end)),
            ("Content-Disposition", f"attachment; filename*=UTF-8''{urllib.parse.quote(name)}"),
            ("Cache-Control", "no-store"),
            *_SECURITY_HEADERS,
        ]
        start_response("200 OK", headers)
        return _file_chunks(file, end)

    def _replay(self, number: int, start_response: StartResponse) -> Iterable[bytes]:
        target = self.target
        if target is None:
            return _error(start_response, 409, "nowhere to replay: start listen with --forward-to URL")
        if number not in self.journal:
            return _error(start_response, 404, f"delivery {number} is not in the list")
        receipt = self.journal.receipt(number)
        if receipt is None:
            return _error(start_response, 410, "its body is no longer kept (record with --record)")
        if not receipt.checked:
            return _error(start_response, 409, "a refused request is not replayed")
        if not self._replays.acquire(blocking=False):
            return _error(start_response, 429, "other replays are under way; try again")
        try:
            reply = post(
                target, receipt.body, replay_headers(receipt.headers, self.secret), timeout=self.timeout
            )
        finally:
            self._replays.release()
        at, shown = utc_now(), self._shown_target or str(target)
        answer = consumer_answer(at, shown, reply, replay=True)
        self.journal.add_answer(number, answer)
        if self.on_replayed is not None:
            line = forwarded_line(at, shown, receipt, reply, "")
            self.on_replayed(f"{line}  (replayed from the inspector)")
        return _json(start_response, 200, answer)


class _EventStream:
    """The live stream of one page: the journal's changes as server-sent events, a keep-alive
    comment when nothing happens, until the page goes or the inspector closes. ``release``
    gives its place back, once, when it ends."""

    def __init__(
        self,
        journal: Journal,
        seen: int,
        closing: threading.Event,
        disconnected: Callable[[], bool],
        release: Callable[[], None],
    ) -> None:
        self._journal = journal
        self._seen = seen
        self._closing = closing
        self._disconnected = disconnected
        self._release: Callable[[], None] | None = release
        self._started = False
        self._ended = False
        self._sent_at = time.monotonic()

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if not self._started:
            self._started = True
            return b"retry: 1000\n: the inspector's live stream\n\n"
        while not self._ended and not self._closing.is_set():
            changes = self._journal.changes_after(self._seen, STREAM_POLL)
            if changes.reset:
                self._ended = True  # the page reloads the list, then follows a new stream
                return b"id: %d\nevent: reset\ndata: {}\n\n" % changes.last
            if changes.messages:
                self._seen = changes.last
                self._sent_at = time.monotonic()
                return b"".join(changes.messages)
            if self._disconnected():
                break
            if time.monotonic() - self._sent_at >= KEEP_ALIVE:
                self._sent_at = time.monotonic()
                return b": keep-alive\n\n"
        self.close()
        raise StopIteration

    def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


def _file_chunks(file: Any, end: int) -> Iterator[bytes]:
    with file:
        file.seek(0)
        left = end
        while left > 0:
            chunk = file.read(min(_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def _answer(
    start_response: StartResponse,
    status: int,
    body: bytes,
    content_type: str,
    policy: str | None = None,
    cache: str = "no-store",
) -> list[bytes]:
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", cache),
        *_SECURITY_HEADERS,
    ]
    if policy is not None:
        headers.append(("Content-Security-Policy", policy))
    start_response(status_line(status), headers)
    return [body]


def _error(
    start_response: StartResponse, status: int, message: str, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    return _json(start_response, status, {"error": message}, extra)


def _json(
    start_response: StartResponse,
    status: int,
    data: object,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    body = orjson.dumps(data)
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *_SECURITY_HEADERS,
        *(extra or []),
    ]
    start_response(status_line(status), headers)
    return [body]
