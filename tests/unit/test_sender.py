"""The sender's pieces: targets, replayed headers and pacing, without a network."""

from __future__ import annotations

import pytest

from qase_contract.sender import Answer, BadTarget, Outgoing, Target, forward_headers, paced, replay_headers


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
        released.append((item.label, clock.now))
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
    assert Answer(204, 0.0031).describe() == "204 in 3.1 ms"
    assert Answer(204, 0.0031).ok
    assert Answer(404, 0.002, excerpt="nope").describe() == "404 in 2.0 ms: nope"
    assert Answer(None, 1.5, "no answer before the timeout").describe() == (
        "failed in 1500.0 ms: no answer before the timeout"
    )
    assert not Answer(None, 0.0, "x").ok
