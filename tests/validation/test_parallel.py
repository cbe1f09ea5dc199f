"""Checking on worker processes gives the sequential outcomes, in the same order."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import orjson
import pytest

from qase_contract import Validator
from qase_contract.sources._paths import read_paths
from qase_contract.validation import _parallel as parallel
from qase_contract.validation._batch import Outcome, check
from tests.helpers.data import ROOT
from tests.helpers.files import unreadable_file

EXAMPLES = ROOT / "examples"


def summary(outcomes: list[Outcome]) -> list[tuple[str, str | None, str, tuple[tuple[str, str], ...]]]:
    return [
        (str(o.location), o.event_name, o.status, tuple((f.code, f.path) for f in o.findings))
        for o in outcomes
    ]


def sequential(*paths: str, max_record: int = 16 * 1024 * 1024) -> list[Outcome]:
    return list(check(read_paths(paths, max_record=max_record), Validator()))


def test_files_and_folders_give_the_sequential_outcomes() -> None:
    paths = (str(EXAMPLES), str(EXAMPLES / "broken.jsonl"))
    assert summary(list(parallel.check_in_parallel(paths, jobs=2))) == summary(sequential(*paths))


def test_a_large_json_lines_file_is_cut_at_line_boundaries_and_numbered_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = (EXAMPLES / "conforming.jsonl").read_bytes().splitlines() + (
        EXAMPLES / "broken.jsonl"
    ).read_bytes().splitlines()
    dump = tmp_path / "dump.txt"  # recognised by content, not by extension
    records = [*lines * 20, b"", b'{"x": "' + b"a" * 5000 + b'"}', b"   ", *lines * 5]
    dump.write_bytes(b"\n".join(records))  # no newline at the very end
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 1500)
    units = list(parallel._plan([str(dump)], max_record=2000))
    assert len(units) > 10
    assert all(isinstance(unit, parallel.RangeUnit) for unit in units)
    got = summary(list(parallel.check_in_parallel([str(dump)], jobs=2, max_record=2000)))
    assert got == summary(sequential(str(dump), max_record=2000))
    assert got[-1][0] == f"{dump}:{len(records)}"


def test_standard_input_is_sent_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (EXAMPLES / "drifted.jsonl").read_bytes() * 300
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    got = list(parallel.check_in_parallel(["-"], jobs=2))
    assert len(got) == 1500
    assert [o.location.line for o in got[:3]] == [1, 2, 3]
    assert sum(o.status == "drift" for o in got) == 1200


def test_failures_found_while_planning_keep_their_place(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(orjson.dumps({"event_name": "run.deleted"}))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "c.json").write_bytes(b"")
    got = summary(list(parallel.check_in_parallel([str(tmp_path)], jobs=2)))
    assert got == summary(sequential(str(tmp_path)))
    assert [status for _, _, status, _ in got] == ["violation", "unreadable", "unreadable"]


def test_without_listing_conforming_deliveries_they_come_back_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qase_contract.validation._batch import ConformingRun

    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(
        ((EXAMPLES / "conforming.jsonl").read_bytes() + (EXAMPLES / "broken.jsonl").read_bytes()) * 30
    )
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 4000)
    items = list(parallel.check_in_parallel([str(dump)], jobs=2, list_conforming=False))
    runs = [item for item in items if isinstance(item, ConformingRun)]
    outcomes = [item for item in items if isinstance(item, Outcome)]
    expected = sequential(str(dump))
    assert summary(outcomes) == summary([o for o in expected if o.status != "conforming"])
    counted: dict[str, int] = {}
    for run in runs:
        for name, count in run.counts.items():
            counted[name] = counted.get(name, 0) + count
    conforming = [o.event_name for o in expected if o.status == "conforming"]
    assert counted == {name: conforming.count(name) for name in set(conforming) if name}
    assert sum(run.size for run in runs) == sum(o.size for o in expected if o.status == "conforming")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(bytes(range(256)) * 40, id="binary"),
        pytest.param(b"\n" * 9000 + b'{"event_name": "run.deleted"}\n', id="blank-lines-then-a-record"),
        pytest.param(b"\n" * 9000, id="only-blank-lines"),
        pytest.param('{"event_name": "run.deleted"}\n'.encode("utf-16-le") * 100, id="utf-16"),
        pytest.param(b'{\n  "event_name": "run.deleted"\n}\n' * 300, id="pretty-printed-appended"),
    ],
)
def test_odd_large_json_lines_files_give_the_sequential_outcomes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    dump = tmp_path / "odd.jsonl"
    dump.write_bytes(content)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 1000)
    assert summary(list(parallel.check_in_parallel([str(dump)], jobs=2))) == summary(sequential(str(dump)))


def test_every_range_of_a_capture_file_with_reordered_keys_is_read_as_captures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qase_contract.sources._capture import CaptureRecord

    body = (EXAMPLES / "conforming.jsonl").read_bytes().splitlines()[0]
    record = orjson.loads(CaptureRecord(body=body).to_line())
    dump = tmp_path / "capture.jsonl"
    dump.write_bytes(orjson.dumps(record, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE) * 40)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 1000)
    outcomes = list(parallel.check_in_parallel([str(dump)], jobs=2))
    assert summary(outcomes) == summary(sequential(str(dump)))
    assert len(outcomes) == 40
    assert {o.status for o in outcomes} == {"conforming"}


def test_ranges_of_a_sorted_capture_file_whose_first_record_is_over_the_limit_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qase_contract.sources._capture import CaptureRecord

    body = (EXAMPLES / "conforming.jsonl").read_bytes().splitlines()[0]
    sort = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
    big = orjson.dumps(
        orjson.loads(CaptureRecord(body=b'{"p": "' + b"x" * 3000 + b'"}').to_line()), option=sort
    )
    small = orjson.dumps(orjson.loads(CaptureRecord(body=body).to_line()), option=sort)
    dump = tmp_path / "capture.jsonl"
    dump.write_bytes(big + small * 40)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 1000)
    outcomes = list(parallel.check_in_parallel([str(dump)], jobs=2, max_record=2500))
    assert summary(outcomes) == summary(sequential(str(dump), max_record=2500))
    assert [o.status for o in outcomes] == ["unreadable"] + ["conforming"] * 40


def test_a_large_file_that_cannot_be_opened_is_reported_as_sequentially(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "locked.jsonl"
    dump.write_bytes(b'{"event_name": "run.deleted"}\n' * 100)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 1000)
    unreadable_file(dump, monkeypatch)  # inherited by the forked workers too
    got = summary(list(parallel.check_in_parallel([str(dump)], jobs=2)))
    assert got == [(str(dump), None, "unreadable", (("unreadable", ""),))]


def test_small_files_go_to_workers_in_groups_and_a_fifo_in_a_unit_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A group costs the parent one hand-over; a FIFO may keep its worker waiting for a writer,
    # so it holds up no file grouped with it.
    import os

    from qase_contract.sources._model import ListedFile

    monkeypatch.setattr(parallel, "UNIT_BYTES", 25)
    for name in ("a.json", "b.json", "c.json"):
        (tmp_path / name).write_bytes(b"{}" * 5)  # 10 bytes
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    files = [str(tmp_path / name) for name in ("a.json", "b.json", "c.json")]
    units = list(parallel._plan([files[0], str(fifo), *files[1:], *files], 16 * 1024 * 1024))
    assert units == [
        parallel.FilesUnit((ListedFile(files[0], 10),)),
        parallel.FilesUnit((ListedFile(str(fifo), None),)),
        parallel.FilesUnit((ListedFile(files[1], 10), ListedFile(files[2], 10), ListedFile(files[0], 10))),
        parallel.FilesUnit((ListedFile(files[1], 10), ListedFile(files[2], 10))),
    ]
