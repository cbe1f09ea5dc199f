"""What ``qase-contract send`` posts, and with which headers.

Two kinds of deliveries: a shipped example of each chosen event (:func:`samples`, any
variant), or every delivery ``validate`` reads from files, folders and standard input
(:func:`from_paths`: JSON documents, arrays, JSON Lines, HAR archives, capture files),
each body as the bytes its source holds. Captures and HAR entries bring their recorded
headers, which are replayed without connection headers and with the secret put back
(:func:`replay_headers`); other deliveries get the headers Qase sends. :func:`edited` changes
a delivery (``--set``/``--unset``) and :func:`with_headers` adds or replaces headers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson

from qase_contract._util.credentials import REDACTED, SECRET_HEADER
from qase_contract._util.printable import printable
from qase_contract._version import __version__
from qase_contract.contract._inventory import example_path
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.live._edits import Edit, apply_all
from qase_contract.sources._model import ReadFailure
from qase_contract.sources._paths import read_paths

USER_AGENT = f"qase-contract/{__version__}"
#: Headers that describe one connection or one framing of the body, never replayed as recorded
#: and never set by hand: the sender writes them for each connection.
CONNECTION_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "proxy-connection",
    }
)
CANONICAL = "canonical"
NOT_JSON = "(not JSON)"
NO_EVENT = "(no event)"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One delivery to send: where it comes from, its event, its raw body and its headers.

    ``problem`` is set instead for a record that could not be read (it is reported, not sent).
    """

    location: str
    event: str | None = None
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None
    #: A shipped example, whose location is its event's name (and variant).
    example: bool = False
    #: How the output shows the event: its name escaped, or why there is none.
    shown: str = NO_EVENT

    @property
    def label(self) -> str:
        """For the output: where it comes from, and its event."""
        if self.problem is not None or self.example:
            return printable(self.location)
        return f"{self.location}  {self.shown}"


def sample_headers(secret: str | None) -> dict[str, str]:
    """The headers Qase sends with a delivery."""
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if secret:
        headers[SECRET_HEADER] = secret
    return headers


def samples(
    schema_set: SchemaSet, events: Iterable[str], secret: str | None, variant: str = CANONICAL
) -> Iterator[Outgoing]:
    """The ``variant`` example of each event, compact JSON as Qase sends it. Raises
    :class:`~qase_contract.errors.UnknownExample` for an event with no such example."""
    for event in events:
        example = example_path(schema_set, event, variant).read_bytes()
        name = event if variant == CANONICAL else f"{event} ({variant})"
        body = orjson.dumps(orjson.loads(example))
        yield Outgoing(name, event, body, sample_headers(secret), example=True, shown=printable(event))


def from_paths(
    paths: Iterable[str | Path], secret: str | None, *, recorded_headers: bool = True
) -> Iterator[Outgoing]:
    """Every delivery ``validate`` reads from ``paths``, body byte for byte, in order.

    Raises :class:`~qase_contract.errors.SourceError` for a path that does not exist.
    """
    for delivery in read_paths(paths, raw_bodies=True):
        location = str(delivery.location)
        body = delivery.body
        if isinstance(body, ReadFailure):
            yield Outgoing(location, problem=body.reason)
            continue
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        event, shown = event_of(raw)
        if delivery.headers is not None and recorded_headers:
            headers = replay_headers(delivery.headers, secret)
        else:
            headers = sample_headers(secret)
        yield Outgoing(location, event, raw, headers, shown=shown)


def event_of(body: bytes) -> tuple[str | None, str]:
    """The delivery's ``event_name`` (``None`` without one), and how the output shows it."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None, NOT_JSON
    name = data.get("event_name") if isinstance(data, dict) else None
    return (name, printable(name)) if isinstance(name, str) else (None, NO_EVENT)


def replay_headers(recorded: Mapping[str, str], secret: str | None) -> dict[str, str]:
    """The recorded headers to send again: connection headers dropped, credentials restored.

    A recorded secret was written as ``[redacted]``; it is replaced by ``secret`` (or dropped
    without one), and other redacted values are dropped: they are never known again.
    """
    headers = {
        name: value
        for name, value in recorded.items()
        if name.lower() not in CONNECTION_HEADERS and REDACTED not in (name, value)
    }
    if secret:
        headers = {k: v for k, v in headers.items() if k.lower() != SECRET_HEADER.lower()}
        headers[SECRET_HEADER] = secret
    return headers


def forward_headers(received: Mapping[str, str]) -> dict[str, str]:
    """The headers of a live delivery to pass on, secret included, connection headers dropped."""
    return {name: value for name, value in received.items() if name.lower() not in CONNECTION_HEADERS}


def edited(item: Outgoing, edits: list[Edit]) -> Outgoing:
    """``item`` with ``edits`` made to its body (compact JSON after); raises
    :class:`~qase_contract.errors.BadEdit` naming the delivery."""
    if not edits or item.problem is not None:
        return item
    body = apply_all(edits, item.body, item.label)
    event, shown = event_of(body)
    return replace(item, body=body, event=event, shown=shown)


def with_headers(item: Outgoing, extra: Mapping[str, str]) -> Outgoing:
    """``item`` with the ``extra`` headers, each replacing any header of the same name."""
    if not extra or item.problem is not None:
        return item
    lowered = {name.lower() for name in extra}
    headers = {name: value for name, value in item.headers.items() if name.lower() not in lowered}
    return replace(item, headers={**headers, **extra})
