"""A live endpoint that stands in for a webhook consumer, for tests of code that sends deliveries.

It is served by pytest-httpserver's ``HTTPServer`` (Werkzeug in a thread; no pytest
import), so the pytest plugin only creates and clears it. Like a real consumer it answers
401 to a request without the configured ``X-Qase-Secret``; every other delivery gets 200
and is validated on arrival. The verdicts are kept for the test to read, to wait for, and
for the plugin to fail the test on at teardown.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from qase_contract.errors import MissingExtra

try:
    from pytest_httpserver import HTTPServer
    from werkzeug import Request, Response
    from werkzeug.serving import WSGIRequestHandler
except ImportError:
    raise MissingExtra("the qase_receiver fixture", "pytest", "pytest-httpserver") from None

from qase_contract._util.credentials import SECRET_HEADER, presented_secret, redact_headers, secret_matches
from qase_contract._util.words import counted
from qase_contract.testing._assertions import nonconformity_report

if TYPE_CHECKING:
    from qase_contract.findings import Result
    from qase_contract.validation._validator import Validator

#: Each receiver's path is this plus a token of its own, so a delivery that arrives after its
#: test ended is told apart from the next test's; other paths get 404 and fail the test.
WEBHOOK_PATH = "/qase-webhook"


class LoopbackServer(HTTPServer):
    """pytest-httpserver's server on 127.0.0.1, any free port; it stops in 0.05 s instead of 0.5 s."""

    def __init__(self) -> None:
        super().__init__(host="127.0.0.1", port=0)

    def thread_target(self) -> None:  # the documented way to tailor the serving thread
        assert self.server is not None
        # Set before the first request is accepted: none is logged to the test's captured logs.
        self.server.RequestHandlerClass = _QuietRequestHandler
        self.server.serve_forever(poll_interval=0.05)


class _QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without its access log line per request (``INFO werkzeug: 127.0.0.1 -
    - [...] "POST ..." 200``), which would clutter every test's captured logs; errors are still
    logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass(frozen=True)
class ReceivedDelivery:
    """One accepted delivery: the raw body, the request headers (credentials redacted), the verdict."""

    body: bytes
    headers: Mapping[str, str]
    result: Result

    @property
    def event_name(self) -> str | None:
        return self.result.event_name

    def json(self) -> Any:
        """The parsed body; raises ``orjson.JSONDecodeError`` (a ``ValueError``) when it is not JSON."""
        return orjson.loads(self.body)


@dataclass(frozen=True)
class RejectedRequest:
    """A request refused with 401 because its secret was missing or wrong; never validated."""

    body: bytes
    headers: Mapping[str, str]


class LiveReceiver:
    """Receives deliveries at :attr:`url` on ``server`` until :meth:`close`."""

    def __init__(self, server: HTTPServer, validator: Validator, *, strict: bool, secret: str | None) -> None:
        self.secret = secret
        self.strict = strict
        self.path = f"{WEBHOOK_PATH}/{secrets.token_urlsafe(6)}"
        self.url = server.url_for(self.path)
        self._server = server
        self._validator = validator
        self._arrived = threading.Condition()
        self._deliveries: list[ReceivedDelivery] = []
        self._rejected: list[RejectedRequest] = []
        self._claimed: set[int] = set()
        self._reported: set[int] = set()
        self._log_checked = self._errors_checked = 0
        server.clear()
        server.no_handler_status_code = 404
        server.expect_request(self.path, method="POST").respond_with_handler(self._receive)

    @property
    def deliveries(self) -> list[ReceivedDelivery]:
        """Accepted deliveries, in order of arrival: a new list at each access, so
        ``qase_receiver.deliveries == []`` reads as it should."""
        with self._arrived:
            return list(self._deliveries)

    @property
    def rejected(self) -> list[RejectedRequest]:
        """Requests refused with 401, in order of arrival (a new list at each access)."""
        with self._arrived:
            return list(self._rejected)

    def wait_for(self, event_name: str | None = None, timeout: float = 5.0) -> ReceivedDelivery:
        """The next delivery of ``event_name`` (of any event when ``None``) not returned before.

        Raises ``AssertionError`` when none arrives within ``timeout`` seconds, or when the
        delivery does not conform (then the test fails here rather than at teardown).
        """
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        with self._arrived:
            while (index := self._next_unclaimed(event_name)) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._nothing_arrived(event_name, timeout))
                self._arrived.wait(remaining)
            self._claimed.add(index)
            delivery = self._deliveries[index]
            if not delivery.result.ok:
                self._reported.add(index)
        if not delivery.result.ok:
            raise AssertionError(nonconformity_report(delivery.result, where=self._where(index)))
        return delivery

    def problems(self) -> str | None:
        """What should fail the test and was not raised yet: non-conforming deliveries, stray requests."""
        lines = []
        with self._arrived:
            for index, delivery in enumerate(self._deliveries):
                if not delivery.result.ok and index not in self._reported:
                    self._reported.add(index)
                    lines.append(nonconformity_report(delivery.result, where=self._where(index)))
        log = self._server.log
        for request, _ in log[self._log_checked :]:
            if (request.method, request.path) == ("POST", self.path):
                continue
            went = f"{request.method} {request.path}"
            if request.path.startswith(f"{WEBHOOK_PATH}/"):
                lines.append(
                    f"qase_receiver: {went} arrived for an earlier test's receiver, after that test ended"
                )
            else:
                lines.append(f"qase_receiver: a request went to {went}, not to POST {self.path}")
        self._log_checked = len(log)
        errors = self._server.handler_errors
        lines.extend(
            f"qase_receiver: failed on a request: {error!r}" for error in errors[self._errors_checked :]
        )
        self._errors_checked = len(errors)
        return "\n".join(lines) if lines else None

    def close(self) -> None:
        """Stop receiving (the server itself keeps running for the next test)."""
        self._server.clear()

    def _receive(self, request: Request) -> Response:
        headers = dict(request.headers.items())
        body = request.get_data()
        if self.secret is not None and not secret_matches(self.secret, presented_secret(headers)):
            with self._arrived:
                self._rejected.append(RejectedRequest(body, redact_headers(headers)))
            return Response(f"missing or wrong {SECRET_HEADER}", status=401, content_type="text/plain")
        result = self._validator.validate(body).with_strict(self.strict)
        with self._arrived:
            self._deliveries.append(ReceivedDelivery(body, redact_headers(headers), result))
            self._arrived.notify_all()
        return Response("received", status=200, content_type="text/plain")

    def _next_unclaimed(self, event_name: str | None) -> int | None:
        for index, delivery in enumerate(self._deliveries):
            if index not in self._claimed and event_name in (None, delivery.event_name):
                return index
        return None

    def _nothing_arrived(self, event_name: str | None, timeout: float) -> str:
        wanted = f"a {event_name} delivery" if event_name else "a delivery"
        arrived = [delivery.event_name or "(no event_name)" for delivery in self._deliveries]
        message = f"qase_receiver: {wanted} did not arrive at {self.url} within {timeout:g} s"
        message += f"; received: {', '.join(arrived)}" if arrived else "; nothing was received"
        if self._rejected:
            rejected = counted(len(self._rejected), "request")
            message += f"; {rejected} rejected with 401 (missing or wrong {SECRET_HEADER})"
        return message

    def _where(self, index: int) -> str:
        return f"qase_receiver delivery #{index + 1}"
