"""Readers: formats recognised by extension and content, locations, streaming, nothing lost."""

from __future__ import annotations

import io
import json
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qase_contract.errors import SourceError
from qase_contract.sources._capture import CaptureRecord
from qase_contract.sources._model import Delivery, ReadFailure
from qase_contract.sources._paths import read_path, read_paths
from qase_contract.sources._streams import read_stream
from tests.helpers.data import EXAMPLES, load_json

GOOD = load_json(EXAMPLES / "run.deleted" / "canonical.json")
LINE = orjson.dumps(GOOD)


def bodies(deliveries: list[Delivery]) -> list[object]:
    return [d.body if isinstance(d.body, (ReadFailure, bytes)) else orjson.dumps(d.body) for d in deliveries]


def locations(deliveries: list[Delivery]) -> list[str]:
    return [str(d.location) for d in deliveries]


def read(path: Path) -> list[Delivery]:
    return list(read_path(path))


def test_a_json_file_with_one_delivery_is_located_by_the_file(tmp_path: Path) -> None:
    dump = tmp_path / "one.json"
    dump.write_text(json.dumps(GOOD, indent=2), encoding="utf-8")
    (delivery,) = read(dump)
    assert str(delivery.location) == str(dump)
    assert delivery.body == GOOD


def test_a_single_line_json_file_is_one_delivery_located_by_the_file(tmp_path: Path) -> None:
    dump = tmp_path / "one.json"
    dump.write_bytes(LINE + b"\n")
    assert locations(read(dump)) == [str(dump)]


def test_a_json_array_gives_each_item_its_index(tmp_path: Path) -> None:
    dump = tmp_path / "many.json"
    dump.write_text(json.dumps([GOOD, GOOD, 3], indent=1), encoding="utf-8")
    assert locations(read(dump)) == [f"{dump}[0]", f"{dump}[1]", f"{dump}[2]"]


@pytest.mark.parametrize("name", ["dump.jsonl", "dump.ndjson", "dump.json", "dump.txt"])
def test_json_lines_are_recognised_by_extension_or_content_and_blank_lines_skipped(
    tmp_path: Path, name: str
) -> None:
    dump = tmp_path / name
    dump.write_bytes(LINE + b"\n\n   \n" + LINE + b"\r\n")
    deliveries = read(dump)
    assert locations(deliveries) == [f"{dump}:1", f"{dump}:4"]
    assert bodies(deliveries) == [LINE, LINE]


def test_json_lines_whose_first_record_is_truncated_are_still_json_lines(tmp_path: Path) -> None:
    dump = tmp_path / "dump.json"
    dump.write_bytes(LINE[:30] + b"\n" + LINE + b"\n" + LINE + b"\n")
    assert locations(read(dump)) == [f"{dump}:1", f"{dump}:2", f"{dump}:3"]


def test_capture_records_are_unwrapped_with_their_headers(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    records = [
        CaptureRecord(body=LINE, headers={"X-Qase-Secret": "hunter2", "Content-Type": "application/json"}),
        CaptureRecord(body=b"\xff not utf-8"),
    ]
    capture.write_bytes(b"".join(record.to_line() for record in records) + b'{"qase_capture": 1}\n')
    first, second, broken = read(capture)
    assert first.body == LINE
    assert first.headers == {"X-Qase-Secret": "[redacted]", "Content-Type": "application/json"}
    assert second.body == b"\xff not utf-8"
    assert isinstance(broken.body, ReadFailure)
    assert 'no "body" text' in broken.body.reason
    assert str(broken.location) == f"{capture}:3"


def test_a_capture_file_without_the_jsonl_extension_is_recognised_by_content(tmp_path: Path) -> None:
    capture = tmp_path / "capture.log"
    capture.write_bytes(CaptureRecord(body=LINE).to_line())
    (delivery,) = read(capture)
    assert delivery.body == LINE
    assert str(delivery.location) == f"{capture}:1"


def sorted_keys(line: bytes) -> bytes:
    """A capture line as ``jq -cS`` rewrites it: ``qase_capture`` is no longer the first key."""
    return orjson.dumps(orjson.loads(line), option=orjson.OPT_SORT_KEYS) + b"\n"


@pytest.mark.parametrize("name", ["capture.jsonl", "capture.log", "capture.json"])
def test_a_capture_file_with_its_keys_reordered_is_still_read_as_captures(tmp_path: Path, name: str) -> None:
    capture = tmp_path / name
    record = CaptureRecord(body=LINE, headers={"X-Qase-Secret": "hunter2"})
    assert not sorted_keys(record.to_line()).startswith(b'{"qase_capture"')
    capture.write_bytes(
        sorted_keys(record.to_line()) + b"\n" + sorted_keys(CaptureRecord(body=b"{}").to_line())
    )
    first, second = read(capture)
    assert (first.body, first.headers) == (LINE, {"X-Qase-Secret": "[redacted]"})
    assert second.body == b"{}"
    assert locations([first, second]) == [f"{capture}:1", f"{capture}:3"]


def test_a_capture_line_with_leading_blanks_is_read_as_a_capture_everywhere(tmp_path: Path) -> None:
    from qase_contract.sources._capture import iter_capture

    capture = tmp_path / "capture.jsonl"
    line = b"  " + CaptureRecord(body=LINE).to_line()
    capture.write_bytes(LINE + b"\n" + line)
    assert bodies(read(capture)) == [LINE, LINE]
    capture.write_bytes(line)
    ((_, record),) = list(iter_capture(capture))
    assert isinstance(record, CaptureRecord)
    assert record.body == LINE


def test_a_plain_line_in_a_capture_file_is_still_a_delivery(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    capture.write_bytes(sorted_keys(CaptureRecord(body=b"{}").to_line()) + LINE + b"\n")
    assert bodies(read(capture)) == [b"{}", LINE]


def test_a_delivery_that_only_mentions_the_capture_key_is_no_capture(tmp_path: Path) -> None:
    mention = orjson.dumps({**GOOD, "payload": {"qase_capture": 1, "title": '"qase_capture"'}})
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(mention + b"\n" + LINE + b"\n")
    assert bodies(read(dump)) == [mention, LINE]


def har(*entries: dict[str, object]) -> dict[str, object]:
    return {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": list(entries)}}


def post(body: str, **post_data: str) -> dict[str, object]:
    return {
        "request": {
            "method": "POST",
            "url": "https://consumer.example/hooks/qase",
            "headers": [
                {"name": "X-Qase-Secret", "value": "hunter2"},
                {"name": "Content-Type", "value": "json"},
            ],
            "postData": {"mimeType": "application/json", "text": body, **post_data},
        }
    }


GET = {"request": {"method": "GET", "url": "https://consumer.example/", "headers": []}}


@pytest.mark.parametrize("name", ["session.har", "session.json"])
def test_a_har_gives_its_post_bodies_with_headers_and_entry_indexes(tmp_path: Path, name: str) -> None:
    archive = tmp_path / name
    archive.write_text(json.dumps(har(GET, post(LINE.decode()), GET, post("{broken"))), encoding="utf-8")
    first, second = read(archive)
    assert locations([first, second]) == [f"{archive}:entries[1]", f"{archive}:entries[3]"]
    assert first.body == LINE
    assert first.headers == {"X-Qase-Secret": "[redacted]", "Content-Type": "json"}
    assert second.body == b"{broken"


def test_a_har_post_body_in_base64_is_decoded(tmp_path: Path) -> None:
    import base64

    archive = tmp_path / "session.har"
    encoded = base64.b64encode(LINE).decode()
    mime = base64.encodebytes(LINE).decode()  # lines of 76 characters
    assert "\n" in mime
    archive.write_text(
        json.dumps(har(post(encoded, encoding="base64"), post(mime, encoding="base64"))), encoding="utf-8"
    )
    assert [d.body for d in read(archive)] == [LINE, LINE]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (har(GET, GET), "no POST request among its 2 entries"),
        (har({"request": {"method": "POST", "url": "x", "headers": []}}), 'no "postData.text" body'),
        (har(post("!!", encoding="base64")), "not valid base64"),
        (har("not an entry"), 'no "request" object'),
        (har({"request": {"method": None, "url": "x"}}), 'no "request.method" text'),
        (har({"request": {"method": ["POST"], "url": "x"}}), 'no "request.method" text'),
        ({"log": {}}, 'no "log.entries" array'),
    ],
)
def test_a_har_with_nothing_to_check_says_why(tmp_path: Path, document: object, reason: str) -> None:
    archive = tmp_path / "session.har"
    archive.write_text(json.dumps(document), encoding="utf-8")
    failures = [d.body.reason for d in read(archive) if isinstance(d.body, ReadFailure)]
    assert any(reason in failure for failure in failures), failures


def test_a_har_file_that_is_not_json_is_reported(tmp_path: Path) -> None:
    archive = tmp_path / "session.har"
    archive.write_text('{"log": ', encoding="utf-8")
    (delivery,) = read(archive)
    assert isinstance(delivery.body, ReadFailure)
    assert "HAR file is not valid JSON" in delivery.body.reason


def test_folders_are_walked_in_sorted_order_files_first_and_other_files_ignored(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.jsonl").write_bytes(LINE)
    (tmp_path / "a.json").write_bytes(LINE)
    (tmp_path / "c.ndjson").write_bytes(LINE)
    (tmp_path / "notes.txt").write_text("not a dump", encoding="utf-8")
    assert locations(read(tmp_path)) == [
        str(tmp_path / "a.json"),
        f"{tmp_path / 'c.ndjson'}:1",
        f"{tmp_path / 'b' / 'x.jsonl'}:1",
    ]


def test_a_folder_with_no_dump_files_is_reported_not_silently_passed(tmp_path: Path) -> None:
    (delivery,) = read(tmp_path)
    assert isinstance(delivery.body, ReadFailure)
    assert "no dump files" in delivery.body.reason


def test_a_symlink_loop_is_reported_once_and_the_rest_still_read(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "inner" / "d.jsonl").write_bytes(LINE)
    deliveries = read(tmp_path)
    failures = [(str(d.location), d.body.reason) for d in deliveries if isinstance(d.body, ReadFailure)]
    assert failures == [(str(tmp_path / "inner" / "up"), failures[0][1])]
    assert "symlink loop" in failures[0][1]
    assert sum(isinstance(d.body, bytes) for d in deliveries) == 1


def test_a_broken_symlink_in_a_folder_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "broken.json").symlink_to(tmp_path / "nowhere.json")
    (tmp_path / "loop.json").symlink_to("loop.json")
    (tmp_path / "real.jsonl").write_bytes(LINE)
    deliveries = read(tmp_path)
    failed = [d for d in deliveries if isinstance(d.body, ReadFailure)]
    reasons = {Path(str(d.location)).name: d.body.reason for d in failed}  # type: ignore[attr-defined]
    assert reasons["broken.json"] == "broken symlink: what it points to does not exist: not read"
    assert "Too many levels of symbolic links" in reasons["loop.json"]
    assert bodies([d for d in deliveries if not isinstance(d.body, ReadFailure)]) == [LINE]


def test_a_missing_path_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="no such file or folder"):
        list(read_paths(["does/not/exist.jsonl"]))


def test_a_record_over_the_limit_is_skipped_unread_and_the_next_one_is_read(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(LINE + b"\n" + b'{"x": "' + b"a" * 5000 + b'"}\n' + LINE + b"\n")
    deliveries = list(read_path(dump, max_record=1000))
    assert bodies(deliveries)[0] == LINE
    assert isinstance(deliveries[1].body, ReadFailure)
    assert "record of 5,010 bytes is over the 1,000-byte limit" in deliveries[1].body.reason
    assert (str(deliveries[2].location), deliveries[2].body) == (f"{dump}:3", LINE)


def test_a_json_array_with_a_line_over_the_record_limit_loses_no_delivery(tmp_path: Path) -> None:
    dump = tmp_path / "array.json"
    # The second line, read while recognising the format, is over the limit.
    dump.write_bytes(b"[\n" + b", ".join([LINE] * 40) + b",\n" + LINE + b"\n]\n")
    deliveries = list(read_path(dump, max_record=len(LINE) * 2))
    assert len(deliveries) == 41
    assert set(bodies(deliveries)) == {LINE}


class OneWayStream(io.BytesIO):
    """A pipe: read once, never again."""

    def seekable(self) -> bool:
        return False


def test_a_piped_json_document_with_a_line_over_the_limit_is_reported_not_cut() -> None:
    data = b"[\n" + b", ".join([LINE] * 40) + b"\n]\n"
    (delivery,) = list(read_stream(OneWayStream(data), "<stdin>", max_record=len(LINE) * 2))  # type: ignore[arg-type]
    assert isinstance(delivery.body, ReadFailure)
    assert "inside a JSON document read from a stream that cannot be read twice" in delivery.body.reason


def test_a_single_delivery_file_over_the_record_limit_is_reported(tmp_path: Path) -> None:
    dump = tmp_path / "one.json"
    dump.write_text(json.dumps(GOOD, indent=2), encoding="utf-8")
    (delivery,) = read_path(dump, max_record=100)
    assert isinstance(delivery.body, ReadFailure)
    assert "over the 100-byte limit" in delivery.body.reason
    (array_item, *_) = read_path(dump, max_record=len(dump.read_bytes()))
    assert array_item.body == GOOD


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.consumed += len(line)
        return line

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data


def test_json_lines_stream_one_record_at_a_time() -> None:
    stream = CountingStream(LINE + b"\n" + (LINE + b"\n") * 10_000)
    deliveries = read_stream(stream, "<stdin>")
    next(deliveries)
    next(deliveries)
    # Recognising the format reads two records; the rest waits until asked for.
    assert stream.consumed <= 3 * (len(LINE) + 1)
    assert sum(1 for _ in deliveries) == 9_999


def test_a_string_in_a_json_array_stays_a_string_not_a_delivery_encoded_twice(tmp_path: Path) -> None:
    from qase_contract import Validator

    dump = tmp_path / "twice.json"
    dump.write_text(json.dumps([json.dumps(GOOD), "x", 3]), encoding="utf-8")
    codes = [Validator().validate(d.body).findings[0].code for d in read(dump)]
    assert codes == ["not-an-object"] * 3


def test_an_empty_json_array_is_reported_not_passed(tmp_path: Path) -> None:
    dump = tmp_path / "none.json"
    dump.write_text("[]", encoding="utf-8")
    (delivery,) = read(dump)
    assert isinstance(delivery.body, ReadFailure)
    assert "empty" in delivery.body.reason


def test_a_fifo_in_a_folder_is_reported_not_waited_on(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "z.json").write_bytes(LINE)
    first, second = read(tmp_path)
    assert isinstance(first.body, ReadFailure)
    assert "not a regular file" in first.body.reason
    assert second.body == GOOD


def test_a_file_name_that_is_not_utf8_is_shown_with_escapes(tmp_path: Path) -> None:
    import os

    name = os.fsdecode(b"caf\xe9.jsonl")
    (tmp_path / name).write_bytes(LINE + b"\n")
    (delivery,) = read(tmp_path)
    assert str(delivery.location) == f"{tmp_path}/caf\\xe9.jsonl:1"
    str(delivery.location).encode("utf-8")  # every output can carry it


def test_standard_input_can_be_read_only_once() -> None:
    with pytest.raises(SourceError, match="can be read only once"):
        list(read_paths(["-", "-"]))


def test_a_closed_standard_input_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys, "stdin", None)
    (delivery,) = list(read_paths(["-"]))
    assert isinstance(delivery.body, ReadFailure)
    assert delivery.body.reason == "standard input is closed"


# -- arrays that are not valid JSON as a whole --------------------------------------------------------


def test_one_broken_item_of_an_array_does_not_hide_the_others(tmp_path: Path) -> None:
    deep = b"[" * 1100 + b"]" * 1100
    dump = tmp_path / "array.json"
    dump.write_bytes(b"[" + LINE + b', {"a": NaN},\n' + deep + b", " + LINE + b"]")
    deliveries = read(dump)
    assert locations(deliveries) == [f"{dump}[{index}]" for index in range(4)]
    assert bodies(deliveries) == [LINE, b'{"a": NaN}', deep, LINE]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"[" + LINE + b", " + LINE[:40], ["item", "item", "cut short"], id="cut-in-an-item"),
        pytest.param(b"[" + LINE + b", " + LINE, ["item", "item", "cut short"], id="cut-before-the-end"),
        pytest.param(
            b"[" + LINE + b", " + LINE + b",]", ["item", "item", "comma too many"], id="trailing-comma"
        ),
        pytest.param(b"[" + LINE + b"] trailing", ["item", "after the end"], id="content-after-the-end"),
    ],
)
def test_an_array_that_is_not_json_keeps_its_good_items_and_says_what_is_wrong(
    tmp_path: Path, content: bytes, expected: list[str]
) -> None:
    dump = tmp_path / "array.json"
    dump.write_bytes(content)
    deliveries = read(dump)
    assert len(deliveries) == len(expected)
    for delivery, word in zip(deliveries, expected, strict=True):
        if word == "item":
            assert isinstance(delivery.body, bytes)
        else:
            assert isinstance(delivery.body, ReadFailure)
            assert word in delivery.body.reason
    assert deliveries[0].body == LINE


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=8,
)


def test_strings_holding_brackets_commas_and_escaped_quotes_do_not_cut_an_item() -> None:
    from qase_contract.sources._documents import array_items

    item = json.dumps({"title": 'a "quoted", [bracketed] {braced} \\ text'}).encode()
    data = b"[" + item + b", 1, NaN]"
    assert [data[start:end].strip() for start, end, _ in array_items(data)] == [item, b"1", b"NaN"]


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(JSON_VALUES), st.booleans())
def test_array_items_finds_every_item_of_any_json_array(items: list[object], indented: bool) -> None:
    from qase_contract.sources._documents import ITEM, array_items

    data = json.dumps(items, indent=2 if indented else None, ensure_ascii=not indented).encode()
    spans = list(array_items(data))
    assert [kind for _, _, kind in spans] == [ITEM] * len(items)
    assert [json.loads(data[start:end]) for start, end, _ in spans] == items


def test_a_zero_filled_file_is_binary_not_utf16(tmp_path: Path) -> None:
    dump = tmp_path / "crashed.json"
    dump.write_bytes(bytes(64))
    (delivery,) = read(dump)
    assert isinstance(delivery.body, ReadFailure)
    assert delivery.body.reason.startswith("binary content (NUL bytes)")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_one_clear_unreadable_record(tmp_path: Path, encoding: str) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(f"{LINE.decode()}\n{LINE.decode()}\n", encoding=encoding)
    (delivery,) = read(dump)
    assert isinstance(delivery.body, ReadFailure)
    assert "UTF-16 text" in delivery.body.reason


# -- deliveries pretty-printed one after another ------------------------------------------------------


def pretty(*documents: object) -> bytes:
    return b"".join(json.dumps(document, indent=2).encode() + b"\n" for document in documents)


@pytest.mark.parametrize("name", ["appended.jsonl", "appended.json", "appended.txt"])
def test_pretty_printed_deliveries_appended_to_one_file_are_each_read_at_their_line(
    tmp_path: Path, name: str
) -> None:
    dump = tmp_path / name
    content = pretty(GOOD, GOOD, GOOD)
    dump.write_bytes(content)
    deliveries = read(dump)
    starts = [number for number, line in enumerate(content.splitlines(), 1) if line == b"{"]
    assert locations(deliveries) == [f"{dump}:{line}" for line in starts]
    assert [orjson.loads(body) for body in bodies(deliveries)] == [GOOD, GOOD, GOOD]  # type: ignore[arg-type]


def test_something_between_appended_deliveries_is_reported_at_its_line(tmp_path: Path) -> None:
    broken = {"event_name": "run.deleted", "payload": {"n": float("nan")}}  # NaN: no JSON
    dump = tmp_path / "appended.jsonl"
    dump.write_bytes(pretty(GOOD) + b"oops,\n" + pretty(broken) + pretty(GOOD))
    deliveries = read(dump)
    rows, broken_rows = len(pretty(GOOD).splitlines()), len(pretty(broken).splitlines())
    starts = [1, rows + 1, rows + 2, rows + 2 + broken_rows]
    assert locations(deliveries) == [f"{dump}:{line}" for line in starts]
    found = bodies(deliveries)
    assert found[1] == b"oops,"
    assert b"NaN" in found[2]  # type: ignore[operator]
    assert orjson.loads(found[3]) == GOOD  # type: ignore[arg-type]


def test_the_items_of_a_multi_line_array_carry_the_line_they_start_on(tmp_path: Path) -> None:
    dump = tmp_path / "fixtures.json"
    dump.write_text(json.dumps([GOOD, [1], "text", GOOD], indent=2), encoding="utf-8")
    deliveries = read(dump)
    text = dump.read_text(encoding="utf-8").splitlines()
    starts = [d.location.line for d in deliveries]
    assert [text[line - 1].strip()[:1] for line in starts] == ["{", "[", '"', "{"]  # type: ignore[operator]
    assert locations(deliveries) == [f"{dump}[{index}]" for index in range(4)]  # still named by index


def test_a_one_line_array_or_one_too_large_to_scan_has_no_item_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qase_contract.sources import _documents as documents

    dump = tmp_path / "fixtures.json"
    dump.write_bytes(orjson.dumps([GOOD, GOOD]))
    assert [d.location.line for d in read(dump)] == [None, None]
    dump.write_text(json.dumps([GOOD, GOOD], indent=2), encoding="utf-8")
    monkeypatch.setattr(documents, "LINE_SCAN_BYTES", 100)
    assert [d.location.line for d in read(dump)] == [None, None]


# -- the record limit holds for records, not for documents of many -----------------------------------


@pytest.mark.parametrize("name", ["array.json", "array.txt"])
def test_a_one_line_array_over_the_record_limit_is_read_as_a_document(tmp_path: Path, name: str) -> None:
    dump = tmp_path / name
    dump.write_bytes(orjson.dumps([GOOD] * 20))
    assert bodies(list(read_path(dump, max_record=len(LINE) * 2))) == [orjson.dumps(GOOD)] * 20


def test_a_har_named_json_over_the_record_limit_gives_every_post(tmp_path: Path) -> None:
    archive = tmp_path / "session.json"
    archive.write_text(json.dumps(har(*[post(LINE.decode())] * 20), indent=1), encoding="utf-8")
    assert bodies(list(read_path(archive, max_record=len(LINE) * 2))) == [LINE] * 20


def test_appended_deliveries_are_each_a_record_for_the_limit(tmp_path: Path) -> None:
    dump = tmp_path / "appended.jsonl"
    large = {**GOOD, "padding": "x" * 2000}
    dump.write_bytes(pretty(GOOD, large, GOOD))
    deliveries = list(read_path(dump, max_record=1000))
    assert [isinstance(d.body, ReadFailure) for d in deliveries] == [False, True, False]
    assert "over the 1,000-byte limit" in deliveries[1].body.reason  # type: ignore[union-attr]


def test_a_sorted_capture_file_whose_first_record_is_over_the_limit_is_still_a_capture_file(
    tmp_path: Path,
) -> None:
    capture = tmp_path / "capture.jsonl"
    big = CaptureRecord(body=b'{"padding": "' + b"x" * 3000 + b'"}')
    capture.write_bytes(
        b"".join(sorted_keys(record.to_line()) for record in [big, *[CaptureRecord(body=LINE)] * 3])
    )
    deliveries = list(read_path(capture, max_record=2000))
    assert isinstance(deliveries[0].body, ReadFailure)
    assert bodies(deliveries[1:]) == [LINE] * 3


def test_a_fifo_named_with_no_writer_is_reported_after_a_bounded_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from qase_contract.sources import _pipes

    monkeypatch.setattr(_pipes, "FIFO_WAIT_SECONDS", 0.2)
    os.mkfifo(tmp_path / "pipe.jsonl")
    (delivery,) = read(tmp_path / "pipe.jsonl")
    assert delivery.body == ReadFailure("a FIFO that no writer opened within 0.2 s: not read")


def test_a_fifo_named_is_read_once_a_writer_comes(tmp_path: Path) -> None:
    import os
    import threading
    import time

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)

    def write_later() -> None:
        time.sleep(0.3)
        with fifo.open("wb") as stream:  # blocks until the reader has it open
            stream.write(LINE + b"\n" + LINE + b"\n")

    writer = threading.Thread(target=write_later)
    writer.start()
    try:
        deliveries = read(fifo)
    finally:
        writer.join(timeout=10)
    assert bodies(deliveries) == [LINE, LINE]
    assert locations(deliveries) == [f"{fifo}:1", f"{fifo}:2"]


def test_raw_bodies_gives_documents_and_array_items_as_the_bytes_written(tmp_path: Path) -> None:
    document = tmp_path / "one.json"
    document.write_bytes(b'\n{ "event_name" : "a.b",\n  "n": 1.50 }\n')
    array = tmp_path / "many.json"
    array.write_bytes(b'[\n  {"n": 1.0},\n  "text",\n  {"m": [ 1 ]}\n]\n')
    raw = list(read_paths([document, array], raw_bodies=True))
    assert [delivery.body for delivery in raw] == [
        b'{ "event_name" : "a.b",\n  "n": 1.50 }',
        b'{"n": 1.0}',
        b'"text"',
        b'{"m": [ 1 ]}',
    ]
    parsed = list(read_paths([document, array]))
    assert [str(delivery.location) for delivery in raw] == [str(delivery.location) for delivery in parsed]
    assert parsed[0].body == {"event_name": "a.b", "n": 1.5}  # the default still parses documents


@pytest.mark.parametrize("name", ["dump.jsonl", "dump.json"])
def test_a_file_that_grows_while_it_is_read_is_read_as_it_was_when_opened(tmp_path: Path, name: str) -> None:
    dump = tmp_path / name
    dump.write_bytes(LINE + b"\n" + LINE + b"\n")
    read = []
    for delivery in read_paths([dump]):
        read.append(delivery)
        with dump.open("ab") as growing:
            growing.write(LINE + b"\n")
        assert len(read) < 10, "the appended records are being read"
    assert len(read) == 2
    assert [type(delivery.body) for delivery in read] == [bytes, bytes]


def test_a_checker_gets_a_one_delivery_document_as_its_text_and_read_paths_as_data(tmp_path: Path) -> None:
    from qase_contract.sources._paths import read_batched

    document = tmp_path / "delivery.json"
    document.write_bytes(b"\n" + json.dumps(GOOD, indent=2).encode() + b"\n")
    (batched,) = read_batched([document])
    assert isinstance(batched, Delivery)
    assert batched.body == json.dumps(GOOD, indent=2).encode()
    assert [delivery.body for delivery in read_paths([document])] == [GOOD]


@pytest.mark.parametrize("limit", [10, 300_000, 1_000_000])
def test_a_document_is_read_whole_in_chunks_up_to_the_document_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    from qase_contract.sources import _streams

    monkeypatch.setattr(_streams, "MAX_DOCUMENT_BYTES", limit)
    items = [GOOD] * 3000  # about 430 KB: chunks of 64, 128 and 256 KiB
    dump = tmp_path / "dump.json"
    dump.write_bytes(json.dumps(items, indent=1).encode())
    read = list(read_paths([dump]))
    if limit < dump.stat().st_size:
        assert len(read) == 1
        assert isinstance(read[0].body, ReadFailure)
        assert f"over {limit:,} bytes" in read[0].body.reason
    else:
        assert [delivery.body for delivery in read] == items


def test_standard_input_from_a_growing_file_is_read_as_it_was_at_the_start(tmp_path: Path) -> None:
    """In a process of its own, whose standard input is the file: the reader appends a record
    for every one it reads, as a receiver writing its capture would."""
    import subprocess
    import sys

    dump = tmp_path / "capture.jsonl"
    dump.write_bytes(LINE + b"\n" + LINE + b"\n")
    script = (
        "import sys\n"
        "from qase_contract.sources import read_paths\n"
        "count = 0\n"
        "for delivery in read_paths(['-']):\n"
        "    count += 1\n"
        f"    open({str(dump)!r}, 'ab').write(open({str(dump)!r}, 'rb').readline())\n"
        "    if count > 10: break\n"
        "print(count)\n"
    )
    with dump.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-W", "error", "-c", script], stdin=stdin, capture_output=True, timeout=60
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == b"2"


def test_a_file_whose_size_says_nothing_is_read_to_its_end(tmp_path: Path) -> None:
    proc = Path("/proc/self/mountinfo")
    if not proc.exists():
        pytest.skip("no /proc on this system")
    read = list(read_paths([proc]))
    assert b"proc" in b"".join(d.body for d in read if isinstance(d.body, bytes)), read  # not "empty"


def test_a_leaked_stream_still_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qase_contract.sources import _streams

    monkeypatch.setattr(_streams, "_READ_AT_ONCE", 0)  # read as it is read, not whole at once
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(LINE + b"\n")
    with pytest.warns(ResourceWarning, match="dump.jsonl"):
        _streams.as_opened(dump.open("rb", buffering=0)).read(1)  # and dropped, unclosed


def test_a_small_file_is_read_whole_when_opened_and_its_file_closed(tmp_path: Path) -> None:
    from qase_contract.sources._streams import as_opened

    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(LINE + b"\n")
    raw = dump.open("rb", buffering=0)
    stream = as_opened(raw)
    with dump.open("ab") as appending:
        appending.write(LINE + b"\n")  # written after it was opened: not read
    assert raw.closed
    assert stream.read() == LINE + b"\n"


@pytest.mark.parametrize(
    ("path", "suffix"),
    [
        ("a.JSONL", ".jsonl"),
        ("..jsonl", ".jsonl"),
        ("name.", ""),
        (".json", ""),
        ("dir.d/file", ""),
        ("a.b/c.har", ".har"),
    ],
)
def test_a_suffix_is_what_a_path_says_it_is(path: str, suffix: str) -> None:
    from qase_contract.sources._streams import suffix_of

    assert suffix_of(path) == suffix == Path(path).suffix.lower()


def test_files_under_the_working_folder_are_named_without_a_dot_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_bytes(LINE + b"\n")
    (tmp_path / "a.jsonl").write_bytes(LINE + b"\n")
    monkeypatch.chdir(tmp_path)
    assert [str(d.location) for d in read_paths(["."])] == ["a.jsonl:1", "sub/b.jsonl:1"]


def test_a_small_file_whose_read_fails_is_reported_as_a_failed_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qase_contract.sources import _streams

    def failing(*_: object) -> int:
        raise OSError(5, "Input/output error")

    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(LINE + b"\n")
    monkeypatch.setattr(_streams, "_read_exactly", failing)
    monkeypatch.setattr(_streams._AsOpened, "readinto", failing)
    [delivery] = read_paths([dump])
    assert delivery.body == ReadFailure("read failed: Input/output error")


def test_a_listed_file_changed_since_is_read_as_it_is_now(tmp_path: Path) -> None:
    # A folder is listed before its files are read (the default --jobs sizes it so): a small
    # file is then read without being looked at again, unless it has grown since.
    from qase_contract.sources._paths import list_inputs, read_listed

    pretty = json.dumps(GOOD, indent=2).encode()
    (tmp_path / "a.json").write_bytes(LINE)
    (tmp_path / "b.json").write_bytes(pretty)
    (tmp_path / "c.jsonl").write_bytes(LINE + b"\n")
    listed = list(list_inputs([tmp_path]))
    (tmp_path / "new.json").write_bytes(pretty)  # replaced, as an editor saves a file
    (tmp_path / "new.json").replace(tmp_path / "a.json")
    (tmp_path / "b.json").write_bytes(LINE)  # shorter now
    with (tmp_path / "c.jsonl").open("ab") as appending:
        appending.write(LINE + b"\n")
    bodies = [delivery.body for delivery in read_listed(listed, raw_bodies=True)]
    assert bodies == [pretty, LINE, LINE, LINE]


def test_a_file_that_refuses_an_open_without_waiting_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file under a lease (a Samba oplock, an NFS delegation) refuses an open that would not
    # wait (EWOULDBLOCK), where a blocking open waits until its holder gives it up.
    import os

    from qase_contract.sources import _streams

    dump = tmp_path / "dump.json"
    dump.write_bytes(LINE)
    opened = os.open
    flags_seen: list[int] = []

    def leased_open(path: str, flags: int, *args: int) -> int:
        flags_seen.append(flags)
        if flags & os.O_NONBLOCK:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return opened(path, flags, *args)

    monkeypatch.setattr(_streams.os, "open", leased_open)
    [delivery] = read_paths([dump], raw_bodies=True)
    assert delivery.body == LINE
    assert [bool(flags & os.O_NONBLOCK) for flags in flags_seen] == [True, False]
