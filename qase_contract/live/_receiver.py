"""The receiver: a WSGI application that checks, records and acknowledges live Qase deliveries.

Any WSGI server can host it (``gunicorn 'qase_contract.live._receiver:create_app()'``);
``qase-contract listen`` serves it with a threaded server. For each request, in order:

1. the path must be the one served (404) and the method POST (405);
2. when a secret is configured, ``X-Qase-Secret`` must match it, compared in constant
   time (401; the body is ignored: never checked, logged or kept);
3. the body is read up to ``max_body`` bytes, whether it comes with a Content-Length or
   chunked (413 past it);
4. the body is validated, and the delivery is appended to the capture file and flushed
   *before* the answer is sent (DESIGN decision 6): 200, or 400 when the body is not JSON
   or not UTF-8 (recorded raw all the same, so nothing is lost);
5. the optional ``on_delivery`` callback gets an :class:`Receipt` (the live line), and the
   optional ``forward`` callback gets the raw body and the original headers.

A contract violation is still answered 200: the receiver's verdict is for the team, and a
non-2xx answer would only make Qase retry a delivery it has already made.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, Protocol

import orjson

from qase_contract._util.credentials import presented_secret, secret_matches
from qase_contract._util.printable import printable
from qase_contract.contract._schema_set import ENVELOPE_ID
from qase_contract.errors import RequestRejected
from qase_contract.findings import Finding
from qase_contract.reporters._live import live_line, live_summary
from qase_contract.sources._capture import CaptureRecord, CaptureWriter, utc_now
from qase_contract.validation._batch import NO_EVENT
from qase_contract.validation._validator import Validator

DEFAULT_MAX_BODY = 1024 * 1024
EXPECTED_CONTENT_TYPE = "application/json"
_READ_SIZE = 64 * 1024

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = Mapping[str, Any]

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    503: "Service Unavailable",
}


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the receiver did with one request: the facts of the live line and the counters.

    ``verdict`` is the validator's status for a delivery that was checked, ``None`` for a
    request rejected before that (``reason`` then says why); ``finding`` is the first
    finding. ``ok`` is false for a delivery that fails the contract (drift too under
    ``strict``). No field ever holds the secret or a rejected body.
    """

    received_at: str
    status: int
    method: str
    path: str
    remote_addr: str | None
    event: str | None = None
    verdict: str | None = None
    finding: Finding | None = None
    reason: str = ""
    note: str = ""
    ok: bool = True
    recorded: bool = False

    @property
    def checked(self) -> bool:
        return self.verdict is not None


#: Distinct event names (and rejection reasons) counted one by one: a client inventing a new
#: one per request cannot grow the tally without bound; the rest are counted together.
MAX_TALLIED = 1000
OTHERS = "(others)"


def _bounded(key: str, counts: Mapping[str, object]) -> str:
    """``key``, or :data:`OTHERS` once ``counts`` holds :data:`MAX_TALLIED` other keys."""
    return key if key in counts or len(counts) < MAX_TALLIED else OTHERS


class ReceiptTally:
    """Counts per event and verdict, and rejected requests per reason; safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_event: dict[str, Counter[str]] = {}
        self.rejected: Counter[str] = Counter()
        self.recorded = 0
        self.failed = 0

    def count(self, receipt: Receipt) -> None:
        with self._lock:
            if receipt.checked:
                event = _bounded(receipt.event if receipt.event is not None else NO_EVENT, self.by_event)
                self.by_event.setdefault(event, Counter())[str(receipt.verdict)] += 1
                self.failed += not receipt.ok
            else:
                self.rejected[_bounded(f"{receipt.status} {receipt.reason}", self.rejected)] += 1
            self.recorded += receipt.recorded

    def summary_lines(self) -> list[str]:
        with self._lock:
            return live_summary(self.by_event, self.rejected, self.recorded)


class Forward(Protocol):
    """Receives each recorded delivery's raw body and original headers (secret included)."""

    def __call__(self, body: bytes, headers: Mapping[str, str], receipt: Receipt) -> None: ...


class Receiver:
    """The WSGI application. Thread-safe: counters and capture appends take locks.

    ``writer`` is where deliveries are recorded (``None``: checked but not kept);
    ``path`` the one path served; ``secret`` the expected ``X-Qase-Secret`` (``None``:
    every request is accepted); ``max_body`` the largest body accepted, in bytes.
    """

    def __init__(
        self,
        *,
        validator: Validator | None = None,
        writer: CaptureWriter | None = None,
        secret: str | None = None,
        path: str = "/",
        max_body: int = DEFAULT_MAX_BODY,
        on_delivery: Callable[[Receipt], None] | None = None,
        forward: Forward | None = None,
    ) -> None:
        self.validator = validator if validator is not None else Validator()
        self.writer = writer
        self.secret = secret or None
        self.path = _normal_path(path)
        self.max_body = max_body
        self.on_delivery = on_delivery
        self.forward = forward
        self.tally = ReceiptTally()

    def warm_up(self) -> Receiver:
        """Compile every event's schema engines now, so no delivery waits on a compilation."""
        schema_set = self.validator.schema_set
        for schema_id in {
            ENVELOPE_ID,
            *(schema_set.schema_id_for(name) for name in self.validator.event_names),
        }:
            if schema_id is not None:
                self.validator.engine(schema_id)
        return self

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        receipt, headers = self.handle(environ)
        self.tally.count(receipt)
        if self.on_delivery is not None:
            # A closed output (stdout piped into `head`) must not turn a kept delivery into a 500.
            with contextlib.suppress(OSError):
                self.on_delivery(receipt)
        body = orjson.dumps(_answer(receipt))
        response_headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        response_headers.extend(headers)
        start_response(f"{receipt.status} {_REASONS.get(receipt.status, '')}", response_headers)
        return [body]

    def handle(self, environ: Environ) -> tuple[Receipt, list[tuple[str, str]]]:
        """The receipt of one request and any extra response headers; records before returning."""
        request: dict[str, Any] = {
            "received_at": utc_now(),
            "method": str(environ.get("REQUEST_METHOD", "")),
            "path": str(environ.get("PATH_INFO", "")),
            "remote_addr": environ.get("REMOTE_ADDR") or None,
        }
        headers = request_headers(environ)
        try:
            self._admit(environ, headers)
            body = read_body(environ, self.max_body)
        except RequestRejected as rejected:
            extra = [("Allow", "POST")] if rejected.status == 405 else []
            return Receipt(status=rejected.status, reason=rejected.reason, **request), extra
        receipt = self._check(body, headers, request)
        if self.writer is not None:
            record = CaptureRecord.received(
                body, headers, query=str(environ.get("QUERY_STRING", "")), status=receipt.status, **request
            )
            try:
                self.writer.append(record)
            except (OSError, ValueError) as error:
                # Not kept, so not acknowledged: Qase may deliver it again.
                reason = f"capture not written ({error}); not acknowledged"
                return replace(receipt, status=503, reason=reason), []
            recorded_raw = "not JSON; recorded raw" if receipt.reason == _NOT_JSON else receipt.reason
            receipt = replace(receipt, recorded=True, reason=recorded_raw)
        if self.forward is not None:
            self.forward(body, headers, receipt)
        return receipt, []

    def _admit(self, environ: Environ, headers: Mapping[str, str]) -> None:
        if _normal_path(str(environ.get("PATH_INFO", ""))) != self.path:
            raise RequestRejected(404, "not the path served")
        method = str(environ.get("REQUEST_METHOD", ""))
        if method != "POST":
            raise RequestRejected(405, f"method {printable(method)} not allowed")
        if self.secret is not None and not secret_matches(self.secret, presented_secret(headers)):
            raise RequestRejected(401, "wrong or missing X-Qase-Secret (body ignored)")

    def _check(self, body: bytes, headers: Mapping[str, str], request: dict[str, Any]) -> Receipt:
        note = _content_type_note(headers)
        try:
            result = self.validator.validate(body)
        except Exception as error:  # a checker bug must not lose the delivery: keep and ack it
            return Receipt(
                verdict="error", reason=f"checker failed: {error!r}", ok=False, status=200, **request
            )
        first = result.findings[0] if result.findings else None
        unparsable = first is not None and first.code == "unparsable"
        return Receipt(
            status=400 if unparsable else 200,
            event=result.event_name,
            verdict=result.status,
            finding=first,
            reason=_NOT_JSON if unparsable else "",
            note=note,
            ok=result.ok,
            **request,
        )


_NOT_JSON = "not JSON"


def request_headers(environ: Environ) -> dict[str, str]:
    """The request headers a WSGI server passed on, under their usual capitalisation."""
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key
        else:
            continue
        headers["-".join(part.capitalize() for part in name.split("_"))] = str(value)
    return headers


def read_body(environ: Environ, max_body: int) -> bytes:
    """The request body, never more than ``max_body`` bytes read into memory.

    A server that decodes chunked bodies (or knows the body ends with the stream) says so
    with ``wsgi.input_terminated``; otherwise the body is ``CONTENT_LENGTH`` bytes, and
    without one it is empty (RFC 9112, 6.3) unless a Transfer-Encoding the server left
    undecoded makes it unreadable here (411).
    """
    stream: BinaryIO = environ["wsgi.input"]
    too_large = RequestRejected(413, f"body over --max-body {max_body} bytes")
    if environ.get("wsgi.input_terminated"):
        body = _read_up_to(stream, max_body + 1)  # one byte more than allowed shows a body past the bound
        if len(body) > max_body:
            raise too_large
        return body
    length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not length_text:
        if environ.get("HTTP_TRANSFER_ENCODING"):
            raise RequestRejected(
                411, "a Transfer-Encoding body this server does not decode; send a Content-Length"
            )
        return b""
    if not length_text.isdigit():
        raise RequestRejected(400, "Content-Length is not a number")
    length = int(length_text)
    if length > max_body:
        raise too_large
    body = _read_up_to(stream, length)
    if len(body) < length:
        raise RequestRejected(400, f"body ended after {len(body)} of {length} bytes")
    return body


def _read_up_to(stream: BinaryIO, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        while size < limit:
            chunk = stream.read(min(_READ_SIZE, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise RequestRejected(400, f"body could not be read ({error})") from None
    return b"".join(chunks)


def _content_type_note(headers: Mapping[str, str]) -> str:
    content_type = headers.get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() == EXPECTED_CONTENT_TYPE:
        return ""
    shown = printable(content_type) if content_type else "none"
    return f"Content-Type {shown}, Qase sends {EXPECTED_CONTENT_TYPE}; checked all the same"


def _answer(receipt: Receipt) -> dict[str, object]:
    if receipt.status >= 300 and not receipt.checked:
        return {"error": receipt.reason}
    answer: dict[str, object] = {
        "accepted": receipt.status < 300,
        "event_name": receipt.event,
        "verdict": receipt.verdict,
        "recorded": receipt.recorded,
    }
    if receipt.finding is not None:
        answer["first_finding"] = {"code": receipt.finding.code, "path": receipt.finding.path}
    if receipt.status >= 300:
        answer["error"] = receipt.reason
    return answer


def _normal_path(path: str) -> str:
    return "/" + path.strip("/")


def create_app() -> Receiver:
    """A receiver configured from the environment, for WSGI servers such as gunicorn.

    ``QASE_WEBHOOK_SECRET`` (the secret), ``QASE_CONTRACT_RECORD`` (capture file),
    ``QASE_CONTRACT_PATH`` (default ``/``), ``QASE_CONTRACT_MAX_BODY`` (bytes) and
    ``QASE_CONTRACT_STRICT`` (``1``: drift fails). Live lines go to standard output.
    """
    record = os.environ.get("QASE_CONTRACT_RECORD")
    lock = threading.Lock()

    def print_line(receipt: Receipt) -> None:
        with lock:
            print(live_line(receipt), file=sys.stdout, flush=True)

    receiver = Receiver(
        validator=Validator(strict=os.environ.get("QASE_CONTRACT_STRICT", "") not in ("", "0")),
        writer=CaptureWriter(record) if record else None,
        secret=os.environ.get("QASE_WEBHOOK_SECRET"),
        path=os.environ.get("QASE_CONTRACT_PATH", "/"),
        max_body=_environ_bytes("QASE_CONTRACT_MAX_BODY", DEFAULT_MAX_BODY),
        on_delivery=print_line,
    )
    return receiver.warm_up()


def _environ_bytes(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a positive number of bytes, got {text!r}")
    return int(text)
