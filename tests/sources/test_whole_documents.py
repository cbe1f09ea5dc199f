"""A small ``.json`` file is told to be one whole document from its bytes, without the
line-by-line recognition of a stream; whatever it holds, it reads as the stream reads."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qase_contract._util.printable import display_name
from qase_contract.sources._streams import is_one_object_document, read_file, read_stream

DELIVERY = {"event_name": "run.deleted", "timestamp": 1, "payload": {"id": 1}}

#: Lines that decide how a stream is recognised: an object alone on a line, a line that only
#: opens one, a capture record, a HAR archive, blanks bytes.strip() drops but JSON does not.
FRAGMENTS = st.sampled_from(
    [
        b"{",
        b"}",
        b"[",
        b"]",
        b'"a": 1',
        b'"a": {',
        b'"a": 1,',
        b"{}",
        b'{"a": 1}',
        b'{"a":',
        b'{"b": 1}}',
        json.dumps(DELIVERY).encode(),
        b'{"qase_capture": 1, "body": "{}"}',
        b'{"body": "{}", "qase_capture": 1}',
        b'{"log": {"entries": []}}',
        b"",
        b"  ",
        b"\x0c",
        b"\r",
        b"\t{",
        b"\xef\xbb\xbf{}",
        b"\x00",
        b"1",
    ]
)


def as_a_stream(data: bytes, source: str, **options: object) -> list[object]:
    return list(read_stream(io.BufferedReader(io.BytesIO(data)), source, suffix=".json", **options))  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(FRAGMENTS, max_size=6),
    ending=st.sampled_from([b"", b"\n", b"\r\n", b"\n\n  \x0c\n"]),
    limit=st.sampled_from([4, 16, 1024]),
    raw_bodies=st.booleans(),
    batched=st.booleans(),
)
@example(lines=[b"{", b'{"b": 1}', b"}"], ending=b"", limit=1024, raw_bodies=False, batched=True)
@example(lines=[b'{"body": "{}", "qase_capture": 1}'], ending=b"", limit=1024, raw_bodies=True, batched=True)
@example(lines=[b'{"a":', b'{"b": 1}}'], ending=b"", limit=1024, raw_bodies=False, batched=True)
@example(lines=[b"{", b"\x0c", b"{}"], ending=b"", limit=1024, raw_bodies=False, batched=True)
def test_a_file_read_whole_reads_as_its_stream_does(
    tmp_path: Path, lines: list[bytes], ending: bytes, limit: int, raw_bodies: bool, batched: bool
) -> None:
    data = b"\n".join(lines) + ending
    dump = tmp_path / "dump.json"
    dump.write_bytes(data)
    options = {"max_record": limit, "raw_bodies": raw_bodies, "batched": batched}
    read = list(read_file(dump, **options))  # type: ignore[arg-type]
    assert read == as_a_stream(data, display_name(str(dump)), **options)


@pytest.mark.parametrize(
    "data",
    [
        json.dumps(DELIVERY).encode(),
        json.dumps(DELIVERY).encode() + b"\n",
        json.dumps(DELIVERY, indent=2).encode() + b"\n",
        b"\r\n  " + json.dumps(DELIVERY, indent=4).encode() + b"\r\n",
    ],
)
def test_a_delivery_saved_as_a_file_is_told_from_its_bytes(data: bytes) -> None:
    # The shapes a delivery is saved in (compact, or pretty-printed by json.dumps or jq):
    # without this the whole-file path would never be taken, and nothing would notice.
    assert is_one_object_document(data, max_record=1024)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'{"qase_capture": 1, "body": "{}"}', "a capture record starts JSON Lines"),
        (b'{"a": 1}\n{"a": 2}\n', "two objects on two lines are JSON Lines"),
        (b'{"a":\n{"b": 1}\n}', "an unfinished line, then an object: a truncated first record"),
        (b"\xef\xbb\xbf{}", "a byte order mark is told by the stream"),
        (b'{"a": "\x00"}', "a NUL is told by the stream"),
        (b"[{}]", "an array"),
        (b'{"a": "' + b"x" * 2000 + b'"}', "over the record limit"),
    ],
)
def test_what_only_the_stream_tells_is_left_to_it(data: bytes, why: str) -> None:
    assert not is_one_object_document(data, max_record=1024), why
