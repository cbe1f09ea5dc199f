"""Bad input in captured dumps: a clear message at its place, the rest checked, exit 1, no traceback."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.helpers.cli import invoke
from tests.helpers.data import EXAMPLES, load_json
from tests.helpers.files import unreadable_file, unsearchable_folder

GOOD = orjson.dumps(load_json(EXAMPLES / "run.deleted" / "canonical.json"))
NAN = GOOD.replace(b'"timestamp":1650540289', b'"timestamp":NaN')
BAD_UTF8 = GOOD.replace(b'"project_code":"ID"', b'"project_code":"I\xff"')


def write(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def symlink_loop(folder: Path) -> Path:
    (folder / "sub").mkdir()
    (folder / "sub" / "back").symlink_to(folder, target_is_directory=True)
    return folder / "sub" / "back"


def har_without_post(folder: Path) -> Path:
    entry = {"request": {"method": "GET", "url": "https://x.example/", "headers": []}}
    path = folder / "browser.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}), encoding="utf-8")
    return path


# (the bad record, where it is reported, what the message says, deliveries counted)
BAD_INPUTS = {
    "truncated line": (write("t.jsonl", GOOD + b"\n" + GOOD[:40] + b"\n"), ":2", "unexpected end of data"),
    "invalid UTF-8": (write("u.jsonl", GOOD + b"\n" + BAD_UTF8 + b"\n"), ":2", "not valid UTF-8"),
    "BOM": (write("b.jsonl", b"\xef\xbb\xbf" + GOOD + b"\n" + GOOD + b"\n"), ":1", "byte order mark"),
    "NaN": (write("n.jsonl", GOOD + b"\n" + NAN + b"\n"), ":2", "not valid JSON"),
    "Infinity": (
        write("i.jsonl", GOOD + b"\n" + NAN.replace(b"NaN", b"-Infinity") + b"\n"),
        ":2",
        "not valid JSON",
    ),
    "10,000-deep nesting": (write("d.jsonl", b"[" * 10_000 + b"]" * 10_000 + b"\n"), ":1", "depth limit"),
    "empty file": (write("e.json", b""), "", "empty: no delivery in it"),
    "binary file": (write("bin.json", bytes(range(256)) * 4), "", "binary content"),
    "symlink loop": (symlink_loop, "", "symlink loop"),
    "HAR without POST": (har_without_post, "", "no POST request among its 1 entry:"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_reported_at_its_place_and_the_rest_is_checked(tmp_path: Path, case: str) -> None:
    make, suffix, reason = BAD_INPUTS[case]
    bad = make(tmp_path)
    (tmp_path / "zz-good.json").write_bytes(GOOD)
    run = invoke("validate", str(tmp_path))
    assert run.code == 1, run.stdout
    lines = [line for line in run.stdout.splitlines() if line.startswith(f"{bad}{suffix}  ")]
    assert len(lines) == 1, run.stdout
    assert reason in lines[0]
    assert "Traceback" not in run.stdout + run.stderr
    # The good file after the bad one was still checked.
    (summary,) = [line for line in run.stdout.splitlines() if line.startswith("FAILED  ")]
    assert " 0 conforming," not in summary


def test_a_50_mb_single_line_is_reported_without_being_loaded_and_the_next_line_checked(
    tmp_path: Path,
) -> None:
    dump = tmp_path / "huge.jsonl"
    with dump.open("wb") as stream:
        stream.write(GOOD + b"\n" + b'{"event_name": "run.deleted", "x": "')
        stream.write(b"a" * (50 * 1024 * 1024))
        stream.write(b'"}\n' + GOOD + b"\n")
    run = invoke("validate", str(dump))
    assert run.code == 1
    assert f"{dump}:2  (no event)  violation unreadable /: record of 52,428,839 bytes is over" in run.stdout
    assert "3 deliveries: 2 conforming, 0 with drift, 0 with violations, 1 unreadable" in run.stdout
    # The limit is the user's to raise; then the record is read and checked like any other.
    raised = invoke("validate", "--max-record-size", str(64 * 1024 * 1024), str(dump))
    assert "huge.jsonl:2  run.deleted  violation missing-field" in raised.stdout


def test_an_unreadable_file_is_reported_and_the_rest_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked.jsonl"
    locked.write_bytes(GOOD)
    (tmp_path / "zz-good.json").write_bytes(GOOD)
    unreadable_file(locked, monkeypatch)
    run = invoke("validate", str(tmp_path))
    assert run.code == 1
    assert f"{locked}  (no event)  violation unreadable /: cannot read: Permission denied" in run.stdout
    assert "2 deliveries: 1 conforming, 0 with drift, 0 with violations, 1 unreadable" in run.stdout


def test_a_missing_path_or_a_bad_option_is_a_usage_error_with_exit_2(tmp_path: Path) -> None:
    assert invoke("validate", str(tmp_path / "nope.jsonl")).code == 2
    assert invoke("validate", "--format", "yaml", str(tmp_path)).code == 2
    assert invoke("validate", "--jobs", "-1", str(tmp_path)).code == 2


def test_every_bad_input_gets_the_same_report_on_worker_processes(tmp_path: Path) -> None:
    import json

    for name, (make, _, _) in BAD_INPUTS.items():
        folder = tmp_path / name.replace(" ", "-").replace(",", "")
        folder.mkdir()
        make(folder)
    (tmp_path / "zz-good.json").write_bytes(GOOD)
    args = ("validate", "--format", "json", "--all", str(tmp_path))
    sequential, parallel = invoke(*args, "--jobs", "1"), invoke(*args, "--jobs", "2")
    assert parallel.code == sequential.code == 1
    assert json.loads(parallel.stdout) == json.loads(sequential.stdout)
    assert json.loads(sequential.stdout)["summary"]["unreadable"] == 4


def test_a_file_under_a_folder_that_cannot_be_searched_is_an_unreadable_record_not_a_missing_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "nodir"
    locked.mkdir()
    (locked / "x.jsonl").write_bytes(GOOD + b"\n")
    unsearchable_folder(locked, monkeypatch)
    run = invoke("validate", str(locked / "x.jsonl"))
    assert run.code == 1
    assert (
        f"{locked}/x.jsonl  (no event)  violation unreadable /: cannot read: Permission denied" in run.stdout
    )
    drift = invoke("drift", str(locked / "x.jsonl"))
    assert drift.code == 1
    assert "could not be read" in drift.stderr


def test_a_fifo_named_with_no_writer_is_an_unreadable_record_once_the_wait_is_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qase_contract.sources import _pipes

    monkeypatch.setattr(_pipes, "FIFO_WAIT_SECONDS", 0.1)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    run = invoke("validate", str(fifo))
    assert run.code == 1
    assert (
        f"{fifo}  (no event)  violation unreadable /: a FIFO that no writer opened within 0.1 s: not read"
        in (run.stdout)
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("README.md", b"[![build](https://x.example/b.svg)](https://x.example/)\n# Fixtures\n", "a .md file"),
        ("notes.rst", b'{"event_name": "run.deleted"}\n', "a .rst file"),
        ("notes.txt", b"These fixtures come from staging.\n", 'it starts with "T", which no JSON text does'),
        (
            "notes",
            b"\xef\xbb\xbf  \xc3\xa9t\xc3\xa9\nnotes\n",
            'it starts with "\u00e9", which no JSON text does',
        ),
    ],
)
def test_a_file_that_is_clearly_no_dump_is_reported_as_not_a_delivery_dump(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    run = invoke("validate", str(path), str(EXAMPLES / "run.deleted" / "canonical.json"))
    assert run.code == 1
    assert (
        run.stdout.splitlines()[0]
        == f"{path}  (no event)  violation unreadable /: not a delivery dump: {reason}"
    )
    assert "unparsable" not in run.stdout


def test_a_dump_named_as_one_with_a_broken_start_is_still_read_record_by_record(tmp_path: Path) -> None:
    dump = tmp_path / "cut.json"
    dump.write_bytes(b"oops")
    run = invoke("validate", str(dump))
    assert run.stdout.splitlines()[0].startswith(f"{dump}  (no event)  violation unparsable /")
