"""``create_app()``: the receiver for any WSGI server, configured by arguments or the environment.

gunicorn runs it in several worker processes, each with its own receiver; they all append to
one capture file, which :class:`~qase_contract.sources.CaptureWriter` keeps whole across
processes (one record per locked append). See ``docs/live-deployment.md``::

    QASE_WEBHOOK_SECRET=... QASE_CONTRACT_RECORD=capture.jsonl \\
        gunicorn -w 4 -k gthread --threads 8 'qase_contract.live:create_app()'
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Callable
from os import PathLike
from typing import TypeVar

from qase_contract._util.environment import flag
from qase_contract.live._answers import FIRST_STATUS, LAST_STATUS, MAX_DELAY, AnswerPolicy
from qase_contract.live._receiver import DEFAULT_MAX_BODY, Receipt, Receiver, is_ascii_number
from qase_contract.reporters._live import live_json, live_line
from qase_contract.sources._capture import CaptureWriter
from qase_contract.validation._validator import Validator

T = TypeVar("T")
D = TypeVar("D")


def create_app(
    *,
    schemas: str | PathLike[str] | None = None,
    record: str | PathLike[str] | None = None,
    fsync: bool | None = None,
    secret: str | None = None,
    path: str | None = None,
    max_body: int | None = None,
    strict: bool | None = None,
    respond: int | None = None,
    respond_body: str | None = None,
    fail_rate: float | None = None,
    seed: int | None = None,
    delay: float | None = None,
    json_lines: bool | None = None,
) -> Receiver:
    """A receiver for WSGI servers such as gunicorn; each setting is the argument given, else
    its environment variable, else the default:

    ``schemas`` (``QASE_CONTRACT_SCHEMAS``: a folder of overlay schemas, as ``validate
    --schemas``), ``record`` (``QASE_CONTRACT_RECORD``: the capture file), ``fsync``
    (``QASE_CONTRACT_FSYNC=1``: sync it to disk before each answer), ``secret``
    (``QASE_WEBHOOK_SECRET``), ``path`` (``QASE_CONTRACT_PATH``, default ``/``), ``max_body``
    (``QASE_CONTRACT_MAX_BODY``, bytes), ``strict`` (``QASE_CONTRACT_STRICT=1``: drift
    fails), ``respond`` and ``respond_body`` (``QASE_CONTRACT_RESPOND``,
    ``QASE_CONTRACT_RESPOND_BODY``), ``fail_rate`` and ``seed`` (``QASE_CONTRACT_FAIL_RATE``,
    ``QASE_CONTRACT_SEED``), ``delay`` (``QASE_CONTRACT_DELAY``, seconds) and ``json_lines``
    (``QASE_CONTRACT_JSON=1``: one JSON line per delivery instead of the text line). Live
    lines go to standard output. A setting that is not usable raises ``ValueError`` naming it
    (a bad overlay: :class:`~qase_contract.errors.SchemaSetError`).
    """
    schemas = schemas if schemas is not None else (os.environ.get("QASE_CONTRACT_SCHEMAS") or None)
    record = record if record is not None else (os.environ.get("QASE_CONTRACT_RECORD") or None)
    answers = AnswerPolicy(
        respond=_setting(respond, "QASE_CONTRACT_RESPOND", _status, None),
        respond_body=_setting(respond_body, "QASE_CONTRACT_RESPOND_BODY", str, None),
        fail_rate=_setting(fail_rate, "QASE_CONTRACT_FAIL_RATE", _share, 0.0),
        seed=_setting(seed, "QASE_CONTRACT_SEED", _whole, 0),
        delay=_setting(delay, "QASE_CONTRACT_DELAY", _seconds, 0.0),
    )
    size = _setting(max_body, "QASE_CONTRACT_MAX_BODY", _bytes, DEFAULT_MAX_BODY)
    if size < 1:
        raise ValueError(f"max_body must be a positive number of bytes, got {size}")
    as_json = json_lines if json_lines is not None else _flag("QASE_CONTRACT_JSON")
    strict = strict if strict is not None else _flag("QASE_CONTRACT_STRICT")
    receiver = Receiver(
        validator=Validator(strict=strict, schemas=schemas),
        writer=CaptureWriter(record, fsync=fsync if fsync is not None else _flag("QASE_CONTRACT_FSYNC"))
        if record
        else None,
        secret=secret if secret is not None else os.environ.get("QASE_WEBHOOK_SECRET"),
        path=path if path is not None else os.environ.get("QASE_CONTRACT_PATH", "/"),
        max_body=size,
        on_delivery=_printer(live_json if as_json else live_line),
        answers=answers,
    )
    return receiver.warm_up()


def _printer(render: Callable[[Receipt], str]) -> Callable[[Receipt], None]:
    """Prints each receipt's line whole: one lock per process, one write per line."""
    lock = threading.Lock()

    def print_line(receipt: Receipt) -> None:
        line = render(receipt) + "\n"
        with lock:
            sys.stdout.write(line)
            sys.stdout.flush()

    return print_line


def _flag(name: str) -> bool:
    text = os.environ.get(name, "")
    try:
        return flag(text)
    except ValueError as error:
        raise ValueError(f"{name}: {error}, got {text!r}") from None


def _setting(given: T | None, name: str, parse: Callable[[str], T], default: D) -> T | D:
    """``given``, else the environment variable ``name`` read with ``parse``, else ``default``."""
    if given is not None:
        return given
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return parse(text)
    except ValueError as error:
        raise ValueError(f"{name} must be {error}, got {text!r}") from None


def _whole(text: str) -> int:
    if not is_ascii_number(text):
        raise ValueError("a whole number (ASCII digits)")
    return int(text)


def _bytes(text: str) -> int:
    if not is_ascii_number(text) or int(text) < 1:
        raise ValueError("a positive number of bytes")
    return int(text)


def _status(text: str) -> int:
    if not is_ascii_number(text) or not FIRST_STATUS <= int(text) <= LAST_STATUS:
        raise ValueError(f"an HTTP status from {FIRST_STATUS} to {LAST_STATUS}")
    return int(text)


def _share(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise ValueError("a share from 0 to 1, such as 0.25")
    return value


def _seconds(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= MAX_DELAY:
        raise ValueError(f"a number of seconds from 0 to {MAX_DELAY:g}")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("a number") from None
    if not math.isfinite(value):
        raise ValueError("a finite number")
    return value
