"""The capture file format: raw bodies kept exactly, credentials never written, lines recognisable."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest

from qase_contract._util.credentials import REDACTED, presented_secret, redact_headers, secret_matches
from qase_contract.errors import CaptureFormatError
from qase_contract.sources._capture import (
    CAPTURE_PREFIX,
    CaptureRecord,
    CaptureWriter,
    iter_capture,
    last_record_offsets,
    parse_line,
    record_at,
    whole_lines_end,
)


def test_a_utf8_body_is_stored_as_text_and_read_back_byte_for_byte() -> None:
    body = '{"event_name": "run.deleted", "note": "é"}'.encode()
    line = CaptureRecord(body=body, headers={"Content-Type": "application/json"}).to_line()
    assert line.startswith(CAPTURE_PREFIX)
    assert line.endswith(b"\n")
    assert orjson.loads(line)["body_encoding"] == "text"
    assert parse_line(line).body == body


def test_a_body_that_is_not_utf8_is_stored_as_base64_and_read_back_byte_for_byte() -> None:
    body = b'{"x": "\xff\xfe"}'
    line = CaptureRecord(body=body).to_line()
    assert orjson.loads(line)["body_encoding"] == "base64"
    assert parse_line(line).body == body


@pytest.mark.parametrize("name", ["X-Qase-Secret", "x-qase-secret", "Authorization", "Cookie"])
def test_credentials_never_reach_the_line(name: str) -> None:
    line = CaptureRecord(body=b"{}", headers={name: "hunter2", "Accept": "*/*"}).to_line()
    assert b"hunter2" not in line
    assert orjson.loads(line)["headers"] == {name: REDACTED, "Accept": "*/*"}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"qase_capture": 1, "body": ', "not valid JSON"),
        (b'{"qase_capture": "1", "body": ""}', 'no integer "qase_capture"'),
        (b'{"qase_capture": true, "body": ""}', 'no integer "qase_capture"'),
        (b'{"qase_capture": -5, "body": ""}', 'no integer "qase_capture"'),
        (b'{"qase_capture": 99, "body": ""}', "newer than this qase-contract reads"),
        (b'{"qase_capture": 1}', 'no "body" text'),
        (b'{"qase_capture": 1, "body": "!!", "body_encoding": "base64"}', "not valid base64"),
        (b'{"qase_capture": 1, "body": "", "body_encoding": "rot13"}', 'unknown "body_encoding"'),
        (b'{"qase_capture": 1, "body": "", "headers": {"a": 1}}', "object of strings"),
    ],
)
def test_a_bad_capture_line_says_what_is_wrong(line: bytes, reason: str) -> None:
    with pytest.raises(CaptureFormatError, match=reason.replace("(", r"\(")):
        parse_line(line)


def test_concurrent_appends_never_interleave_lines(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    with CaptureWriter(path) as writer:

        def append_many(thread: int) -> None:
            for number in range(200):
                writer.append(CaptureRecord(body=f'{{"t": {thread}, "n": {number}}}'.encode()))

        threads = [threading.Thread(target=append_many, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    lines = path.read_bytes().splitlines()
    assert len(lines) == 1600
    bodies = {
        orjson.loads(parse_line(line).body)["n"] + 1000 * orjson.loads(parse_line(line).body)["t"]
        for line in lines
    }
    assert len(bodies) == 1600


def test_the_secret_is_found_in_any_header_case_and_compared_exactly() -> None:
    assert presented_secret({"x-QASE-secret": "s3"}) == "s3"
    assert presented_secret({"Accept": "*/*"}) is None
    assert secret_matches("s3", "s3")
    assert not secret_matches("s3", "s4")
    assert not secret_matches("s3", None)
    assert not secret_matches("s3", "")


def test_reading_a_capture_gives_each_record_or_error_at_its_line_skipping_blanks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "capture.jsonl"
    good = CaptureRecord(body=b'{"a": 1}').to_line()
    path.write_bytes(good + b"\n" + b'{"event_name": "x"}\n' + b'{"qase_capture": 1}\n' + good)
    read = list(iter_capture(path))
    assert [number for number, _ in read] == [1, 3, 4, 5]
    assert isinstance(read[0][1], CaptureRecord)
    assert read[0][1].body == b'{"a": 1}'
    assert str(read[1][1]) == 'not a capture record: no integer "qase_capture" key'
    assert 'no "body" text' in str(read[2][1])
    assert isinstance(read[3][1], CaptureRecord)


def test_reading_a_capture_accepts_records_in_any_key_order(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    line = CaptureRecord(body=b'{"a": 1}', status=202).to_line()
    path.write_bytes(orjson.dumps(orjson.loads(line), option=orjson.OPT_SORT_KEYS) + b"\n")
    ((number, record),) = list(iter_capture(path))
    assert number == 1
    assert isinstance(record, CaptureRecord)
    assert (record.body, record.status) == (b'{"a": 1}', 202)


def test_a_writer_asked_to_fsync_syncs_the_file_before_append_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr("qase_contract.sources._capture.os.fsync", synced.append)
    with CaptureWriter(tmp_path / "c.jsonl", fsync=True) as writer:
        writer.append(CaptureRecord(body=b"{}"))
        assert len(synced) == 1
    with CaptureWriter(tmp_path / "d.jsonl") as writer:
        writer.append(CaptureRecord(body=b"{}"))
    assert len(synced) == 1


def test_a_record_cut_short_by_a_killed_writer_is_taken_back_before_the_next_record(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    whole = CaptureRecord(body=b'{"event_name": "run.deleted"}').to_line()
    with CaptureWriter(path) as writer:
        writer.append(CaptureRecord(body=b'{"event_name": "run.deleted"}'))
        with path.open("ab") as killed:  # a worker killed in the middle of its append
            killed.write(whole[:40])
        writer.append(CaptureRecord(body=b"{}"))
    lines = path.read_bytes().splitlines()
    assert [parse_line(line).body for line in lines] == [b'{"event_name": "run.deleted"}', b"{}"]


def test_opening_a_capture_that_ends_in_a_record_cut_short_takes_it_back(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    whole = CaptureRecord(body=b"{}").to_line()
    path.write_bytes(whole + whole[:-1] * 3 + whole[:40])  # one line with no newline at all, then cut
    CaptureWriter(path).close()
    assert path.read_bytes() == whole


def test_a_last_line_that_is_no_capture_record_is_kept_and_ended(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    whole = CaptureRecord(body=b"{}", received_at="2026-12-01T00:00:00Z").to_line()
    path.write_bytes(whole + b'{"event_name": "added by hand"}')
    with CaptureWriter(path) as writer:
        writer.append(CaptureRecord(body=b"{}", received_at="2026-12-01T00:00:00Z"))
    assert path.read_bytes() == whole + b'{"event_name": "added by hand"}\n' + whole


def test_a_file_that_is_not_a_capture_is_said_so_once(tmp_path: Path) -> None:
    from qase_contract.sources._capture import iter_capture

    path = tmp_path / "plain.json"
    path.write_text('{\n  "event_name": "run.deleted"\n}\n', encoding="utf-8")
    [(number, error)] = list(iter_capture(path))
    assert number == 1
    assert isinstance(error, CaptureFormatError)
    assert "not a capture file" in str(error)


def test_any_header_named_like_a_credential_is_redacted() -> None:
    headers = {"X-Api-Key": "k1", "X-Auth-Token": "k2", "Content-Type": "application/json", "X-Author": "Ann"}
    assert redact_headers(headers) == {
        "X-Api-Key": REDACTED,
        "X-Auth-Token": REDACTED,
        "Content-Type": "application/json",
        "X-Author": "Ann",
    }


def test_a_record_that_fails_to_be_written_never_reaches_the_file_later(tmp_path: Path) -> None:
    import io

    path = tmp_path / "capture.jsonl"
    writer = CaptureWriter(path)
    writer.append(CaptureRecord(body=b'{"n": 1}'))

    class DiskFull(io.FileIO):
        def write(self, data: object) -> int:
            super().write(bytes(data)[:10])  # type: ignore[call-overload]
            raise OSError(28, "No space left on device")

    good_file = writer._file
    writer._file = DiskFull(path, "a+b")  # the writer's own mode: it reads the file's end too
    with pytest.raises(OSError, match="No space left"):
        writer.append(CaptureRecord(body=b'{"n": 2}'))
    writer._file.close()
    writer._file = good_file
    writer.append(CaptureRecord(body=b'{"n": 3}'))
    writer.close()
    assert [record.body for _, record in iter_capture(path)] == [b'{"n": 1}', b'{"n": 3}']  # type: ignore[union-attr]


def test_credential_query_parameters_and_key_headers_never_reach_the_line() -> None:
    record = CaptureRecord(body=b"{}", query="token=QSECRET&page=2", headers={"X-Webhook-Key": "KSECRET"})
    line = record.to_line()
    assert b"QSECRET" not in line
    assert b"KSECRET" not in line
    assert orjson.loads(line)["query"] == "token=[redacted]&page=2"
    assert CaptureRecord(body=b"{}", query="a=1&b=%20").to_line().count(b'"query":"a=1&b=%20"') == 1


def test_append_says_where_each_record_starts_and_record_at_reads_it_back(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    path.write_bytes(b"a line added by hand, not ended")
    with CaptureWriter(path) as writer:
        offsets = [writer.append(CaptureRecord(body=b'{"n": %d}' % n)) for n in range(3)]
    with path.open("rb") as file:
        assert [record_at(file, offset).body for offset in offsets] == [b'{"n": 0}', b'{"n": 1}', b'{"n": 2}']
        with pytest.raises(CaptureFormatError, match="no capture record starts at byte 5"):
            record_at(file, 5)
        with pytest.raises(CaptureFormatError, match="not valid JSON"):
            record_at(file, 0)


def _line_starts(data: bytes) -> list[int]:
    """What last_record_offsets finds, the slow way: every whole line that is not blank."""
    starts, position = [], 0
    for line in data.splitlines(keepends=True):
        if line.endswith(b"\n") and line.strip():
            starts.append(position)
        position += len(line)
    return starts


@pytest.mark.parametrize("block", [3, 7, 64 * 1024])
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n\n",
        b"one\n",
        b"one\ntwo\nthree\n",
        b"one\n\n  \ntwo\n",
        b"  \n" + b"x" * 20 + b"\n" + b"y" * 9 + b"\n",
        b"one\ntwo\ncut sho",
        b"cut short, no newline at all",
    ],
)
def test_the_last_records_are_found_from_the_end_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, block: int
) -> None:
    monkeypatch.setattr("qase_contract.sources._capture._BACKWARD_BLOCK", block)
    path = tmp_path / "lines"
    path.write_bytes(data)
    every = _line_starts(data)
    with path.open("rb") as file:
        for count in range(len(every) + 2):
            assert last_record_offsets(file, count) == every[max(0, len(every) - count) :]
        half = len(data) // 2
        assert last_record_offsets(file, 100, end=half) == _line_starts(data[:half])


@pytest.mark.parametrize(("data", "end"), [(b"", 0), (b"a\nb\n", 4), (b"a\nb\ncut", 4), (b"no newline", 0)])
def test_whole_lines_end_after_the_last_newline(tmp_path: Path, data: bytes, end: int) -> None:
    path = tmp_path / "lines"
    path.write_bytes(data)
    with path.open("rb") as file:
        assert whole_lines_end(file, len(data)) == end
