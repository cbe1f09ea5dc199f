"""The inspector's journal: bounded memory, details read back from the capture file, history at
start, numbered changes a reconnecting page catches up on, search through bodies."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import orjson
import pytest

from qase_contract.live import _journal
from qase_contract.live._journal import Journal
from qase_contract.live._receiver import Receipt
from qase_contract.sources._capture import CaptureWriter
from qase_contract.validation._validator import Validator
from tests.helpers.live import DELIVERY, Lines, call, environ, make_receiver, numbered_delivery

VALIDATOR = Validator()


def receive(bodies: list[bytes], capture: Path | None = None, **receiver: object) -> list[Receipt]:
    """The receipts of ``bodies`` posted to a receiver (recording to ``capture``)."""
    lines = Lines()
    writer = CaptureWriter(capture) if capture is not None else None
    app = make_receiver(writer=writer, on_delivery=lines, **receiver)
    for body in bodies:
        call(app, environ(body))
    if writer is not None:
        writer.close()
    return lines.receipts


def listed_ids(journal: Journal) -> list[object]:
    return [summary["id"] for summary in journal.listing()[0]]


def test_the_list_keeps_the_latest_deliveries_newest_first(tmp_path: Path) -> None:
    journal = Journal(VALIDATOR, capacity=3)
    for receipt in receive([numbered_delivery(n) for n in range(5)]):
        journal.add(receipt)
    assert listed_ids(journal) == [5, 4, 3]
    assert journal.detail(2) is None
    assert 2 not in journal


def test_bodies_past_the_memory_budget_are_read_back_from_the_capture_file(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    journal = Journal(VALIDATOR, capture, detail_budget=5000)
    broken = orjson.dumps({**orjson.loads(DELIVERY), "project_code": 7})
    for receipt in receive([broken, *[numbered_delivery(n) for n in range(10)]], capture):
        journal.add(receipt)
    assert len(journal._details) < 11
    detail = journal.detail(1)
    assert detail is not None
    body = detail["body"]
    assert isinstance(body, dict)
    assert body["text"] == broken.decode()
    assert detail["verdict"] == "violation"
    assert [finding["path"] for finding in detail["findings"]] == ["/project_code"]  # type: ignore[attr-defined]
    answer = detail["answer"]
    assert isinstance(answer, dict)
    assert answer["status"] == 200
    assert orjson.loads(str(answer["text"]))["verdict"] == "violation"


def test_without_a_capture_file_a_forgotten_body_is_said_to_be_gone() -> None:
    journal = Journal(VALIDATOR, detail_budget=5000)
    for receipt in receive([numbered_delivery(n) for n in range(10)]):
        journal.add(receipt)
    detail = journal.detail(1)
    assert detail is not None
    assert detail["gone"] is True
    assert detail["event"] == "case.created"
    assert journal.receipt(1) is None
    kept = journal.detail(10)
    assert kept is not None
    assert "gone" not in kept


def test_the_history_is_the_latest_records_of_the_capture_file_checked_again(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    broken = orjson.dumps({**orjson.loads(DELIVERY), "project_code": 7})
    receive([numbered_delivery(n) for n in range(4)] + [broken], capture, answers=None)
    with capture.open("ab") as file:
        file.write(b'{"qase_capture": 1, "body": "cut sho')  # a record still being written: left out
    journal = Journal(VALIDATOR, capture, capacity=3)
    assert journal.load_history() == 3
    listing, last = journal.listing()
    assert last == 0  # history is no change: a page gets it with the list
    assert [(summary["id"], summary["verdict"], summary["history"]) for summary in listing] == [
        (3, "violation", True),
        (2, "conforming", True),
        (1, "conforming", True),
    ]
    detail = journal.detail(3)
    assert detail is not None
    assert detail["answer"] == {"status": 200, "by": "", "delay": 0.0, "type": None, "text": None}
    (new,) = receive([DELIVERY])
    journal.add(new)
    assert listed_ids(journal)[:2] == [4, 3]  # numbered after the history


def test_a_page_catches_up_on_the_changes_it_missed_and_is_told_to_reload_when_it_fell_behind() -> None:
    journal = Journal(VALIDATOR, changes_kept=3)
    receipts = receive([numbered_delivery(n) for n in range(5)])
    journal.add(receipts[0])
    journal.add(receipts[1])
    changes = journal.changes_after(0, timeout=0)
    assert [orjson.loads(message.split(b"data: ")[1])["id"] for message in changes.messages] == [1, 2]
    assert (changes.last, changes.reset) == (2, False)
    assert changes.messages[0].startswith(b"id: 1\nevent: delivery\n")
    for receipt in receipts[2:]:
        journal.add(receipt)
    assert journal.changes_after(1, timeout=0).reset  # change 2 has left the log
    assert journal.changes_after(99, timeout=0).reset  # a page of an earlier run
    assert len(journal.changes_after(2, timeout=0).messages) == 3


def test_a_page_waiting_for_changes_wakes_when_a_delivery_comes() -> None:
    journal = Journal(VALIDATOR)
    (receipt,) = receive([DELIVERY])
    threading.Timer(0.1, journal.add, [receipt]).start()
    started = time.monotonic()
    changes = journal.changes_after(0, timeout=10)
    assert len(changes.messages) == 1
    assert time.monotonic() - started < 5


def test_a_consumer_answer_is_a_change_even_when_it_comes_before_its_delivery() -> None:
    journal = Journal(VALIDATOR)
    first, second = receive([DELIVERY, DELIVERY])
    journal.add(first)
    journal.answered(second, {"status": 202})  # the forwarder was quicker than the live line
    journal.answered(first, {"status": 500})
    journal.add(second)
    listing, _ = journal.listing()
    assert [summary["answer"] for summary in listing] == [{"status": 202}, {"status": 500}]
    kinds = [message.split(b"\n")[1] for message in journal.changes_after(0, timeout=0).messages]
    assert kinds == [b"event: delivery", b"event: answer", b"event: delivery"]


def test_search_looks_through_summaries_and_bodies_kept_or_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = tmp_path / "capture.jsonl"
    marked = orjson.dumps({**orjson.loads(DELIVERY), "project_code": "NEEDLE"})
    journal = Journal(VALIDATOR, capture, detail_budget=3000)
    for receipt in receive([marked, *[numbered_delivery(n) for n in range(6)], marked], capture):
        journal.add(receipt)
    assert 1 not in journal._details  # read back from the file
    assert journal.search("needle") == ([8, 1], True)
    assert journal.search("case.CREATED")[0] == [8, 7, 6, 5, 4, 3, 2, 1]
    monkeypatch.setattr(_journal, "SEARCH_BUDGET", 0)
    assert journal.search("needle") == ([8], False)
