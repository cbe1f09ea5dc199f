"""``qase-contract send`` sends anything ``validate`` reads, changed as asked: every option, and
bad input for each one (exit 2, nothing sent)."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest

from qase_contract.sources._capture import CaptureRecord, CaptureWriter
from tests.helpers.cli import invoke
from tests.helpers.data import EXAMPLES
from tests.helpers.live import DELIVERY, SECRET, TLS_CERT, RecordingConsumer, serving, serving_tls

RUN_COMPLETED = orjson.dumps(orjson.loads((EXAMPLES / "run.completed" / "canonical.json").read_bytes()))


@pytest.fixture
def consumer() -> Iterator[tuple[RecordingConsumer, str]]:
    app = RecordingConsumer()
    with serving(app) as server:
        yield app, server.url


def sent(app: RecordingConsumer) -> list[Any]:
    return [orjson.loads(body) for body, _ in app.received]


# -- --from reads what validate reads -------------------------------------------------------------


def test_a_pretty_printed_document_is_sent_as_written(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    app, url = consumer
    document = tmp_path / "delivery.json"
    written = b'{\n  "event_name": "case.created",\n  "payload": {"id": 1}\n}'
    document.write_bytes(b"\n" + written + b"\n\n")
    run = invoke("send", url, "--from", str(document))
    assert run.code == 0, run.stdout + run.stderr
    assert [body for body, _ in app.received] == [written]


class AppendingConsumer(RecordingConsumer):
    """A consumer that records what it receives at the end of a file, as ``listen`` does with
    its capture (for its first ``limit`` deliveries, so that a sender that reads them back
    still ends)."""

    def __init__(self, capture: Path, limit: int = 20) -> None:
        super().__init__()
        self.capture = capture
        self.limit = limit

    def __call__(self, environ: Mapping[str, Any], start_response: Any) -> Iterable[bytes]:
        answer = super().__call__(environ, start_response)
        if len(self.received) <= self.limit:
            with self.capture.open("ab") as capture:
                capture.write(self.received[-1][0] + b"\n")
        return answer


def test_sending_the_file_the_consumer_appends_to_sends_what_it_held_at_the_start(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    capture.write_bytes(RUN_COMPLETED + b"\n" + RUN_COMPLETED + b"\n")
    app = AppendingConsumer(capture)
    with serving(app) as server:
        run = invoke("send", server.url, "--from", str(capture))
    assert run.code == 0, run.stdout + run.stderr
    assert len(app.received) == 2
    assert capture.read_bytes().count(b"\n") == 4


def test_each_item_of_an_array_is_sent_as_written_with_qases_headers(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    app, url = consumer
    dump = tmp_path / "dump.json"
    dump.write_bytes(b'[\n  {"event_name": "a.b", "x": 1.50},\n  {"event_name":"c.d"}\n]\n')
    run = invoke("send", url, "--from", str(dump), "--secret", SECRET)
    assert run.code == 0, run.stdout + run.stderr
    assert [body for body, _ in app.received] == [
        b'{"event_name": "a.b", "x": 1.50}',
        b'{"event_name":"c.d"}',
    ]
    assert app.received[0][1]["X-Qase-Secret"] == SECRET
    assert app.received[0][1]["Content-Type"] == "application/json"
    assert f"{dump}[0]  a.b  200 in " in run.stdout
    assert f"{dump}[1]  c.d  200 in " in run.stdout


def har(*entries: Mapping[str, Any]) -> bytes:
    return orjson.dumps({"log": {"version": "1.2", "entries": list(entries)}})


def har_post(body: bytes, headers: Mapping[str, str], *, base64_body: bool = False) -> dict[str, Any]:
    text = base64.b64encode(body).decode() if base64_body else body.decode()
    post_data: dict[str, Any] = {"mimeType": "application/json", "text": text}
    if base64_body:
        post_data["encoding"] = "base64"
    return {
        "request": {
            "method": "POST",
            "url": "https://consumer.example/hook",
            "headers": [{"name": name, "value": value} for name, value in headers.items()],
            "postData": post_data,
        }
    }


def test_the_posts_of_a_har_archive_are_sent_with_their_recorded_headers(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    app, url = consumer
    archive = tmp_path / "browser.har"
    headers = {"Content-Type": "application/json", "X-Request-Id": "r-9", "Cookie": "session=1", "Host": "x"}
    get = {"request": {"method": "GET", "url": "https://consumer.example/", "headers": []}}
    archive.write_bytes(
        har(get, har_post(DELIVERY, headers), har_post(b"\xff not UTF-8", headers, base64_body=True))
    )
    run = invoke("send", url, "--from", str(archive), "--secret", SECRET)
    assert run.code == 0, run.stdout
    assert [body for body, _ in app.received] == [DELIVERY, b"\xff not UTF-8"]
    replayed = app.received[0][1]
    assert replayed["X-Request-Id"] == "r-9"
    assert replayed["X-Qase-Secret"] == SECRET
    assert "Cookie" not in replayed  # recorded redacted: never known again
    assert f"{archive}:entries[1]  case.created  200 in " in run.stdout
    assert f"{archive}:entries[2]  (not JSON)  200 in " in run.stdout


def recorded(capture: Path, *records: CaptureRecord) -> Path:
    with CaptureWriter(capture) as writer:
        for record in records:
            writer.append(record)
    return capture


def test_a_capture_is_sent_with_or_without_its_recorded_headers(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    app, url = consumer
    capture = recorded(
        tmp_path / "capture.jsonl",
        CaptureRecord.received(DELIVERY, {"User-Agent": "Qase webhooks", "X-Custom": "kept"}),
    )
    assert invoke("send", url, "--from", str(capture)).code == 0
    assert invoke("send", url, "--from", str(capture), "--no-recorded-headers").code == 0
    with_recorded, without = app.received[0][1], app.received[1][1]
    assert (with_recorded["User-Agent"], with_recorded["X-Custom"]) == ("Qase webhooks", "kept")
    assert without["User-Agent"].startswith("qase-contract/")
    assert "X-Custom" not in without
    assert [body for body, _ in app.received] == [DELIVERY, DELIVERY]


def test_a_folder_is_sent_in_sorted_order_and_standard_input_too(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    app, url = consumer
    folder = tmp_path / "fixtures"
    (folder / "b").mkdir(parents=True)
    (folder / "b" / "2.json").write_bytes(b'{"event_name": "two"}')
    (folder / "1.jsonl").write_bytes(b'{"event_name": "one"}\n{"event_name": "one-bis"}\n')
    (folder / "notes.txt").write_bytes(b"not a dump")
    run = invoke("send", url, "--from", str(folder), "--from", "-", stdin=b'{"event_name": "three"}\n')
    assert run.code == 0, run.stdout + run.stderr
    assert [data["event_name"] for data in sent(app)] == ["one", "one-bis", "two", "three"]
    assert "<stdin>  three  200 in " in run.stdout


def test_event_patterns_filter_what_is_sent_from_files(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    app, url = consumer
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(DELIVERY + b"\n" + RUN_COMPLETED + b"\nnot JSON\n" + b'{"no": "event"}\n')
    run = invoke("send", url, "--from", str(dump), "--event", "run.*")
    assert run.code == 0, run.stdout
    assert [data["event_name"] for data in sent(app)] == ["run.completed"]
    assert "3 deliveries left out by --event" in run.stdout


def test_a_filter_that_leaves_out_everything_sends_nothing_and_fails(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    app, url = consumer
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(DELIVERY + b"\n")
    run = invoke("send", url, "--from", str(dump), "--event", "run.complted")
    assert run.code == 1
    assert app.received == []
    assert "warning: --event 'run.complted' matches no known event; did you mean run.completed" in run.stderr
    assert "--event left out all 1 delivery: nothing was sent" in run.stdout


# -- examples and variants ----------------------------------------------------------------------


def test_a_variant_of_a_named_event_is_sent(consumer: tuple[RecordingConsumer, str]) -> None:
    app, url = consumer
    run = invoke("send", url, "--event", "run.completed", "--variant", "with-failures")
    assert run.code == 0, run.stdout
    expected = orjson.loads((EXAMPLES / "run.completed" / "with-failures.json").read_bytes())
    assert sent(app) == [expected]
    assert run.stdout.startswith("run.completed (with-failures)  200 in ")


def test_a_variant_chosen_by_pattern_is_sent_for_the_events_that_have_it(
    consumer: tuple[RecordingConsumer, str],
) -> None:
    app, url = consumer
    having = sorted(path.parent.name for path in EXAMPLES.glob("*/other-project.json"))
    run = invoke("send", url, "--all-events", "--variant", "other-project")
    assert run.code == 0, run.stdout
    assert sorted(data["event_name"] for data in sent(app)) == having
    assert (
        f"note: --variant other-project: {40 - len(having)} of the 40 events have no such example"
        in run.stderr
    )


def test_an_event_pattern_sends_the_example_of_every_event_it_matches(
    consumer: tuple[RecordingConsumer, str],
) -> None:
    app, url = consumer
    assert invoke("send", url, "--event", "defect.*").code == 0
    assert [data["event_name"] for data in sent(app)] == [
        "defect.created",
        "defect.updated",
        "defect.resolved",
        "defect.deleted",
    ]


# -- --set and --unset ---------------------------------------------------------------------------


def test_unset_removes_a_member_in_one_command(consumer: tuple[RecordingConsumer, str]) -> None:
    app, url = consumer
    run = invoke("send", url, "--event", "run.completed", "--unset", "/payload/duration")
    assert run.code == 0, run.stdout
    [body] = sent(app)
    assert "duration" not in body["payload"]
    assert body["payload"]["id"] == orjson.loads(RUN_COMPLETED)["payload"]["id"]


def test_set_changes_adds_and_appends_values_anywhere(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    app, url = consumer
    dump = tmp_path / "one.json"
    dump.write_bytes(orjson.dumps({"event_name": "x.y", "payload": {"tags": ["a"], "a/b": 1, "t~": 2}}))
    run = invoke(
        "send",
        url,
        "--from",
        str(dump),
        "--set",
        "/payload/duration=null",
        "--set",
        '/payload/new={"nested": [1, 2]}',
        "--set",
        '/payload/tags/0="first"',
        "--set",
        "/payload/tags/-=true",
        "--set",
        "/payload/a~1b=10",
        "--unset",
        "/payload/t~0",
    )
    assert run.code == 0, run.stdout + run.stderr
    assert sent(app) == [
        {
            "event_name": "x.y",
            "payload": {"tags": ["first", True], "a/b": 10, "duration": None, "new": {"nested": [1, 2]}},
        }
    ]


def test_setting_the_whole_delivery_sends_that_value(consumer: tuple[RecordingConsumer, str]) -> None:
    app, url = consumer
    assert invoke("send", url, "--event", "case.created", "--set", "=[1, 2]").code == 0
    assert sent(app) == [[1, 2]]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--set", "payload/x=1"], "--set: 'payload/x' is not a JSON Pointer: it must start with '/'"),
        (["--set", "/payload/x~2=1"], "'~' must be followed by 0 or 1"),
        (["--set", "/payload/x=abc"], "--set /payload/x: 'abc' is not JSON"),
        (["--set", "/payload/x="], "--set /payload/x: '' is not JSON"),
        (["--set", "/payload/x"], "--set '/payload/x': give POINTER=JSON"),
        (["--set", "/payload/nope/x=1"], "--set /payload/nope/x=...: run.completed has no /payload/nope"),
        (["--set", "/event_name/x=1"], "/event_name is a string in run.completed, not an object or array"),
        (["--unset", "/payload/nope"], "--unset /payload/nope: run.completed has no /payload/nope to remove"),
        (["--unset", ""], "--unset '': the whole delivery cannot be removed"),
        (["--unset", "/payload/nope/x"], "run.completed has no /payload/nope"),
    ],
)
def test_a_change_that_cannot_be_made_exits_2_and_sends_nothing(
    consumer: tuple[RecordingConsumer, str], options: list[str], message: str
) -> None:
    app, url = consumer
    run = invoke("send", url, "--event", "run.completed", *options)
    assert run.code == 2
    assert message in run.stderr
    assert app.received == []


def test_an_array_index_that_cannot_exist_exits_2_naming_the_delivery(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    app, url = consumer
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(b'{"event_name": "a.b", "items": [1, 2]}\n{"event_name": "a.b", "items": []}\n')
    for pointer, message in [
        ("/items/1", f"--set /items/1=...: /items has 0 items in {dump}:2  a.b, so no index 1; '-' appends"),
        ("/items/01", "/items is an array in"),
        ("/items/x", "'x' is no index of it"),
    ]:
        run = invoke("send", url, "--from", str(dump), "--set", f"{pointer}=2")
        assert run.code == 2, pointer
        assert message in run.stderr
    assert app.received == []  # the first delivery could be changed, but nothing went out


def test_a_change_to_a_delivery_that_is_not_json_exits_2(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    _, url = consumer
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(b"{broken\n")
    run = invoke("send", url, "--from", str(dump), "--unset", "/x")
    assert run.code == 2
    assert (
        f"--unset /x: {dump}:1  (not JSON) is not JSON, so it cannot be changed; nothing was sent"
        in run.stderr
    )


# -- --header, --repeat, the summary, --json ---------------------------------------------------


def test_headers_are_added_or_replace_those_of_the_same_name(consumer: tuple[RecordingConsumer, str]) -> None:
    app, url = consumer
    run = invoke(
        "send",
        url,
        "--event",
        "case.created",
        "--header",
        "X-Request-Id: abc",
        "--header",
        "content-type:text/plain",
        "--header",
        "X-Empty:",
    )
    assert run.code == 0
    headers = app.received[0][1]
    assert headers["X-Request-Id"] == "abc"
    assert headers["Content-Type"] == "text/plain"
    assert headers["X-Empty"] == ""


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("X-No-Colon", "--header 'X-No-Colon': give NAME:VALUE"),
        ("Bad Name: 1", "--header 'Bad Name: 1': give NAME:VALUE"),
        (": value", "give NAME:VALUE"),
        ("Content-Length: 5", "--header Content-Length: the sender writes it for each connection"),
        ("Host: elsewhere", "--header Host: the sender writes it"),
        ("X-Split: a\r\nInjected: 1", "--header X-Split: the value holds a line break or control character"),
        ("X-Euro: €", "--header X-Euro: HTTP carries header values in Latin-1 only"),
    ],
)
def test_a_header_http_cannot_carry_exits_2(header: str, message: str) -> None:
    run = invoke("send", "http://127.0.0.1:9/", "--event", "case.created", "--header", header)
    assert run.code == 2
    assert message in run.stderr


def test_repeat_sends_each_delivery_again_as_a_redelivery_would(
    consumer: tuple[RecordingConsumer, str],
) -> None:
    app, url = consumer
    run = invoke("send", url, "--event", "case.created", "--event", "run.completed", "--repeat", "3")
    assert run.code == 0
    assert [body for body, _ in app.received] == [DELIVERY] * 3 + [RUN_COMPLETED] * 3
    assert run.stdout.splitlines()[2].startswith("case.created  (3/3)  200 in ")
    assert "6 sent to" in run.stdout


@pytest.mark.parametrize("repeat", ["0", "1001", "two"])
def test_a_repeat_outside_1_to_1000_exits_2(repeat: str) -> None:
    run = invoke("send", "http://127.0.0.1:9/", "--event", "case.created", "--repeat", repeat)
    assert run.code == 2
    assert "'--repeat'" in run.stderr


class Picky(RecordingConsumer):
    """Answers 500 to deliveries of run events, 200 to the others."""

    def __call__(self, environ: Mapping[str, Any], start_response: Any) -> Iterable[bytes]:
        answer = list(super().__call__(environ, lambda *_: None))
        failing = b'"event_name":"run.' in self.received[-1][0]
        start_response("500 Oops" if failing else "200 OK", [("Content-Type", "text/plain")])
        return answer


def test_the_summary_counts_answers_by_status_and_names_the_refused_deliveries() -> None:
    with serving(Picky()) as server:
        run = invoke("send", server.url, "--event", "run.*", "--event", "case.created")
    assert run.code == 1
    summary = run.stdout.splitlines()[-2:]
    assert summary[0] == f"7 sent to {server.url}/: 1 answered 2xx, 6 did not (6 × 500, 1 × 200)"
    assert summary[1] == (
        "not 2xx: run.started: 500; run.aborted: 500; run.updated: 500; run.deleted: 500; "
        "run.completed: 500; run.report_changed: 500"
    )


def test_json_prints_one_line_per_exchange_and_the_summary_on_stderr(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    _, url = consumer
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(DELIVERY + b"\n")
    run = invoke("send", url, "--from", str(dump), "--json", "--repeat", "2")
    assert run.code == 0
    lines = [orjson.loads(line) for line in run.stdout.splitlines()]
    assert [(line["location"], line["event_name"], line["attempt"], line["status"]) for line in lines] == [
        (f"{dump}:1", "case.created", 1, 200),
        (f"{dump}:1", "case.created", 2, 200),
    ]
    assert all(line["ok"] and line["time_ms"] > 0 and line["error"] is None for line in lines)
    assert f"2 sent to {url}/: 2 answered 2xx, 0 did not (2 × 200)" in run.stderr


def test_json_reports_a_record_that_could_not_be_read(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    _, url = consumer
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    run = invoke("send", url, "--from", str(empty), "--json")
    assert run.code == 1
    [line] = [orjson.loads(line) for line in run.stdout.splitlines()]
    assert (line["location"], line["status"], line["error"]) == (
        str(empty),
        None,
        "not sent: empty: no delivery in it",
    )


# -- HTTPS ---------------------------------------------------------------------------------------


def test_https_checks_the_certificate_unless_told_whom_to_trust_or_not_to_check() -> None:
    app = RecordingConsumer()
    with serving_tls(app) as url:
        untrusted = invoke("send", url, "--event", "case.created")
        trusted = invoke("send", url, "--event", "case.created", "--cacert", str(TLS_CERT))
        unchecked = invoke("send", url, "--event", "case.created", "--insecure")
    assert untrusted.code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.stdout
    assert (
        "hint: the consumer's certificate is not trusted; give its authority with --cacert FILE"
        in untrusted.stderr
    )
    assert (trusted.code, unchecked.code) == (0, 0)
    assert [body for body, _ in app.received] == [DELIVERY, DELIVERY]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--insecure", "--cacert", str(TLS_CERT)],
            "--insecure checks no certificate, --cacert checks against FILE",
        ),
        (["--cacert", "no-such.pem"], "'--cacert': File 'no-such.pem' does not exist"),
        (["--cacert", __file__], "holds no usable PEM certificate"),
    ],
)
def test_tls_options_that_cannot_be_used_exit_2(options: list[str], message: str) -> None:
    run = invoke("send", "https://127.0.0.1:9/", "--event", "case.created", *options)
    assert run.code == 2
    assert message in run.stderr


def test_tls_options_on_a_plain_http_url_exit_2() -> None:
    run = invoke("send", "http://127.0.0.1:9/", "--event", "case.created", "--insecure")
    assert run.code == 2
    assert "--insecure and --cacert are for https:// URLs, not http://" in run.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--from", "x.json", "--all-events"],
            "--all-events and --variant choose examples; with --from, --event filters",
        ),
        (["--from", "x.json", "--variant", "minimal"], "--all-events and --variant choose examples"),
        (
            ["--event", "case.created", "--variant", "nope"],
            "--variant: case.created has no example 'nope'; its variants:",
        ),
        (
            ["--event", "run.*", "--variant", "nope"],
            "--variant: no example 'nope' ships for run.started, run.aborted",
        ),
        (["--from", "-", "--from", "-"], "--from -: standard input can be read only once"),
        (["--event", "case.created", "--schemas", "no-such-folder"], "--schemas: "),
    ],
)
def test_choices_that_cannot_be_sent_exit_2(tmp_path: Path, options: list[str], message: str) -> None:
    (tmp_path / "x.json").write_bytes(DELIVERY)
    options = [str(tmp_path / "x.json") if option == "x.json" else option for option in options]
    run = invoke("send", "http://127.0.0.1:9/", *options)
    assert run.code == 2
    assert message in run.stderr


def test_an_overlay_lets_an_event_the_contract_does_not_know_be_sent_by_name(
    tmp_path: Path, consumer: tuple[RecordingConsumer, str]
) -> None:
    from tests.helpers.overlays import RESULT_CREATED, result_delivery, write_schema

    app, url = consumer
    overlay = write_schema(tmp_path / "overlay", "events/result/created.schema.json", RESULT_CREATED)
    (overlay / "examples" / "result.created").mkdir(parents=True)
    (overlay / "examples" / "result.created" / "canonical.json").write_bytes(
        orjson.dumps(result_delivery(id=5))
    )
    assert invoke("send", url, "--event", "result.created").code == 2
    run = invoke("send", url, "--event", "result.created", "--schemas", str(overlay))
    assert run.code == 0, run.stderr
    assert sent(app) == [result_delivery(id=5)]


def test_the_secret_in_the_url_is_never_printed(consumer: tuple[RecordingConsumer, str]) -> None:
    _, url = consumer
    run = invoke(
        "send", f"{url}/hooks/{SECRET}?qs={SECRET};a=1", "--event", "case.created", "--secret", SECRET
    )
    assert run.code == 0
    assert SECRET not in run.stdout + run.stderr
    assert f"1 sent to {url}/hooks/[redacted]?qs=[redacted];a=1: 1 answered 2xx" in run.stdout
