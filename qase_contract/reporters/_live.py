"""The lines ``qase-contract listen`` and ``send`` print: one per request, per forwarded
delivery and per consumer answer, and the summary at the stop.

They render what the live room hands over (described here as protocols, so this room never
imports it). Text that came from a request is printed with control characters escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Protocol

from qase_contract._util.printable import printable
from qase_contract._util.words import counted
from qase_contract.findings import Finding
from qase_contract.reporters._text import event_line
from qase_contract.validation._batch import NO_EVENT


class LiveReceipt(Protocol):
    """What the receiver did with one request (``qase_contract.live``'s ``Receipt``)."""

    @property
    def received_at(self) -> str: ...
    @property
    def status(self) -> int: ...
    @property
    def event(self) -> str | None: ...
    @property
    def verdict(self) -> str | None: ...
    @property
    def finding(self) -> Finding | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def recorded(self) -> bool: ...
    @property
    def checked(self) -> bool: ...


class ConsumerReply(Protocol):
    """A consumer's answer to one post: status (None when there was none), latency, why not."""

    @property
    def status(self) -> int | None: ...
    @property
    def latency(self) -> float: ...
    @property
    def error(self) -> str | None: ...
    @property
    def excerpt(self) -> str: ...
    @property
    def ok(self) -> bool: ...


def live_line(receipt: LiveReceipt) -> str:
    """One line per request: UTC time, answered status, event, verdict and first finding."""
    time = receipt.received_at[11:23]
    if not receipt.checked:
        return f"{time}  {receipt.status}  rejected: {receipt.reason}"
    event = printable(receipt.event) if receipt.event is not None else NO_EVENT
    line = f"{time}  {receipt.status}  {event}  {receipt.verdict}"
    if receipt.finding is not None:
        finding = receipt.finding
        line += f"  {finding.code} {printable(finding.path) or '/'}: {printable(finding.message)}"
    if receipt.reason:
        line += f"  ({receipt.reason})"
    if receipt.note:
        line += f"  [note: {receipt.note}]"
    return line


def answer_text(answer: ConsumerReply) -> str:
    """``200 in 3.1 ms``; a failure says why, and a non-2xx shows the start of the answer."""
    took = f"in {answer.latency * 1000:.1f} ms"
    if answer.status is None:
        return f"failed {took}: {answer.error}"
    text = f"{answer.status} {took}"
    if not answer.ok and answer.excerpt:
        text += f": {answer.excerpt}"
    return text


def forwarded_line(
    time: str, target: str, receipt: LiveReceipt, answer: ConsumerReply | None, skipped: str
) -> str:
    """``08:29:45.881  -> URL  case.created  200 in 1.4 ms``: what became of a forwarded delivery."""
    event = printable(receipt.event) if receipt.event is not None else NO_EVENT
    kept = "; the delivery is kept in the capture file" if receipt.recorded else ""
    if answer is None:
        result = f"not forwarded: {skipped}{kept}"
    else:
        result = answer_text(answer) + ("" if answer.ok else kept)
    return f"{time[11:23]}  -> {target}  {event}  {result}"


def live_summary(
    by_event: Mapping[str, Counter[str]], rejected: Mapping[str, int], recorded: int
) -> list[str]:
    """The summary ``listen`` prints at the stop: verdicts per event, rejections per reason."""
    verdicts: Counter[str] = Counter()
    for counts in by_event.values():
        verdicts.update(counts)
    checked = (
        f"{counted(sum(verdicts.values()), 'delivery')} checked: {verdicts['conforming']} conforming, "
        f"{verdicts['drift']} with drift, {verdicts['violation']} with violations"
    )
    if verdicts["error"]:
        checked += f", {verdicts['error']} not checked (checker error)"
    lines = [checked]
    lines.extend(event_line(printable(event), counts) for event, counts in sorted(by_event.items()))
    lines.append(f"{counted(sum(rejected.values()), 'request')} rejected")
    lines.extend(f"  {count} × {reason}" for reason, count in sorted(rejected.items()))
    lines.append(f"{counted(recorded, 'delivery')} recorded")
    return lines
