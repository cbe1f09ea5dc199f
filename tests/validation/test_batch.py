"""From deliveries to outcomes: the counting path gives what the listing path gives."""

from __future__ import annotations

import json
from collections import Counter
from functools import partial
from pathlib import Path

import pytest

from qase_contract import Validator
from qase_contract.contract import ReadSet
from qase_contract.sources._paths import read_batched, read_paths
from qase_contract.validation._batch import ConformingRun, Outcome, check, check_counting_conforming
from tests.helpers.data import ROOT

EXAMPLES = ROOT / "examples"


def test_counting_conforming_deliveries_keeps_every_other_outcome_in_order() -> None:
    validator = Validator()
    listed = list(check(read_paths([EXAMPLES] * 3), validator))
    counted = list(check_counting_conforming(read_paths([EXAMPLES] * 3), validator, run_length=4))
    outcomes = [item for item in counted if isinstance(item, Outcome)]
    runs = [item for item in counted if isinstance(item, ConformingRun)]
    assert outcomes == [o for o in listed if o.status != "conforming"]
    assert all(sum(run.counts.values()) <= 4 for run in runs)
    by_event: Counter[str] = Counter()
    for run in runs:
        by_event.update(run.counts)
    assert by_event == Counter(o.event_name for o in listed if o.status == "conforming")
    assert sum(run.size for run in runs) == sum(o.size for o in listed if o.status == "conforming")


def test_checking_the_lines_of_a_block_gives_what_validating_each_line_gives() -> None:
    """The inlined fast path of ``check_lines`` against ``validate``, on every kind of line:
    blank, unparsable, not an object, an unknown event (a fast path with a finding), the first
    delivery of an event (no fast path yet), conforming, drifted and violating ones."""
    examples = (EXAMPLES / "conforming.jsonl").read_bytes().splitlines()
    conforming = next(line for line in examples if b'"case.created"' in line)
    body = json.loads(conforming)
    drifted = json.dumps({**body, "extra": 1}).encode()
    violating = json.dumps({**body, "payload": None}).encode()
    unknown = json.dumps({**body, "event_name": "result.created"}).encode()
    lines = [conforming, b"", b"{not json", b"[1, 2]", unknown]
    lines += [conforming, drifted, unknown, violating, b"{}"]
    reads = ReadSet.of({"case.created": ["/payload/extra", "/payload/id"]})
    for make in (Validator, partial(Validator, strict=True), partial(Validator, reads=reads)):
        validator = make()
        expected = [(index, validator.validate(line)) for index, line in enumerate(lines) if line]
        # A block's lines come as written, their ends too: what is reported is the record.
        for ending in (b"", b"\n", b"\r\n"):
            written = [line + ending if line else b"" for line in lines]
            names, others = make().check_lines(written)  # a new validator: no fast path yet
            assert names == [r.event_name for _, r in expected if r.status == "conforming"]
            assert others == [(i, r) for i, r in expected if r.status != "conforming"]
            assert len(names) == 2
            assert len(others) == 7


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_blocks_of_lines_give_the_outcomes_and_sizes_of_lines_read_one_by_one(
    tmp_path: Path, ending: bytes
) -> None:
    lines = (EXAMPLES / "conforming.jsonl").read_bytes().splitlines()
    lines += (EXAMPLES / "broken.jsonl").read_bytes().splitlines()
    lines += [b"", b"{not json", b'{"event_name": "run.deleted"}\r']
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(ending.join(lines * 3) + ending)
    validator = Validator()
    listed = [o for o in check(read_paths([dump]), validator) if o.status != "conforming"]
    counted = list(check_counting_conforming(read_batched([dump]), validator))
    outcomes = [item for item in counted if isinstance(item, Outcome)]
    assert [(o.location, o.result) for o in outcomes] == [(o.location, o.result) for o in listed]
    assert any(f.code == "unparsable" for o in outcomes if o.result for f in o.result.findings)
    # What a progress bar is told adds up to the file's bytes.
    assert sum(item.size for item in counted) == dump.stat().st_size
