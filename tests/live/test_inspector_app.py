"""The inspector as a WSGI application: the token guards every payload, replays post the body
again with the secret put back, the capture file downloads whole lines, the stream follows."""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest

from qase_contract.live._inspector import MAX_STREAMS, PAGE_POLICY, Inspector
from qase_contract.live._journal import Journal
from qase_contract.live._sender import Target
from qase_contract.live._server import Server
from qase_contract.sources._capture import CaptureWriter
from qase_contract.validation._validator import Validator
from tests.helpers.live import (
    DELIVERY,
    SECRET,
    Lines,
    RecordingConsumer,
    call,
    environ,
    make_receiver,
    serving,
)

TOKEN = "t0ken-for-the-page"


def request(
    app: Any, path: str, *, method: str = "GET", token: str | None = TOKEN, bearer: bool = True
) -> Any:
    """A request to the inspector: the token in the Authorization header, or in the query."""
    target, _, query = path.partition("?")
    headers: dict[str, str] = {}
    if token is not None and bearer:
        headers["Authorization"] = f"Bearer {token}"
    elif token is not None:
        query = f"{query}&token={token}" if query else f"token={token}"
    env = environ(b"", headers, method=method, path=target)
    env["QUERY_STRING"] = query
    return call(app, env)


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    return tmp_path / "capture.jsonl"


@pytest.fixture
def inspector(capture: Path) -> Inspector:
    """An inspector over a journal that has seen a conforming and a violating delivery."""
    journal = Journal(Validator(), capture)
    with CaptureWriter(capture) as writer:
        receiver = make_receiver(writer=writer, on_delivery=journal.add)
        call(receiver, environ())
        call(receiver, environ(orjson.dumps({**orjson.loads(DELIVERY), "project_code": 7})))
    return Inspector(journal, TOKEN, secret=SECRET)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/deliveries",
        "/api/deliveries/1",
        "/api/search?q=x",
        "/api/stream",
        "/capture.jsonl",
    ],
)
@pytest.mark.parametrize("token", [None, "wrong", ""], ids=["no-token", "wrong-token", "empty-token"])
def test_nothing_but_the_static_files_is_served_without_the_token(
    inspector: Inspector, path: str, token: str | None
) -> None:
    for bearer in (True, False):
        reply = request(inspector, path, token=token, bearer=bearer)
        assert reply.status == 401
        assert b"case.created" not in reply.body


def test_the_page_is_served_with_the_token_in_the_address_under_a_strict_policy(inspector: Inspector) -> None:
    reply = request(inspector, "/", bearer=False)
    assert reply.status == 200
    assert reply.headers["Content-Security-Policy"] == PAGE_POLICY
    assert "script-src 'self';" in PAGE_POLICY
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert b'<script src="/static/inspector.js" defer></script>' in reply.body


def test_the_static_files_need_no_token_and_are_the_only_files_served(inspector: Inspector) -> None:
    for name, kind in [
        ("inspector.js", "text/javascript"),
        ("inspector.css", "text/css"),
        ("base.css", "text/css"),
    ]:
        reply = request(inspector, f"/static/{name}", token=None)
        assert reply.status == 200
        assert reply.headers["Content-Type"].startswith(kind)
    for name in ["inspector.html", "../_web.py", "report.jsx", ""]:
        assert request(inspector, f"/static/{name}", token=None).status == 404


def test_the_list_and_a_detail_carry_the_deliveries(inspector: Inspector) -> None:
    listing = request(inspector, "/api/deliveries").json()
    assert [(item["id"], item["verdict"]) for item in listing["deliveries"]] == [
        (2, "violation"),
        (1, "conforming"),
    ]
    assert listing["capture"] == "capture.jsonl"
    assert listing["replay_to"] is None
    assert listing["last"] == 2
    detail = request(inspector, "/api/deliveries/2").json()
    assert detail["findings"][0]["path"] == "/project_code"
    assert [1, "/project_code", '"project_code": 7'] in detail["body"]["lines"]
    assert detail["headers"]["X-Qase-Secret"] == "[redacted]"
    assert request(inspector, "/api/deliveries/3").status == 404
    assert request(inspector, "/api/deliveries/x").status == 404
    assert request(inspector, "/api/deliveries", method="POST").status == 405


def test_search_finds_text_in_the_bodies(inspector: Inspector) -> None:
    assert request(inspector, "/api/search?q=%22project_code%22%3A7").json() == {
        "ids": [2],
        "complete": True,
    }


def test_the_capture_file_downloads_as_far_as_its_whole_lines_go(inspector: Inspector, capture: Path) -> None:
    whole = capture.read_bytes()
    with capture.open("ab") as file:
        file.write(b'{"qase_capture": 1, "bo')
    reply = request(inspector, "/capture.jsonl", bearer=False)
    assert reply.status == 200
    assert reply.body == whole
    assert reply.headers["Content-Disposition"] == "attachment; filename*=UTF-8''capture.jsonl"
    inspector.journal.capture = None
    assert request(inspector, "/capture.jsonl").status == 404


def test_a_replay_posts_the_body_again_with_the_secret_and_shows_the_answer(inspector: Inspector) -> None:
    consumer = RecordingConsumer(status=202)
    replayed: list[str] = []
    with serving(consumer) as server:
        inspector.target = Target.parse(server.url + "/hook")
        inspector.on_replayed = replayed.append
        reply = request(inspector, "/api/deliveries/2/replay", method="POST")
    assert reply.status == 200
    assert reply.json()["status"] == 202
    assert reply.json()["replay"] is True
    [(body, headers)] = consumer.received
    assert body == orjson.dumps({**orjson.loads(DELIVERY), "project_code": 7})
    assert headers["X-Qase-Secret"] == SECRET
    detail = request(inspector, "/api/deliveries/2").json()
    assert [answer["status"] for answer in detail["forwarded"]] == [202]
    assert re.fullmatch(
        r"\S+  -> \S+/hook  case\.created  202 in [0-9.]+ ms  \(replayed from the inspector\)", replayed[0]
    )


def test_a_replay_takes_the_token_only_from_the_header(inspector: Inspector) -> None:
    inspector.target = Target.parse("http://127.0.0.1:9/")
    assert request(inspector, "/api/deliveries/2/replay", method="POST", bearer=False).status == 401
    assert request(inspector, "/api/deliveries/2/replay").status == 405


def test_a_replay_needs_a_target_and_a_delivery_in_the_list(inspector: Inspector) -> None:
    reply = request(inspector, "/api/deliveries/2/replay", method="POST")
    assert (reply.status, reply.json()) == (
        409,
        {"error": "nowhere to replay: start listen with --forward-to URL"},
    )
    inspector.target = Target.parse("http://127.0.0.1:9/")
    assert request(inspector, "/api/deliveries/9/replay", method="POST").status == 404


def read_events(connection: http.client.HTTPResponse, count: int) -> list[bytes]:
    """The next ``count`` events of a stream (comments skipped)."""
    events: list[bytes] = []
    block = b""
    while len(events) < count:
        line = connection.readline()
        assert line, "the stream ended"
        if line == b"\n":
            if block and not block.startswith((b":", b"retry")):
                events.append(block)
            block = b""
        else:
            block += line
    return events


def test_the_stream_follows_new_deliveries_and_gives_way_when_the_inspector_closes(
    inspector: Inspector,
) -> None:
    server = Server(inspector, "127.0.0.1", 0, streaming=True, threads=MAX_STREAMS + 2).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        connection.request("GET", f"/api/stream?after=1&token={TOKEN}")
        response = connection.getresponse()
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/event-stream"
        [missed] = read_events(response, 1)
        assert missed.startswith(b"id: 2\nevent: delivery\ndata: ")
        (receipt,) = _receipts([DELIVERY])
        inspector.journal.add(replace(receipt, number=3))
        [new] = read_events(response, 1)
        assert orjson.loads(new.split(b"data: ")[1])["id"] == 3
        started = time.monotonic()
        inspector.close()
        assert response.read() == b""  # the stream ends
        assert time.monotonic() - started < 10
    finally:
        server.stop()


def test_a_stream_past_the_limit_is_refused_and_a_bad_position_is_a_400(inspector: Inspector) -> None:
    for _ in range(MAX_STREAMS):
        assert inspector._streams.acquire(blocking=False)
    assert request(inspector, "/api/stream").status == 503
    for _ in range(MAX_STREAMS):
        inspector._streams.release()
    assert request(inspector, "/api/stream?after=-1").status == 400


def _receipts(bodies: list[bytes]) -> list[Any]:
    lines = Lines()
    app = make_receiver(on_delivery=lines)
    for body in bodies:
        call(app, environ(body))
    return lines.receipts


def test_the_page_with_everything_it_loads_weighs_under_200_kb(inspector: Inspector) -> None:
    page = request(inspector, "/", bearer=False).body
    loaded = re.findall(rb'(?:href|src)="/static/([^"]+)"', page)
    assert sorted(loaded) == [b"base.css", b"inspector.css", b"inspector.js"]
    weight = len(page) + sum(len(request(inspector, f"/static/{name.decode()}").body) for name in loaded)
    assert weight < 200 * 1024
