"""Helpers for receiver tests: WSGI environs, a recording consumer, served apps and raw HTTP."""

from __future__ import annotations

import io
import socket
import ssl
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson

from qase_contract.live._receiver import Receipt, Receiver
from qase_contract.live._server import Server
from tests.helpers.data import EXAMPLES, ROOT

SECRET = "s3cret-never-printed"
DELIVERY = orjson.dumps(orjson.loads((EXAMPLES / "case.created" / "canonical.json").read_bytes()))
JSON_HEADERS = {"Content-Type": "application/json", "X-Qase-Secret": SECRET}


def numbered_delivery(number: int) -> bytes:
    """A conforming delivery told apart from the others by its timestamp."""
    data = orjson.loads(DELIVERY)
    data["timestamp"] = 1_700_000_000 + number
    return orjson.dumps(data)


def environ(
    body: bytes = DELIVERY,
    headers: Mapping[str, str] | None = None,
    *,
    method: str = "POST",
    path: str = "/",
    stream: Any = None,
    content_length: bool = True,
    terminated: bool = False,
) -> dict[str, Any]:
    """A WSGI environ as a server builds it; ``terminated`` is a server-decoded chunked body."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": stream if stream is not None else io.BytesIO(body),
    }
    if terminated:
        env["wsgi.input_terminated"] = True
    elif content_length:
        env["CONTENT_LENGTH"] = str(len(body))
    for name, value in (JSON_HEADERS if headers is None else headers).items():
        key = name.upper().replace("-", "_")
        env[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    return env


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


def call(app: Any, env: Mapping[str, Any]) -> Reply:
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        started.append((status, headers))

    body = b"".join(app(env, start_response))
    status, headers = started[0]
    return Reply(int(status.split()[0]), dict(headers), body)


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anybody reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read")


@dataclass
class Lines:
    """Collects the receiver's receipts (the live lines' facts) from any thread."""

    receipts: list[Receipt] = field(default_factory=list)

    def __call__(self, receipt: Receipt) -> None:
        self.receipts.append(receipt)


class RecordingConsumer:
    """A consumer's endpoint: keeps every raw body and its headers, answers ``status``.

    ``hold`` (when set) keeps each request waiting until it is released, like a slow consumer.
    """

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.arrived = threading.Event()
        self.hold: threading.Event | None = None

    def __call__(self, environ: Mapping[str, Any], start_response: Any) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        self.received.append((body, headers))
        self.arrived.set()
        if self.hold is not None:
            self.hold.wait(10)
        start_response(f"{self.status} X", [("Content-Type", "text/plain")])
        return [b"consumer says hi"]


@contextmanager
def serving(app: Any, max_request_body: int | None = None) -> Iterator[Server]:
    """``app`` on a free loopback port for the duration of the block."""
    server = Server(app, "127.0.0.1", 0, max_request_body=max_request_body).start()
    try:
        yield server
    finally:
        server.stop()


def raw_request(port: int, request: bytes, *, timeout: float = 10.0) -> bytes:
    """Send raw bytes and read the answer as a client does: its head, then Content-Length bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                return answer
            answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            None,
        )
        while length is not None and len(body) < length and (chunk := connection.recv(65536)):
            body += chunk
    return head + b"\r\n\r\n" + body


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def make_receiver(**options: Any) -> Receiver:
    options.setdefault("secret", SECRET)
    return Receiver(**options)


#: A self-signed certificate for localhost and 127.0.0.1 (valid 2000 to 2125), and its key.
TLS_CERT = ROOT / "tests" / "data" / "tls" / "cert.pem"
TLS_KEY = ROOT / "tests" / "data" / "tls" / "key.pem"


@contextmanager
def serving_tls(app: Any) -> Iterator[str]:
    """``app`` over HTTPS on a free loopback port, with the test certificate; yields its URL."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    class TLSServer(WSGIServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that refuses the certificate hangs up mid-handshake

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS_CERT, TLS_KEY)
    server = make_server("127.0.0.1", 0, app, server_class=TLSServer, handler_class=Quiet)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
