"""The lines ``qase-contract listen`` and ``send`` print: one per request, per forwarded
delivery and per consumer answer, as text or as JSON Lines (``--json``), and the summaries.

They render what the live room hands over (described here as protocols, so this room never
imports it). Text that came from a request is printed with control characters escaped; a
JSON line carries it as it is (JSON escapes what needs escaping).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Protocol

import orjson

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
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def remote_addr(self) -> str | None: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def event(self) -> str | None: ...
    @property
    def verdict(self) -> str | None: ...
    @property
    def findings(self) -> tuple[Finding, ...]: ...
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
    @property
    def answered_by(self) -> str: ...
    @property
    def delay(self) -> float: ...


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
    """One line per request: UTC time, answered status, event, verdict, the first finding and
    how many more there are, and why the answer was not the verdict's."""
    time = receipt.received_at[11:23]
    if not receipt.checked:
        return f"{time}  {receipt.status}  rejected: {receipt.reason}"
    event = printable(receipt.event) if receipt.event is not None else NO_EVENT
    line = f"{time}  {receipt.status}  {event}  {receipt.verdict}"
    if receipt.finding is not None:
        finding = receipt.finding
        line += f"  {finding.code} {printable(finding.path) or '/'}: {printable(finding.message)}"
        more = len(receipt.findings) - 1
        if more:
            line += f"  (+{more} more finding{'s' if more > 1 else ''})"
    if receipt.reason:
        line += f"  ({receipt.reason})"
    if receipt.answered_by or receipt.delay:
        told = f"answered {receipt.status} by {receipt.answered_by}" if receipt.answered_by else ""
        held = f"after {receipt.delay:g} s" if receipt.delay else ""
        line += f"  [{' '.join(part for part in (told, held) if part)}]"
    if receipt.note:
        line += f"  [note: {receipt.note}]"
    return line


def live_json(receipt: LiveReceipt) -> str:
    """One JSON line per request (``listen --json``): the request as recorded (the secret
    redacted), the verdict with every finding, and the answer."""
    data: dict[str, object] = {
        "kind": "delivery" if receipt.checked else "rejected",
        "received_at": receipt.received_at,
        "status": receipt.status,
        "method": receipt.method,
        "path": receipt.path,
        "query": receipt.query,
        "remote_addr": receipt.remote_addr,
        "headers": dict(receipt.headers),
        "event_name": receipt.event,
        "verdict": receipt.verdict,
        "findings": [_finding_data(finding) for finding in receipt.findings],
        "reason": receipt.reason or None,
        "note": receipt.note or None,
        "recorded": receipt.recorded,
        "answered_by": receipt.answered_by or None,
        "delay": receipt.delay,
    }
    return orjson.dumps(data).decode("utf-8")


def _finding_data(finding: Finding) -> dict[str, object]:
    return {"kind": finding.kind, "code": finding.code, "path": finding.path, "message": finding.message}


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


def forwarded_json(
    time: str, target: str, receipt: LiveReceipt, answer: ConsumerReply | None, skipped: str
) -> str:
    """``forwarded_line`` as one JSON line (``listen --json``)."""
    data = {
        "kind": "forwarded",
        "at": time,
        "received_at": receipt.received_at,
        "target": target,
        "event_name": receipt.event,
        "status": None if answer is None else answer.status,
        "latency_ms": None if answer is None else round(answer.latency * 1000, 3),
        "error": (answer.error if answer is not None else f"not forwarded: {skipped}"),
        "recorded": receipt.recorded,
    }
    return orjson.dumps(data).decode("utf-8")


def forwarding_result(answer: ConsumerReply | None) -> str:
    """What the summary counts a forwarded delivery under: the status, or why there was none."""
    if answer is None:
        return "not forwarded"
    return str(answer.status) if answer.status is not None else "no answer"


def tallied(counts: Mapping[str, int]) -> str:
    """``3 × 200, 1 × 500``, most frequent first."""  # noqa: RUF002 - the sign is printed
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{count} × {key}" for key, count in ordered)


def live_summary(
    by_event: Mapping[str, Counter[str]],
    rejected: Mapping[str, int],
    recorded: int,
    answered: Mapping[str, int] | None = None,
    forwarded: Mapping[str, int] | None = None,
) -> list[str]:
    """The summary ``listen`` prints at the stop: verdicts per event, rejections per reason,
    the answers given per status and the forwarding results per status."""
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
    if answered:
        lines.append(f"answered: {tallied(answered)}")
    if forwarded:
        lines.append(f"{sum(forwarded.values())} forwarded: {tallied(forwarded)}")
    return lines


def exchange_json(location: str, event: str | None, attempt: int, answer: ConsumerReply) -> str:
    """One JSON line per post (``send --json``): where the delivery came from, the answer."""
    data = {
        "location": location,
        "event_name": event,
        "attempt": attempt,
        "status": answer.status,
        "ok": answer.ok,
        "time_ms": round(answer.latency * 1000, 3),
        "error": answer.error,
        "answer": None if answer.ok else (answer.excerpt or None),
    }
    return orjson.dumps(data).decode("utf-8")


def unsent_json(location: str, reason: str) -> str:
    """The JSON line of a record that could not be read, so was not sent."""
    data = {"location": location, "event_name": None, "attempt": 0, "status": None, "ok": False}
    return orjson.dumps({**data, "time_ms": None, "error": f"not sent: {reason}", "answer": None}).decode()


#: Deliveries the consumer refused that the summary names; the rest are counted.
NAMED_REFUSALS = 20


def send_summary(
    target: str,
    answers: Mapping[str, int],
    refused: list[tuple[str, str]],
    unreadable: int = 0,
    left_out: int = 0,
) -> list[str]:
    """What ``send`` says at the end: answers by status, the deliveries the consumer refused
    (``(label, status)``), the records it could not read and those ``--event`` left out."""
    sent = sum(answers.values())
    by_status = f" ({tallied(answers)})" if answers else ""
    lines = [
        f"{sent} sent to {target}: {sent - len(refused)} answered 2xx, {len(refused)} did not{by_status}"
    ]
    if refused:
        named = "; ".join(f"{label}: {status}" for label, status in refused[:NAMED_REFUSALS])
        more = len(refused) - NAMED_REFUSALS
        lines.append(f"not 2xx: {named}" + (f"; and {more} more" if more > 0 else ""))
    if unreadable:
        lines.append(f"{counted(unreadable, 'record')} unreadable, not sent")
    if left_out:
        lines.append(f"{counted(left_out, 'delivery')} left out by --event")
    return lines
