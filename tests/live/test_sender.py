"""The sender's pieces: targets, replayed headers and pacing, without a network."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from qase_contract.errors import BadTarget
from qase_contract.live._outgoing import Outgoing, forward_headers, replay_headers
from qase_contract.live._sender import ConsumerAnswer, Target, paced, post


def test_a_target_keeps_the_path_and_query_of_its_url() -> None:
    target = Target.parse("https://consumer.example:8443/hooks/qase?team=a")
    assert (target.scheme, target.host, target.port, target.request_target) == (
        "https",
        "consumer.example",
        8443,
        "/hooks/qase?team=a",
    )
    assert str(Target.parse("http://[::1]:9/")) == "http://[::1]:9/"
    assert Target.parse("http://host").request_target == "/"


@pytest.mark.parametrize(
    ("url", "sent_as"),
    [
        ("http://127.0.0.1:1/é?q=ü&a=b", "http://127.0.0.1:1/%C3%A9?q=%C3%BC&a=b"),
        ("http://bücher.example/x", "http://xn--bcher-kva.example/x"),
        ("http://h/a%20b?x=%C3%A9", "http://h/a%20b?x=%C3%A9"),
    ],
    ids=["non-ascii-path-and-query", "international-host", "already-encoded"],
)
def test_a_target_is_sent_in_ascii_as_browsers_do(url: str, sent_as: str) -> None:
    assert str(Target.parse(url)) == sent_as


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://h/", "not an http"),
        ("http://", "no host"),
        ("http://h:99999/", "port that is not a number"),
        ("http://[::1", "not a valid URL"),
        ("http://host with space/", "space or control character"),
        ("http://host/\r\nX-Injected: 1", "space or control character"),
    ],
)
def test_a_target_that_cannot_be_posted_to_says_why(url: str, reason: str) -> None:
    with pytest.raises(BadTarget, match=reason):
        Target.parse(url)


def test_replayed_headers_drop_connection_headers_and_restore_the_secret() -> None:
    recorded = {
        "Host": "a",
        "Content-Length": "3",
        "Transfer-Encoding": "chunked",
        "Connection": "close",
        "X-Qase-Secret": "[redacted]",
        "Cookie": "[redacted]",
        "X-Custom": "kept",
    }
    assert replay_headers(recorded, "new") == {"X-Custom": "kept", "X-Qase-Secret": "new"}
    assert replay_headers(recorded, None) == {"X-Custom": "kept"}


def test_forwarded_headers_keep_the_secret_and_drop_connection_headers() -> None:
    received = {"Host": "a", "Content-Length": "3", "X-Qase-Secret": "s", "Content-Type": "application/json"}
    assert forward_headers(received) == {"X-Qase-Secret": "s", "Content-Type": "application/json"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_pacing_spaces_deliveries_by_one_over_the_rate() -> None:
    clock = FakeClock()
    items = [Outgoing(str(n)) for n in range(4)]
    released = []
    for item in paced(items, 4.0, clock=clock, sleep=clock.sleep):
        released.append((item.location, clock.now))
        clock.now += 0.05  # each answer takes 50 ms
    assert released == [("0", 100.0), ("1", 100.25), ("2", 100.5), ("3", 100.75)]
    assert clock.sleeps == [0.2, 0.2, 0.2]


def test_pacing_never_bursts_to_catch_up_after_a_slow_answer() -> None:
    clock = FakeClock()
    times = []
    for _ in paced([Outgoing(str(n)) for n in range(3)], 2.0, clock=clock, sleep=clock.sleep):
        times.append(clock.now)
        clock.now += 3.0  # an answer slower than the whole schedule
    assert times == [100.0, 103.0, 106.0]


def test_without_a_rate_nothing_waits() -> None:
    clock = FakeClock()
    assert len(list(paced([Outgoing("a"), Outgoing("b")], None, clock=clock, sleep=clock.sleep))) == 2
    assert clock.sleeps == []


def test_an_answer_says_whether_it_was_2xx_and_how_long_it_took() -> None:
    assert ConsumerAnswer(204, 0.0031).describe() == "204 in 3.1 ms"
    assert ConsumerAnswer(204, 0.0031).ok
    assert ConsumerAnswer(404, 0.002, excerpt="nope").describe() == "404 in 2.0 ms: nope"
    assert ConsumerAnswer(None, 1.5, "no answer before the timeout").describe() == (
        "failed in 1500.0 ms: no answer before the timeout"
    )
    assert not ConsumerAnswer(None, 0.0, "x").ok


# -- what a consumer can do to the sender -------------------------------------------------------------


def serve_once(handle: Any, requests: list[bytes] | None = None) -> tuple[Target, Any]:
    """A one-connection TCP server on loopback running ``handle(connection)`` after reading the
    request (kept in ``requests``); its thread."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def run() -> None:
        connection, _ = listener.accept()
        with connection, listener:
            request = connection.recv(65536)
            if requests is not None:
                requests.append(request)
            handle(connection)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return Target.parse(f"http://127.0.0.1:{port}/"), thread


def test_a_consumer_that_answers_a_byte_at_a_time_is_cut_off_at_the_timeout() -> None:
    import time

    def drip(connection: Any) -> None:
        with contextlib.suppress(OSError):
            for byte in b"HTTP/1.1 200 OK\r\n" * 100:
                connection.sendall(bytes([byte]))
                time.sleep(0.1)

    target, _ = serve_once(drip)
    started = time.perf_counter()
    answer = post(target, b"{}", {}, timeout=1.0)
    assert time.perf_counter() - started < 3
    assert answer.status is None
    assert answer.error == "no answer before the timeout"


def test_only_the_start_of_a_huge_answer_is_read() -> None:
    sent: list[int] = []

    def flood(connection: Any) -> None:
        size = 200 * 1024 * 1024
        connection.sendall(f"HTTP/1.1 500 Oops\r\nContent-Length: {size}\r\n\r\n".encode())
        chunk, total = b"x" * 65536, 0
        with contextlib.suppress(OSError):
            while total < size:
                connection.sendall(chunk)
                total += len(chunk)
        sent.append(total)

    target, thread = serve_once(flood)
    answer = post(target, b"{}", {}, timeout=10.0)
    thread.join(timeout=10)
    assert answer.status == 500
    assert answer.excerpt == "x" * 200
    assert sent[0] < 200 * 1024 * 1024  # the sender stopped reading and hung up


def test_a_recorded_header_that_http_cannot_carry_fails_that_delivery_only() -> None:
    answer = post(Target.parse("http://127.0.0.1:9/"), b"{}", {"X-Note": "a\r\nInjected: yes"}, timeout=1.0)
    assert answer.status is None
    assert answer.error is not None
    assert answer.error.startswith("not sent: ")


def test_a_url_login_is_sent_as_basic_auth_and_never_printed() -> None:
    import base64

    target = Target.parse("http://ann:PASSWORD@127.0.0.1:9/hook?token=QTOKEN&page=2")
    assert str(target) == "http://***@127.0.0.1:9/hook?token=[redacted]&page=2"
    assert target.authorization == "Basic " + base64.b64encode(b"ann:PASSWORD").decode()
    with pytest.raises(BadTarget) as caught:
        Target.parse("http://ann:PASSWORD@127.0.0.1:99999/")
    assert "PASSWORD" not in str(caught.value)
    assert "ann:***@" in str(caught.value)


def test_the_login_of_the_url_reaches_the_consumer() -> None:
    received: list[bytes] = []

    def answer(connection: Any) -> None:
        connection.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")

    target, thread = serve_once(answer, received)
    login = Target.parse(str(target).replace("http://", "http://ann:PASSWORD@"))
    assert post(login, b"{}", {}, timeout=5.0).status == 204
    thread.join(timeout=5)
    assert b"Authorization: Basic " in received[0]


def test_a_target_is_printed_without_the_secret_wherever_it_stands() -> None:
    target = Target.parse("http://127.0.0.1:9/hooks/S3CRET/x?a=1;b=S3CRET&token=t")
    assert target.shown("S3CRET") == "http://127.0.0.1:9/hooks/[redacted]/x?a=1;b=[redacted]&token=[redacted]"
    assert str(target) == "http://127.0.0.1:9/hooks/S3CRET/x?a=1;b=S3CRET&token=[redacted]"  # no secret known


def test_forwarding_lines_never_print_the_secret_of_the_target() -> None:
    from qase_contract.live._forwarder import Forwarder
    from qase_contract.live._receiver import Receipt

    results: list[Any] = []
    forwarder = Forwarder(
        Target.parse("http://127.0.0.1:9/S3CRET"),
        on_result=results.append,
        poster=lambda *args, **kwargs: ConsumerAnswer(202, 0.001),
        secret="S3CRET",
    )
    forwarder(b"{}", {}, Receipt("2026-12-01T00:00:00.000000Z", 200, "POST", "/", None, verdict="conforming"))
    forwarder.close()
    [result] = results
    assert "S3CRET" not in result.describe() + result.as_json()
    assert "-> http://127.0.0.1:9/[redacted]" in result.describe()
