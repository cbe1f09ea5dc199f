"""The receiver served over loopback: real framing, concurrency, slow clients and forwarding."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from qase_contract.errors import ServeError
from qase_contract.live._forwarder import Forwarded, Forwarder
from qase_contract.live._sender import ConsumerAnswer, Target, post
from qase_contract.live._server import Server, server_body_limit
from qase_contract.reporters._live import live_line
from qase_contract.sources._capture import CaptureWriter, iter_capture
from tests.helpers.live import (
    DELIVERY,
    JSON_HEADERS,
    SECRET,
    Lines,
    RecordingConsumer,
    call,
    environ,
    make_receiver,
    numbered_delivery,
    raw_request,
    serving,
    status_of,
)


@pytest.fixture
def capture(tmp_path: Path) -> Iterator[tuple[Path, CaptureWriter]]:
    path = tmp_path / "capture.jsonl"
    with CaptureWriter(path) as writer:
        yield path, writer


def recorded_bodies(path: Path) -> list[bytes]:
    return [record.body for _, record in iter_capture(path) if not isinstance(record, Exception)]


def test_a_chunked_delivery_is_decoded_recorded_and_acknowledged(capture: tuple[Path, CaptureWriter]) -> None:
    path, writer = capture
    with serving(make_receiver(writer=writer)) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        pieces = iter([DELIVERY[:100], DELIVERY[100:101], DELIVERY[101:]])
        connection.request("POST", "/", body=pieces, headers=JSON_HEADERS, encode_chunked=True)
        assert connection.getresponse().status == 200
        connection.close()
    assert recorded_bodies(path) == [DELIVERY]


def chunked(body: bytes, size: int) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def head(length: int | None = None, *, chunked_body: bool = False, secret: str = SECRET) -> bytes:
    lines = ["POST / HTTP/1.1", "Host: test", "Content-Type: application/json", f"X-Qase-Secret: {secret}"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked_body:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_chunked_body_over_max_body_gets_413_over_the_wire(capture: tuple[Path, CaptureWriter]) -> None:
    path, writer = capture
    with serving(make_receiver(writer=writer, max_body=1000), server_body_limit(1000)) as server:
        answer = raw_request(server.port, head(chunked_body=True) + chunked(b"x" * 5000, 700))
    assert status_of(answer) == 413
    assert recorded_bodies(path) == []


def test_a_declared_length_over_max_body_gets_413_not_a_reset_connection() -> None:
    with serving(make_receiver(max_body=1000), max_request_body=server_body_limit(1000)) as server:
        answer = raw_request(server.port, head(200_000) + b"x" * 200_000)
    assert status_of(answer) == 413
    assert b"body over --max-body 1000 bytes" in answer


def test_a_body_past_the_servers_own_limit_gets_413_from_the_server_unread() -> None:
    lines = Lines()
    with serving(make_receiver(max_body=1000, on_delivery=lines), max_request_body=5000) as server:
        # The head alone is answered: the server refuses the declared length without waiting for it.
        declared = raw_request(server.port, head(3_000_000))
        chunked_answer = raw_request(server.port, head(chunked_body=True) + chunked(b"x" * 6000, 3000))
    assert status_of(declared) == 413
    assert status_of(chunked_answer) == 413
    assert lines.receipts == []  # refused before the receiver saw them


def test_a_wrong_secret_is_refused_over_the_wire_whatever_the_body() -> None:
    with serving(make_receiver()) as server:
        answer = raw_request(server.port, head(len(DELIVERY), secret="guess") + DELIVERY)
    assert status_of(answer) == 401


def test_a_body_without_content_length_or_chunks_is_empty_over_the_wire(
    capture: tuple[Path, CaptureWriter],
) -> None:
    path, writer = capture
    with serving(make_receiver(writer=writer)) as server:
        answer = raw_request(server.port, head() + b"ignored: not announced")
    assert status_of(answer) == 400
    assert recorded_bodies(path) == [b""]


def test_a_crlf_injected_in_the_path_reaches_no_header_and_no_log(capsys: pytest.CaptureFixture[str]) -> None:
    lines = Lines()
    with serving(make_receiver(on_delivery=lines)) as server:
        encoded = raw_request(server.port, b"POST /x%0D%0ASet-Cookie:%20stolen=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        raw = raw_request(server.port, b"POST /x\rSet-Cookie:\x1b[31mstolen=1 HTTP/1.1\r\nHost: t\r\n\r\n")
    assert status_of(encoded) == 404
    assert status_of(raw) == 400  # the server refuses a malformed request line itself
    for answer in (encoded, raw):
        header_lines = answer.split(b"\r\n\r\n")[0].split(b"\r\n")
        assert not [line for line in header_lines if line.lower().startswith(b"set-cookie")]
        assert b"\r" not in b"".join(header_lines)
    assert [receipt.status for receipt in lines.receipts] == [404]
    logged = capsys.readouterr()
    for text in [*map(live_line, lines.receipts), *logged.err.splitlines(), *logged.out.splitlines()]:
        assert "\r" not in text
        assert "\x1b" not in text


def test_a_slow_client_trickling_its_body_does_not_stall_other_senders(
    capture: tuple[Path, CaptureWriter],
) -> None:
    path, writer = capture
    with serving(make_receiver(writer=writer)) as server:
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        slow.sendall(head(len(DELIVERY)) + DELIVERY[:10])
        target = Target.parse(server.url)
        # Twenty deliveries answered while the slow one still waits for its body.
        answers = [post(target, numbered_delivery(n), JSON_HEADERS, timeout=10) for n in range(20)]
        assert [answer.status for answer in answers] == [200] * 20
        for offset in range(10, len(DELIVERY), 100):
            slow.sendall(DELIVERY[offset : offset + 100])
        assert slow.recv(100).startswith(b"HTTP/1.1 200")
        slow.close()
    assert len(recorded_bodies(path)) == 21


def test_hundreds_of_clients_holding_connections_open_do_not_stall_a_delivery() -> None:
    with serving(make_receiver()) as server:
        # Slowloris: each sends the start of a request and then nothing.
        held = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(300)]
        for connection in held:
            connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        answer = post(
            Target.parse(server.url), DELIVERY, {**JSON_HEADERS, "X-Qase-Secret": SECRET}, timeout=5
        )
        for connection in held:
            connection.close()
    assert answer.status == 200


def test_32_concurrent_senders_of_5000_deliveries_lose_nothing(capture: tuple[Path, CaptureWriter]) -> None:
    path, writer = capture
    acknowledged: list[bytes] = []
    with serving(make_receiver(writer=writer)) as server:
        target = Target.parse(server.url)

        def sender(numbers: range) -> None:
            for number in numbers:
                body = numbered_delivery(number)
                if post(target, body, JSON_HEADERS, timeout=30).ok:
                    acknowledged.append(body)

        # 5,000 deliveries over 32 senders, as issue 5 asks (benchmarks/bench_receiver.py times it).
        threads = [threading.Thread(target=sender, args=(range(n, 5000, 32),)) for n in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(acknowledged) == 5000
    assert sorted(recorded_bodies(path)) == sorted(acknowledged)


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}"):
            Server(make_receiver(), "127.0.0.1", port)


def test_forwarding_passes_the_raw_bytes_and_headers_with_the_secret(
    capture: tuple[Path, CaptureWriter],
) -> None:
    consumer = RecordingConsumer()
    results: list[Forwarded] = []
    body = DELIVERY.replace(b'"payload"', b'  "payload"')  # spacing a parser would not keep
    with serving(consumer) as consumer_server:
        forwarder = Forwarder(Target.parse(consumer_server.url + "/hook"), on_result=results.append)
        with serving(make_receiver(writer=capture[1], forward=forwarder)) as server:
            headers = {**JSON_HEADERS, "X-Request-Id": "abc"}
            assert post(Target.parse(server.url), body, headers).status == 200
        assert forwarder.close() == 0
    [(forwarded_body, forwarded_headers)] = consumer.received
    assert forwarded_body == body
    assert forwarded_headers["X-Qase-Secret"] == SECRET
    assert forwarded_headers["X-Request-Id"] == "abc"
    [result] = results
    assert result.answer is not None
    assert result.answer.status == 200
    assert f"-> {consumer_server.url}/hook  case.created  200 in " in result.describe()


def test_a_slow_consumer_never_delays_the_answer_to_qase(capture: tuple[Path, CaptureWriter]) -> None:
    path, writer = capture
    consumer = RecordingConsumer()
    consumer.hold = threading.Event()
    results: list[Forwarded] = []
    with serving(consumer) as consumer_server:
        forwarder = Forwarder(Target.parse(consumer_server.url), on_result=results.append)
        with serving(make_receiver(writer=writer, forward=forwarder)) as server:
            answer = post(Target.parse(server.url), DELIVERY, JSON_HEADERS)
            # Qase has its 200 while the consumer still holds the forwarded delivery.
            assert answer.status == 200
            assert consumer.arrived.wait(10)
            assert results == []
            consumer.hold.set()
        forwarder.close()
    assert recorded_bodies(path) == [DELIVERY]
    assert [result.answer.status for result in results if result.answer] == [200]


def test_a_failing_or_unreachable_consumer_never_loses_the_capture(
    capture: tuple[Path, CaptureWriter],
) -> None:
    path, writer = capture
    with socket.create_server(("127.0.0.1", 0)) as closed:
        unreachable = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    results: list[Forwarded] = []
    with serving(RecordingConsumer(status=500)) as failing:
        forwarders = [
            Forwarder(Target.parse(url), on_result=results.append) for url in (unreachable, failing.url)
        ]

        def forward_to_both(*handed: object) -> None:
            for forwarder in forwarders:
                forwarder(*handed)  # type: ignore[arg-type]

        with serving(make_receiver(writer=writer, forward=forward_to_both)) as server:
            assert post(Target.parse(server.url), DELIVERY, JSON_HEADERS).status == 200
        for forwarder in forwarders:
            forwarder.close()
    assert recorded_bodies(path) == [DELIVERY]
    described = sorted(result.describe() for result in results)
    assert "failed in" in described[0] + described[1]
    assert any("500 in" in line and "consumer says hi" in line for line in described)
    assert all(
        line.endswith("; the delivery is kept in the capture file") or "consumer says hi" in line
        for line in described
    )


def test_a_full_forward_backlog_skips_forwarding_but_the_capture_keeps_the_delivery() -> None:
    release = threading.Event()

    def stuck_post(target: Target, body: bytes, headers: object, *, timeout: float) -> ConsumerAnswer:
        release.wait(10)
        return ConsumerAnswer(200, 0.0)

    results: list[Forwarded] = []
    forwarder = Forwarder(
        Target.parse("http://127.0.0.1:9/"), on_result=results.append, workers=1, backlog=1, poster=stuck_post
    )
    app = make_receiver(forward=forwarder)
    replies = [call(app, environ()) for _ in range(4)]
    release.set()
    forwarder.close()
    assert [reply.status for reply in replies] == [200] * 4
    skipped = [result for result in results if result.answer is None]
    assert skipped
    assert all("not forwarded: too many deliveries waiting" in result.describe() for result in skipped)
    assert len(results) == 4
