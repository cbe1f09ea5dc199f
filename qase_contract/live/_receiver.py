"""The receiver: a WSGI application that checks, records and acknowledges live Qase deliveries.

Any WSGI server can host it (``gunicorn 'qase_contract.live:create_app()'``, see
:mod:`qase_contract.live._app`); ``qase-contract listen`` serves it with a threaded server.
For each request, in order:

1. the path must be the one served (404) and the method POST (405);
2. when a secret is configured, ``X-Qase-Secret`` must match it, compared in constant
   time (401; the body is ignored: never checked, logged or kept);
3. the body is read up to ``max_body`` bytes, whether it comes with a Content-Length or
   chunked (413 past it; 400 for a Content-Length that is not ASCII digits);
4. the body is validated, its answer chosen (:mod:`qase_contract.live._answers`: by the
   verdict, or as the receiver was told), and the delivery is appended to the capture file
   with that answer *before* the answer is sent (DESIGN decision 6): 200, or 400 when the
   body is not JSON or not UTF-8 (recorded raw all the same, so nothing is lost);
5. the optional ``on_delivery`` callback gets the :class:`Receipt` (the live line), the
   optional ``forward`` callback gets the raw body and the original headers, and the answer
   goes out, after the delay the receiver was told to keep, if any.

A contract violation is still answered 200: the receiver's verdict is for the team, and a
non-2xx answer would only make Qase retry a delivery it has already made.

The secret never reaches what is recorded or printed: credential-named headers and query
parameters are redacted by name, and anything carrying the secret's value (any header, any
query or ``;`` parameter, a path segment, the method) by value.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO, Protocol

import orjson

from qase_contract._util.credentials import (
    presented_secret,
    redact_headers,
    redact_path,
    redact_query,
    redact_text,
    secret_matches,
)
from qase_contract._util.http_status import status_line
from qase_contract._util.printable import printable
from qase_contract.contract._schema_set import ENVELOPE_ID
from qase_contract.errors import RequestRejected
from qase_contract.findings import Finding
from qase_contract.live._answers import BODILESS, AnswerPolicy, body_content_type
from qase_contract.reporters._live import live_summary
from qase_contract.sources._capture import CaptureRecord, CaptureWriter, utc_now
from qase_contract.validation._batch import NO_EVENT
from qase_contract.validation._validator import Validator

DEFAULT_MAX_BODY = 1024 * 1024
EXPECTED_CONTENT_TYPE = "application/json"
_READ_SIZE = 64 * 1024
#: More digits than any body size this receiver accepts; ``int()`` of thousands of digits is
#: refused by Python itself (and slow), so a longer Content-Length is too large unread.
_MAX_LENGTH_DIGITS = 18

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Receipt:
    """One request as the receiver saw and answered it: what was received, the verdict, what
    was answered. The live line, the JSON line and the tally are made from it.

    ``verdict`` is the validator's status for a delivery that was checked, ``None`` for a
    request rejected before that (``reason`` then says why); ``findings`` are the delivery's
    findings, best first. ``ok`` is false for a delivery that fails the contract (drift too
    under ``strict``). ``status`` is the status answered, ``answered_by`` the rule that chose
    it when it was not the verdict (``--respond``, ``--fail-rate``), ``answer`` the answer's
    body and ``delay`` the seconds it was held back. ``number`` counts the requests this
    receiver handled, from 1 (the forwarder's report and the live line meet by it), and
    ``capture_offset`` is where the record starts in the capture file, once recorded.

    The request's facts are as recorded: no field ever holds the secret (headers, query, path
    and method are redacted) or the body of a request refused before it was read (``body`` is
    then empty).
    """

    received_at: str
    status: int
    method: str
    path: str
    remote_addr: str | None
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    event: str | None = None
    verdict: str | None = None
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    note: str = ""
    ok: bool = True
    recorded: bool = False
    answered_by: str = ""
    answer: bytes = b""
    answer_type: str = "application/json"
    delay: float = 0.0
    number: int = 0
    capture_offset: int | None = None

    @property
    def checked(self) -> bool:
        return self.verdict is not None

    @property
    def finding(self) -> Finding | None:
        """The first (best) finding, if any."""
        return self.findings[0] if self.findings else None


#: Distinct event names (and rejection reasons) counted one by one: a client inventing a new
#: one per request cannot grow the tally without bound; the rest are counted together.
MAX_TALLIED = 1000
OTHERS = "(others)"


def _bounded(key: str, counts: Mapping[str, object]) -> str:
    """``key``, or :data:`OTHERS` once ``counts`` holds :data:`MAX_TALLIED` other keys."""
    return key if key in counts or len(counts) < MAX_TALLIED else OTHERS


class ReceiptTally:
    """Counts per event and verdict, rejected requests per reason, answers per status and
    forwarding results per status; safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_event: dict[str, Counter[str]] = {}
        self.rejected: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()
        self.forwarded: Counter[str] = Counter()
        self.recorded = 0
        self.failed = 0

    def count(self, receipt: Receipt) -> None:
        with self._lock:
            if receipt.checked:
                event = _bounded(receipt.event if receipt.event is not None else NO_EVENT, self.by_event)
                self.by_event.setdefault(event, Counter())[str(receipt.verdict)] += 1
                self.failed += not receipt.ok
                by = f" ({receipt.answered_by})" if receipt.answered_by else ""
                self.answered[f"{receipt.status}{by}"] += 1
            else:
                self.rejected[_bounded(f"{receipt.status} {receipt.reason}", self.rejected)] += 1
            self.recorded += receipt.recorded

    def count_forwarded(self, result: str) -> None:
        """One forwarding result: the consumer's status, or what became of the delivery."""
        with self._lock:
            self.forwarded[_bounded(result, self.forwarded)] += 1

    def summary_lines(self) -> list[str]:
        with self._lock:
            return live_summary(self.by_event, self.rejected, self.recorded, self.answered, self.forwarded)


class Forward(Protocol):
    """Receives each recorded delivery's raw body and original headers (secret included)."""

    def __call__(self, body: bytes, headers: Mapping[str, str], receipt: Receipt) -> None: ...


class Receiver:
    """The WSGI application. Thread-safe: counters and capture appends take locks.

    ``writer`` is where deliveries are recorded (``None``: checked but not kept);
    ``path`` the one path served; ``secret`` the expected ``X-Qase-Secret`` (``None``:
    every request is accepted); ``max_body`` the largest body accepted, in bytes;
    ``answers`` how checked deliveries are answered (default: by the verdict).
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
        answers: AnswerPolicy | None = None,
    ) -> None:
        self.validator = validator if validator is not None else Validator()
        self.writer = writer
        self.secret = secret or None
        self.path = _normal_path(path)
        self.max_body = max_body
        self.on_delivery = on_delivery
        self.forward = forward
        self.answers = answers if answers is not None else AnswerPolicy()
        self.tally = ReceiptTally()
        self._numbers = itertools.count(1)  # next() on a count is atomic under the GIL

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
        receipt = self.handle(environ)
        self.tally.count(receipt)
        if self.on_delivery is not None:
            # A closed output (stdout piped into `head`) must not turn a kept delivery into a 500.
            with contextlib.suppress(OSError):
                self.on_delivery(receipt)
        if receipt.delay:
            time.sleep(receipt.delay)
        headers: list[tuple[str, str]] = []
        body = receipt.answer
        if receipt.status in BODILESS:
            body = b""
        else:
            headers += [("Content-Type", receipt.answer_type), ("Content-Length", str(len(body)))]
        if receipt.status == 405:
            headers.append(("Allow", "POST"))
        start_response(status_line(receipt.status), headers)
        return [body]

    def handle(self, environ: Environ) -> Receipt:
        """The receipt of one request, its answer included; records before returning."""
        secret = self.secret
        path = _wsgi_text(str(environ.get("PATH_INFO", "")))
        method = str(environ.get("REQUEST_METHOD", ""))
        headers = request_headers(environ)
        request: dict[str, Any] = {
            "number": next(self._numbers),
            "received_at": utc_now(),
            "method": redact_text(method, secret),
            "path": redact_path(path, secret),
            "query": redact_query(_wsgi_text(str(environ.get("QUERY_STRING", ""))), secret),
            "remote_addr": environ.get("REMOTE_ADDR") or None,
            "headers": redact_headers(headers, secret),
        }
        try:
            self._admit(path, method, headers)
            body = read_body(environ, self.max_body)
        except RequestRejected as rejected:
            receipt = Receipt(status=rejected.status, reason=redact_text(rejected.reason, secret), **request)
            return _with_answer(receipt)
        receipt = self._check(body, headers, request)
        answer = self.answers.answer(receipt.status)
        receipt = replace(
            receipt,
            status=answer.status,
            answered_by=answer.by,
            answer=answer.body or b"",
            delay=self.answers.delay,
        )
        if self.writer is not None:
            try:
                offset = self.writer.append(_record(receipt))
            except (OSError, ValueError) as error:
                # Not kept, so not acknowledged: Qase may deliver it again.
                reason = f"capture not written ({error}); not acknowledged"
                return _with_answer(replace(receipt, status=503, reason=reason, answered_by="", delay=0.0))
            recorded_raw = "not JSON; recorded raw" if receipt.reason == _NOT_JSON else receipt.reason
            receipt = replace(receipt, recorded=True, reason=recorded_raw, capture_offset=offset)
        if self.forward is not None:
            self.forward(body, headers, receipt)
        return _with_answer(receipt, told=answer.body is not None)

    def _admit(self, path: str, method: str, headers: Mapping[str, str]) -> None:
        if _normal_path(path) != self.path:
            raise RequestRejected(404, "not the path served")
        if method != "POST":
            raise RequestRejected(405, f"method {printable(method)} not allowed")
        if self.secret is not None and not secret_matches(self.secret, presented_secret(headers)):
            raise RequestRejected(401, "wrong or missing X-Qase-Secret (body ignored)")

    def _check(self, body: bytes, headers: Mapping[str, str], request: dict[str, Any]) -> Receipt:
        return checked_receipt(self.validator, body, note=_content_type_note(headers), **request)


def checked_receipt(validator: Validator, body: bytes, **request: Any) -> Receipt:
    """The receipt of a body checked by ``validator``, before any answer is chosen: 200, or
    400 for a body that is not JSON. ``request`` holds the request's other facts, as recorded."""
    try:
        result = validator.validate(body)
    except Exception as error:  # a checker bug must not lose the delivery: keep and ack it
        return Receipt(
            verdict="error",
            reason=f"checker failed: {error!r}",
            ok=False,
            status=200,
            body=body,
            **request,
        )
    first = result.findings[0] if result.findings else None
    unparsable = first is not None and first.code == "unparsable"
    return Receipt(
        status=400 if unparsable else 200,
        body=body,
        event=result.event_name,
        verdict=result.status,
        findings=result.findings,
        reason=_NOT_JSON if unparsable else "",
        ok=result.ok,
        **request,
    )


_NOT_JSON = "not JSON"


def _record(receipt: Receipt) -> CaptureRecord:
    """The capture record of a checked delivery: the raw body, the redacted request, the answer."""
    return CaptureRecord(
        body=receipt.body,
        received_at=receipt.received_at,
        method=receipt.method,
        path=receipt.path,
        query=receipt.query,
        remote_addr=receipt.remote_addr,
        headers=receipt.headers,
        status=receipt.status,
    )


def _wsgi_text(text: str) -> str:
    """A path or query as the client wrote it: WSGI hands over its bytes one character each
    (PEP 3333); UTF-8 is decoded, anything else is kept as it came."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


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


def is_ascii_number(text: str) -> bool:
    """Whether ``text`` is a number written in ASCII digits only: ``str.isdigit`` also takes
    ``²`` (which ``int`` refuses) and ``٣`` (which ``int`` reads as 3)."""
    return text.isascii() and text.isdigit()


def read_body(environ: Environ, max_body: int) -> bytes:
    """The request body, never more than ``max_body`` bytes read into memory.

    A server that decodes chunked bodies (or knows the body ends with the stream) says so
    with ``wsgi.input_terminated``; otherwise the body is ``CONTENT_LENGTH`` bytes, and
    without one it is empty (RFC 9112, 6.3) unless a Transfer-Encoding the server left
    undecoded makes it unreadable here (411). A Content-Length that is not ASCII digits is
    a 400 (RFC 9110, 8.6), never an exception.
    """
    stream: BinaryIO = environ["wsgi.input"]
    too_large = RequestRejected(413, f"body over --max-body {max_body} bytes")
    if environ.get("wsgi.input_terminated"):
        body = _read_up_to(stream, max_body + 1)  # one byte more than allowed shows a body past the bound
        if len(body) > max_body:
            raise too_large
        return body
    length_text = str(environ.get("CONTENT_LENGTH") or "").strip(" \t")
    if not length_text:
        if environ.get("HTTP_TRANSFER_ENCODING"):
            raise RequestRejected(
                411, "a Transfer-Encoding body this server does not decode; send a Content-Length"
            )
        return b""
    if not is_ascii_number(length_text):
        raise RequestRejected(400, "Content-Length is not a number (ASCII digits)")
    if len(length_text.lstrip("0")) > _MAX_LENGTH_DIGITS:
        raise too_large
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


def _with_answer(receipt: Receipt, *, told: bool = False) -> Receipt:
    """The receipt with its answer's body: the one the receiver was told to send, or the
    receiver's own JSON account of the request."""
    if told:
        return replace(receipt, answer_type=body_content_type(receipt.answer))
    return replace(receipt, answer=orjson.dumps(_answer(receipt)))


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
        answer["error"] = receipt.reason or f"answered {receipt.status} as told ({receipt.answered_by})"
    return answer


def _normal_path(path: str) -> str:
    return "/" + path.strip("/")
