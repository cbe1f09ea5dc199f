"""What the inspector page (``listen --ui``) is sent: a summary of each delivery for the list,
its details for the detail view (the body laid out one JSON member per line, each line with
its JSON pointer, so the page marks the lines findings point at), and consumers' answers.

They render what the live room hands over (protocols, as in :mod:`._live`). Every text is
data for the page, which shows it as text, never as markup; texts kept per delivery for the
list are cut short, so 10,000 summaries stay small.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from typing import Protocol

import orjson

from qase_contract._util.pointer import child
from qase_contract._util.printable import one_line
from qase_contract.findings import Finding
from qase_contract.reporters._live import ConsumerReply, LiveReceipt

#: Characters of an event name, path, reason or message kept in a summary.
SUMMARY_TEXT = 160
#: The answer's body is kept with a summary up to this many bytes (most answers are ~100).
ANSWER_KEPT = 1024
#: A body laid out in more lines than this is shown raw.
MAX_LINES = 20_000
#: What is sent of a body, at most: enough for anything ``--max-body`` lets in by default.
MAX_BODY_SENT = 2 * 1024 * 1024
#: The verdict shown for a request the receiver refused before checking it.
REJECTED = "rejected"

Line = tuple[int, str | None, str]


class InspectedReceipt(LiveReceipt, Protocol):
    """A receipt with what the detail view shows beyond the live line."""

    @property
    def body(self) -> bytes: ...
    @property
    def answer(self) -> bytes: ...
    @property
    def answer_type(self) -> str: ...


def clipped(text: str, length: int = SUMMARY_TEXT) -> str:
    """``text`` on one line, cut to ``length`` characters with an ellipsis."""
    text = one_line(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def verdict_word(receipt: LiveReceipt) -> str:
    """The badge: conforming, drift, violation, error (the checker failed) or rejected."""
    return receipt.verdict if receipt.verdict is not None else REJECTED


def delivery_summary(receipt: InspectedReceipt, number: int, *, history: bool = False) -> dict[str, object]:
    """One row of the list: when, which event, the verdict and the first finding, what was answered."""
    finding = receipt.finding
    return {
        "id": number,
        "at": receipt.received_at,
        "event": None if receipt.event is None else clipped(receipt.event),
        "verdict": verdict_word(receipt),
        "status": receipt.status,
        "size": len(receipt.body),
        "method": clipped(receipt.method, 16),
        "path": clipped(receipt.path),
        "reason": clipped(receipt.reason),
        "findings": len(receipt.findings),
        "first": None if finding is None else _finding_summary(finding),
        "answered_by": receipt.answered_by,
        "history": history,
    }


def _finding_summary(finding: Finding) -> dict[str, str]:
    return {
        "kind": finding.kind,
        "code": finding.code,
        "path": clipped(finding.path),
        "message": clipped(finding.message),
    }


def finding_detail(finding: Finding) -> dict[str, object]:
    return {
        "kind": finding.kind,
        "code": finding.code,
        "path": finding.path,
        "message": finding.message,
        "expected": finding.expected,
        "actual": finding.actual,
        "schema_path": finding.schema_path,
    }


def delivery_detail(
    receipt: InspectedReceipt,
    number: int,
    *,
    forwarded: list[dict[str, object]],
    answer_kept: bool = True,
    history: bool = False,
) -> dict[str, object]:
    """Everything the detail view shows of one delivery. ``answer_kept`` is false for a delivery
    read back from the capture file, which keeps the status answered but not the answer's body."""
    return {
        "id": number,
        "history": history,
        "at": receipt.received_at,
        "method": receipt.method,
        "path": receipt.path,
        "query": receipt.query,
        "remote_addr": receipt.remote_addr,
        "headers": dict(receipt.headers),
        "event": receipt.event,
        "verdict": verdict_word(receipt),
        "reason": receipt.reason,
        "note": receipt.note,
        "recorded": receipt.recorded,
        "findings": [finding_detail(finding) for finding in receipt.findings],
        "body": body_data(receipt.body),
        "answer": {
            "status": receipt.status,
            "by": receipt.answered_by,
            "delay": receipt.delay,
            "type": receipt.answer_type if answer_kept else None,
            "text": _answer_text(receipt.answer) if answer_kept else None,
        },
        "forwarded": forwarded,
    }


def body_data(body: bytes) -> dict[str, object]:
    """The body as text (base64 when it is not UTF-8) and, when it is JSON, its lines."""
    shown = body[:MAX_BODY_SENT]
    try:
        text, encoding = shown.decode("utf-8"), "text"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(shown).decode("ascii"), "base64"
    complete = len(shown) == len(body)
    lines = pretty_lines(text) if encoding == "text" and complete else None
    return {"size": len(body), "encoding": encoding, "text": text, "complete": complete, "lines": lines}


def _answer_text(answer: bytes) -> str:
    return answer[:ANSWER_KEPT].decode("utf-8", "replace")


def kept_answer(answer: bytes) -> bytes:
    """The answer's body as a summary keeps it: whole when small, else its start."""
    return answer[:ANSWER_KEPT]


def consumer_answer(
    at: str, target: str, answer: ConsumerReply | None, skipped: str = "", *, replay: bool = False
) -> dict[str, object]:
    """A consumer's answer to a forwarded (or replayed) delivery, or why it was not sent."""
    return {
        "at": at,
        "target": target,
        "replay": replay,
        "status": None if answer is None else answer.status,
        "ok": answer is not None and answer.ok,
        "latency_ms": None if answer is None else round(answer.latency * 1000, 1),
        "error": f"not forwarded: {skipped}" if answer is None else answer.error,
        "excerpt": "" if answer is None else answer.excerpt,
    }


def search_text(summary: Mapping[str, object]) -> str:
    """What the text filter looks through besides the body: a summary's words, folded."""
    first = summary.get("first")
    words = [str(summary.get(key) or "") for key in ("event", "verdict", "status", "path", "reason", "at")]
    if isinstance(first, dict):
        words += [str(value) for value in first.values()]
    return "\n".join(words).casefold()


# -- the body, one JSON member per line ---------------------------------------------------


class _Number(str):
    """A number as the body writes it (``1e3``, ``12345678901234567890``), never rounded."""


class _Object(list[tuple[str, object]]):
    """An object's members in their order, duplicates included."""


def _refuse(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


def pretty_lines(text: str) -> list[Line] | None:
    """The JSON ``text`` laid out one member per line: ``(depth, pointer, text)``, where the
    pointer is the member's (``None`` on a closing bracket). ``None`` for text that is not
    JSON or would take more than :data:`MAX_LINES` lines."""
    try:
        value = json.loads(
            text, object_pairs_hook=_Object, parse_int=_Number, parse_float=_Number, parse_constant=_refuse
        )
        lines: list[Line] = []
        for line in _lines(value, "", 0, "", ""):
            lines.append(line)
            if len(lines) > MAX_LINES:
                return None
    except (ValueError, RecursionError):
        return None
    return lines


def _lines(value: object, pointer: str, depth: int, key: str, comma: str) -> Iterator[Line]:
    if isinstance(value, _Object | list):
        members = (
            [(json.dumps(name, ensure_ascii=False) + ": ", name, item) for name, item in value]
            if isinstance(value, _Object)
            else [("", index, item) for index, item in enumerate(value)]
        )
        brackets = "{}" if isinstance(value, _Object) else "[]"
        if not members:
            yield depth, pointer, f"{key}{brackets}{comma}"
            return
        yield depth, pointer, key + brackets[0]
        last = len(members) - 1
        for index, (label, name, item) in enumerate(members):
            yield from _lines(item, child(pointer, name), depth + 1, label, "," if index < last else "")
        yield depth, None, brackets[1] + comma
    else:
        yield depth, pointer, key + _scalar(value) + comma


def _scalar(value: object) -> str:
    if isinstance(value, _Number):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def event_message(number: int, kind: str, data: object) -> bytes:
    """One server-sent event: its number (the page's ``Last-Event-ID``), its kind, its data
    as one line of JSON (orjson writes no newline)."""
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (number, kind.encode("ascii"), orjson.dumps(data))
