"""JSON Lines read a block at a time (LineBatch) say exactly what reading them line by line says:
the same records, bodies, locations and sizes, in the same order, whatever the blocks cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qase_contract.sources import _lines
from qase_contract.sources._model import Delivery, LineBatch
from qase_contract.sources._paths import read_batched, read_paths

RECORD = b'{"event_name": "run.deleted", "payload": {"id": 1}}'
LINES = st.sampled_from(
    [
        RECORD,
        b'{"a": 1}\r',
        b"",
        b"   ",
        b"[1, 2]",
        b"not json",
        b'{"qase_capture": 1, "body": "{}"}',
        b'{"x": "' + b"y" * 40 + b'"}',
        b"{",
        b'{"bb":2}\r',  # 9 and 10 bytes with its "\r": around the smallest limits drawn
        b'{"bb":22}\r',
    ]
)


def flattened(path: Path, limit: int) -> list[tuple[object, str]]:
    """What read_batched reads, as deliveries; the batches' sizes add up to what they took."""
    found: list[tuple[object, str]] = []
    for item in read_batched([path], max_record=limit):
        records = item.deliveries() if isinstance(item, LineBatch) else (item,)
        for delivery in records:
            found.append(_seen(delivery))
    return found


def _seen(delivery: Delivery) -> tuple[object, str]:
    body = delivery.body
    return (body if isinstance(body, bytes) else repr(body), str(delivery.location))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(LINES, min_size=1, max_size=12),
    final_newline=st.booleans(),
    block=st.integers(min_value=1, max_value=64),
    limit=st.integers(min_value=10, max_value=80),
)
# A blank line ends a block whose last, unfinished line is over the limit (so dropped while
# its end is looked for): once counted as one of the block's plain records.
@example(
    lines=[b'{"a": 1}\r', *[RECORD] * 4, b"   ", RECORD],
    final_newline=False,
    block=14,
    limit=10,
)
# A CRLF record whose "\r" takes it over the limit: over it line by line, so in a batch too.
@example(lines=[b"{}", b'{"bb":22}\r', b'{"bb":22}\r'], final_newline=True, block=64, limit=9)
def test_batches_hold_what_line_by_line_reading_holds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lines: list[bytes],
    final_newline: bool,
    block: int,
    limit: int,
) -> None:
    monkeypatch.setattr(_lines, "BLOCK_BYTES", block)
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(b"\n".join(lines) + (b"\n" if final_newline else b""))
    expected = [_seen(delivery) for delivery in read_paths([dump], max_record=limit)]
    assert flattened(dump, limit) == expected


def test_a_large_dump_comes_in_few_batches_with_its_line_numbers(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    record = b'{"event_name": "run.deleted"}'
    dump.write_bytes(b"\n".join([record] * 50_000 + [b"", b"oops", record]) + b"\n")
    items = list(read_batched([dump]))
    batches = [item for item in items if isinstance(item, LineBatch)]
    assert len(batches) <= 5
    assert sum(len(batch.lines) for batch in batches) == 50_001  # the blank line keeps its place
    first, oops = [item for item in items if isinstance(item, Delivery)]
    assert str(first.location) == f"{dump}:1"  # read to recognise the format
    assert str(oops.location) == f"{dump}:50002"
    assert batches[-1].first_line == 50_003
    assert sum(batch.size for batch in batches) + first.size + oops.size == dump.stat().st_size
