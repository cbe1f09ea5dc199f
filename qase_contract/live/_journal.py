"""What the inspector shows: the latest deliveries in bounded memory, and every change to them
as numbered events for the live page.

The list holds the latest :data:`CAPACITY` deliveries as small summaries (a few hundred bytes
each: texts are cut short). Whole receipts, bodies included, stay in memory only within
:data:`DETAIL_BUDGET` bytes; an older delivery's details are read back from the capture file
at the offset its record starts (and checked again), so ``--record`` keeps every detail at no
memory cost. A new delivery, a consumer's answer and a replay are each a numbered change; a
page that reconnects says the last number it saw and gets what followed, or is told to
reload when that has left the bounded change log.

When the receiver starts on a capture file that holds deliveries already, the latest of them
are the list's history, checked again with today's schemas.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from qase_contract.errors import CaptureFormatError
from qase_contract.live._receiver import Receipt, checked_receipt
from qase_contract.reporters._inspector import (
    delivery_detail,
    delivery_summary,
    event_message,
    kept_answer,
    search_text,
)
from qase_contract.sources._capture import last_record_offsets, record_at
from qase_contract.validation._validator import Validator

#: Deliveries in the list; older ones leave it (they stay in the capture file).
CAPACITY = 10_000
#: Bytes of bodies and answers kept in memory for the detail view.
DETAIL_BUDGET = 64 * 1024 * 1024
#: Changes a reconnecting page can catch up on.
CHANGES_KEPT = 20_000
#: Changes sent to a page at once.
CHANGES_SENT = 500
#: Consumer answers kept per delivery (forwarding and replays).
ANSWERS_KEPT = 20
#: Bytes of bodies the text filter reads from the capture file per search, at most.
SEARCH_BUDGET = 64 * 1024 * 1024
#: Consumer answers kept for deliveries the journal has not seen yet (the forwarder can be quicker).
EARLY_KEPT = 1000


@dataclass
class _Entry:
    summary: dict[str, object]
    offset: int | None
    answer: bytes = b""
    answer_type: str = ""
    answers: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class Changes:
    """What a page gets when it asks for the changes after one it saw."""

    messages: list[bytes]
    last: int
    #: The page fell behind the change log, or the receiver restarted: it must reload the list.
    reset: bool = False


class Journal:
    """The inspector's deliveries; safe across threads.

    ``capture`` is the file the receiver records to (``None``: details last as long as memory
    allows). ``validator`` checks deliveries read back from it.
    """

    def __init__(
        self,
        validator: Validator,
        capture: Path | None = None,
        *,
        capacity: int = CAPACITY,
        detail_budget: int = DETAIL_BUDGET,
        changes_kept: int = CHANGES_KEPT,
    ) -> None:
        self.validator = validator
        self.capture = capture
        self.capacity = capacity
        self.detail_budget = detail_budget
        self._changed = threading.Condition()
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._details: OrderedDict[int, Receipt] = OrderedDict()
        self._detail_bytes = 0
        self._changes: deque[tuple[int, bytes]] = deque(maxlen=changes_kept)
        self._last_change = 0
        self._early: OrderedDict[int, list[dict[str, object]]] = OrderedDict()
        #: Live deliveries are numbered after the history: id = base + the receipt's number.
        self._base = 0
        self._newest = 0
        self.history = 0

    # -- filling it -----------------------------------------------------------------------

    def load_history(self) -> int:
        """Read the latest deliveries already in the capture file, before any new one comes;
        how many were read."""
        if self.capture is None or not self.capture.is_file():
            return 0
        with self.capture.open("rb") as file:
            for offset in last_record_offsets(file, self.capacity):
                receipt = self._read_back(file, offset)
                if receipt is not None:
                    self.history += 1
                    self._insert(self.history, receipt, history=True)
        self._base = self.history
        return self.history

    def add(self, receipt: Receipt) -> None:
        """A request the receiver handled (its ``on_delivery``)."""
        self._insert(self._base + receipt.number, receipt, history=False)

    def answered(self, receipt: Receipt, answer: dict[str, object]) -> None:
        """The consumer's answer to a forwarded delivery (or why it was not forwarded)."""
        self.add_answer(self._base + receipt.number, answer)

    def add_answer(self, number: int, answer: dict[str, object]) -> None:
        """A consumer's answer to delivery ``number``: forwarded, or replayed from the page."""
        with self._changed:
            entry = self._entries.get(number)
            if entry is None:
                if number > self._newest:  # the forwarder was quicker than the live line
                    self._early.setdefault(number, []).append(answer)
                    while len(self._early) > EARLY_KEPT:
                        self._early.popitem(last=False)
                return
            _keep_answer(entry, answer)
            self._change("answer", {"id": number, "answer": answer})

    def _insert(self, number: int, receipt: Receipt, *, history: bool) -> None:
        summary = delivery_summary(receipt, number, history=history)
        entry = _Entry(summary, receipt.capture_offset, kept_answer(receipt.answer), receipt.answer_type)
        with self._changed:
            for answer in self._early.pop(number, []):
                _keep_answer(entry, answer)
            self._entries[number] = entry
            self._newest = max(self._newest, number)
            while len(self._entries) > self.capacity:
                gone, _ = self._entries.popitem(last=False)
                self._forget_detail(gone)
            self._details[number] = receipt
            self._detail_bytes += _weight(receipt)
            while self._detail_bytes > self.detail_budget and self._details:
                self._forget_detail(next(iter(self._details)))
            if not history:
                self._change("delivery", _listed(entry))

    def _forget_detail(self, number: int) -> None:
        receipt = self._details.pop(number, None)
        if receipt is not None:
            self._detail_bytes -= _weight(receipt)

    def _change(self, kind: str, data: object) -> None:
        """Number a change and wake the pages waiting for one; under the lock."""
        self._last_change += 1
        self._changes.append((self._last_change, event_message(self._last_change, kind, data)))
        self._changed.notify_all()

    # -- reading it -----------------------------------------------------------------------

    def listing(self) -> tuple[list[dict[str, object]], int]:
        """Every delivery in the list, newest first, and the number of the last change."""
        with self._changed:
            return [_listed(entry) for entry in reversed(self._entries.values())], self._last_change

    def changes_after(self, seen: int, timeout: float) -> Changes:
        """The changes after number ``seen`` (at most :data:`CHANGES_SENT`), waiting up to
        ``timeout`` seconds for one; a reset when they are no longer all known."""
        with self._changed:
            if seen == self._last_change:
                self._changed.wait(timeout)
            last = self._last_change
            oldest = self._changes[0][0] if self._changes else last + 1
            if seen > last or seen < oldest - 1:  # a page of another run, or one left behind
                return Changes([], last, reset=True)
            count = min(last - seen, CHANGES_SENT)
            # Changes are numbered without gaps, so the ones wanted are the deque's last ones.
            messages = [self._changes[index - (last - seen)][1] for index in range(count)]
            return Changes(messages, seen + count)

    def __contains__(self, number: int) -> bool:
        with self._changed:
            return number in self._entries

    def receipt(self, number: int) -> Receipt | None:
        """Delivery ``number`` whole: from memory, else from the capture file; ``None`` when
        it has left the list, or its body is neither in memory nor recorded."""
        with self._changed:
            entry = self._entries.get(number)
            kept = self._details.get(number)
        if entry is None:
            return None
        if kept is not None:
            return kept
        if entry.offset is None or self.capture is None:
            return None
        try:
            with self.capture.open("rb") as file:
                receipt = self._read_back(file, entry.offset)
        except OSError:
            return None
        if receipt is None or receipt.received_at != entry.summary["at"]:
            return None  # the file was replaced or cut since
        status, by = entry.summary["status"], entry.summary["answered_by"]
        return replace(
            receipt,
            status=status if isinstance(status, int) else receipt.status,
            answered_by=str(by or ""),
            answer=entry.answer,
            answer_type=entry.answer_type,
        )

    def detail(self, number: int) -> dict[str, object] | None:
        """What the detail view shows of delivery ``number``; ``None`` if it left the list.
        A delivery whose body is gone (no capture file) gets its summary and ``gone``."""
        receipt = self.receipt(number)
        with self._changed:
            entry = self._entries.get(number)
            if entry is None:
                return None
            answers = list(entry.answers)
            history = bool(entry.summary["history"])
            summary = dict(entry.summary)
        if receipt is None:
            return {**summary, "gone": True, "forwarded": answers}
        kept = entry.answer_type != ""  # the capture file keeps the status answered, not the answer
        return delivery_detail(receipt, number, forwarded=answers, answer_kept=kept, history=history)

    def search(self, text: str) -> tuple[list[int], bool]:
        """The deliveries whose summary or body holds ``text`` (ignoring case), newest first,
        and whether every body could be searched (bodies read back from the capture file
        stop at :data:`SEARCH_BUDGET` bytes; the rest are searched by their summary)."""
        wanted = text.casefold()
        with self._changed:
            entries = [(number, entry.summary, entry.offset) for number, entry in self._entries.items()]
            kept = {number: receipt.body for number, receipt in self._details.items()}
        found: list[int] = []
        budget, complete = SEARCH_BUDGET, True
        file: BinaryIO | None = None
        try:
            for number, summary, offset in reversed(entries):
                if wanted in search_text(summary):
                    found.append(number)
                    continue
                body = kept.get(number)
                if body is None and offset is not None and self.capture is not None:
                    if budget <= 0:
                        complete = False
                        continue
                    if file is None:
                        file = self.capture.open("rb")
                    try:
                        body = record_at(file, offset).body
                    except CaptureFormatError:
                        continue
                    budget -= len(body)
                if body is not None and wanted in body.decode("utf-8", "replace").casefold():
                    found.append(number)
        except OSError:
            complete = False
        finally:
            if file is not None:
                file.close()
        return found, complete

    def _read_back(self, file: BinaryIO, offset: int) -> Receipt | None:
        """The receipt of the record at ``offset``, checked again; ``None`` if none is there."""
        try:
            record = record_at(file, offset)
        except CaptureFormatError:
            return None
        receipt = checked_receipt(
            self.validator,
            record.body,
            received_at=record.received_at,
            method=record.method,
            path=record.path,
            query=record.query,
            remote_addr=record.remote_addr,
            headers=record.headers,
        )
        status = record.status if record.status is not None else receipt.status
        # The capture file keeps the status answered, not the answer: none is shown for it.
        receipt = replace(receipt, status=status, recorded=True, capture_offset=offset)
        return replace(receipt, answer=b"", answer_type="")


def _keep_answer(entry: _Entry, answer: dict[str, object]) -> None:
    entry.answers.append(answer)
    del entry.answers[:-ANSWERS_KEPT]


def _listed(entry: _Entry) -> dict[str, object]:
    """A summary as the list shows it, with the latest consumer answer."""
    return {**entry.summary, "answer": entry.answers[-1] if entry.answers else None}


def _weight(receipt: Receipt) -> int:
    """What keeping a receipt costs, roughly: its body and answer, and a little for the rest."""
    return len(receipt.body) + len(receipt.answer) + 1024
