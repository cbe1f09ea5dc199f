"""``qase-contract send``: post example or captured deliveries to a consumer, changed as asked,
and show its answers."""

from __future__ import annotations

import os
import re
import ssl
import sys
from collections import Counter
from collections.abc import Iterable, Iterator

import click

from qase_contract._util.names import did_you_mean
from qase_contract._util.words import counted
from qase_contract.cli._common import ExitCode, FiniteRange, schema_set_from, schemas_option, usage_error
from qase_contract.contract._inventory import listed_events
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import BadEdit, BadTarget, SourceError, UnknownExample
from qase_contract.live._edits import Edit
from qase_contract.live._outgoing import (
    CANONICAL,
    CONNECTION_HEADERS,
    Outgoing,
    edited,
    from_paths,
    samples,
    with_headers,
)
from qase_contract.live._sender import DEFAULT_TIMEOUT, ConsumerAnswer, Target, paced, post, tls_context
from qase_contract.reporters._live import exchange_json, send_summary, unsent_json
from qase_contract.sources._paths import STDIN
from qase_contract.validation._batch import EventFilter

#: RFC 9110's token: the characters a header name may hold.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CERTIFICATE_HINT = (
    "hint: the consumer's certificate is not trusted; give its authority with --cacert FILE, "
    "or skip the check with --insecure (tests only)"
)


@click.command()
@click.argument("url")
@click.option(
    "--from",
    "sources",
    multiple=True,
    metavar="PATH",
    help="Send every delivery of PATH, as validate reads it: JSON, arrays, JSON Lines, HAR, "
    "capture files, folders, or - for standard input (repeatable). Bodies are sent byte for byte.",
)
@click.option(
    "--event",
    "events",
    multiple=True,
    metavar="NAME",
    help="Send this event's example; with --from, send only this event's deliveries. Repeatable; "
    "shell patterns such as 'run.*' work.",
)
@click.option("--all-events", is_flag=True, help="Send an example of every event.")
@click.option(
    "--variant",
    metavar="NAME",
    help="Which shipped example of each event to send (default canonical; "
    "qase-contract example EVENT --list shows them).",
)
@schemas_option
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="POINTER=JSON",
    help="Set the value at this JSON Pointer in every delivery, adding the last member if it is "
    "missing: /payload/duration=null, /payload/title='\"x\"' (repeatable; made before --unset).",
)
@click.option(
    "--unset",
    "removals",
    multiple=True,
    metavar="POINTER",
    help="Remove the member at this JSON Pointer from every delivery: /payload/duration (repeatable).",
)
@click.option(
    "--header",
    "header_options",
    multiple=True,
    metavar="NAME:VALUE",
    help="Send this header with every delivery, in place of any of the same name (repeatable).",
)
@click.option(
    "--recorded-headers/--no-recorded-headers",
    default=True,
    show_default=True,
    help="With --from, replay the headers that capture files and HAR archives recorded "
    "(connection headers left out, the secret put back); else send those Qase sends.",
)
@click.option(
    "--repeat",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    metavar="N",
    help="Send each delivery N times in a row, as a redelivery would (1 to 1000).",
)
@click.option(
    "--secret",
    envvar="QASE_WEBHOOK_SECRET",
    show_envvar=True,
    help="Send this X-Qase-Secret (replays get it in place of the redacted one).",
)
@click.option(
    "--rate",
    type=FiniteRange(min=0.001, max=100_000),
    help="At most N deliveries per second (0.001 to 100000).",
)
@click.option(
    "--timeout",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    type=FiniteRange(min=0, min_open=True, max=3600),
    help="Seconds to wait for each answer (at most an hour).",
)
@click.option("--insecure", is_flag=True, help="HTTPS: do not check the consumer's certificate (tests only).")
@click.option(
    "--cacert",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False),
    help="HTTPS: trust the certificate authorities (or the self-signed certificate) in this PEM file.",
)
@click.option(
    "--json",
    "json_lines",
    is_flag=True,
    help="One JSON line per exchange on standard output (location, event, status, time); "
    "the summary on standard error.",
)
def send(
    url: str,
    sources: tuple[str, ...],
    events: tuple[str, ...],
    all_events: bool,
    variant: str | None,
    overlay: str | None,
    settings: tuple[str, ...],
    removals: tuple[str, ...],
    header_options: tuple[str, ...],
    recorded_headers: bool,
    repeat: int,
    secret: str | None,
    rate: float | None,
    timeout: float,
    insecure: bool,
    cacert: str | None,
    json_lines: bool,
) -> None:
    """Post deliveries to URL one at a time, printing each answer's status and latency.

    Exits 1 if any answer was not 2xx (or never came) or a record could not be read, else 0;
    2 for a usage error (nothing is sent then).
    """
    try:
        target = Target.parse(url)
    except BadTarget as error:
        raise click.UsageError(str(error)) from None
    context = _tls(target, insecure, cacert)
    edits = _edits(settings, removals)
    extra_headers = _headers(header_options)
    schema_set = schema_set_from(overlay)
    event_filter = EventFilter(events) if sources else EventFilter()
    if sources:
        if all_events or variant is not None:
            raise click.UsageError("--all-events and --variant choose examples; with --from, --event filters")
        _check_sources(sources)
        for pattern in event_filter.unmatched(schema_set.event_schemas):
            _, hint = did_you_mean(pattern, schema_set.event_schemas)
            click.echo(f"warning: --event {pattern!r} matches no known event{hint}", err=True)
        outgoing: Iterable[Outgoing] = from_paths(sources, secret, recorded_headers=recorded_headers)
    else:
        names = _chosen_events(schema_set, events, all_events)
        outgoing = _examples(schema_set, names, secret, variant or CANONICAL, exact=not all_events)
    outgoing = (with_headers(item, extra_headers) for item in outgoing)
    if edits:
        # Every change is tried before anything is sent: a change that cannot be made is a
        # usage error, not a delivery half the consumers got.
        outgoing = _all_edited(outgoing, edits, event_filter)

    def emit(line: str) -> None:
        click.echo(line)

    def note(line: str) -> None:
        click.echo(line, err=json_lines)

    statuses: Counter[str] = Counter()
    refused: list[tuple[str, str]] = []
    unreadable = left_out = 0
    certificate_failed = False
    try:
        for item, attempt in paced(_attempts(outgoing, repeat), rate):
            if item.problem is not None:
                unreadable += 1
                emit(
                    unsent_json(item.location, item.problem)
                    if json_lines
                    else f"{item.label}  error: {item.problem}"
                )
                continue
            if not _wanted(item, event_filter):
                left_out += 1
                continue
            answer = post(target, item.body, item.headers, timeout=timeout, context=context)
            shown = _status_text(answer)
            statuses[shown] += 1
            if not answer.ok:
                refused.append((item.label + _attempt_suffix(attempt, repeat), shown))
                certificate_failed |= "CERTIFICATE_VERIFY_FAILED" in (answer.error or "")
            if json_lines:
                emit(exchange_json(item.location, item.event, attempt, answer))
            else:
                emit(f"{item.label}{_attempt_suffix(attempt, repeat)}  {answer.describe()}")
    except SourceError as error:  # a path that vanished while the run went on
        usage_error(str(error))
    if certificate_failed:
        click.echo(_CERTIFICATE_HINT, err=True)
    for line in send_summary(target.shown(secret), statuses, refused, unreadable, left_out):
        note(line)
    if left_out and not statuses and not unreadable:
        note(f"--event left out all {counted(left_out, 'delivery')}: nothing was sent")
        sys.exit(ExitCode.FAILED)
    sys.exit(ExitCode.FAILED if refused or unreadable else ExitCode.OK)


def _check_sources(sources: tuple[str, ...]) -> None:
    missing = [path for path in sources if path != STDIN and not os.path.lexists(path)]
    if missing:
        usage_error(f"--from: no such file or folder: {', '.join(missing)}")
    if sources.count(STDIN) > 1:
        usage_error("--from -: standard input can be read only once; give it once")


def _wanted(item: Outgoing, event_filter: EventFilter) -> bool:
    """Whether ``--event`` lets a delivery through: with patterns, only a delivery of a matching
    event (one with no event name could be anything, so it is not sent)."""
    return not event_filter.patterns or (item.event is not None and event_filter.matches(item.event))


def _tls(target: Target, insecure: bool, cacert: str | None) -> ssl.SSLContext | None:
    if insecure and cacert is not None:
        raise click.UsageError("--insecure checks no certificate, --cacert checks against FILE: give one")
    if (insecure or cacert is not None) and target.scheme != "https":
        raise click.UsageError(f"--insecure and --cacert are for https:// URLs, not {target.scheme}://")
    try:
        return tls_context(insecure=insecure, cacert=cacert)
    except (OSError, ValueError) as error:
        raise click.UsageError(f"--cacert: {cacert} holds no usable PEM certificate ({error})") from None


def _edits(settings: tuple[str, ...], removals: tuple[str, ...]) -> list[Edit]:
    try:
        return [*map(Edit.setting, settings), *map(Edit.removal, removals)]
    except BadEdit as error:
        raise click.UsageError(str(error)) from None


def _headers(options: tuple[str, ...]) -> dict[str, str]:
    """``--header NAME:VALUE`` options as headers; a usage error for one HTTP cannot carry."""
    headers: dict[str, str] = {}
    for option in options:
        name, colon, value = option.partition(":")
        name, value = name.strip(), value.strip(" \t")
        if not colon or not _HEADER_NAME.fullmatch(name):
            raise click.UsageError(
                f"--header {option!r}: give NAME:VALUE, the name made of letters, digits and !#$%&'*+-.^_`|~"
            )
        if name.lower() in CONNECTION_HEADERS:
            raise click.UsageError(
                f"--header {name}: the sender writes it for each connection; it cannot be set"
            )
        if any(not character.isprintable() and character != "\t" for character in value):
            raise click.UsageError(f"--header {name}: the value holds a line break or control character")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise click.UsageError(f"--header {name}: HTTP carries header values in Latin-1 only") from None
        headers = {key: kept for key, kept in headers.items() if key.lower() != name.lower()}
        headers[name] = value
    return headers


def _chosen_events(schema_set: SchemaSet, events: tuple[str, ...], all_events: bool) -> list[str]:
    """The events whose examples are sent, in the catalogue's order."""
    if all_events == bool(events):
        raise click.UsageError("give --event NAME..., --all-events or --from PATH (with --event to filter)")
    known = [entry.name for entry in listed_events(schema_set)]
    if all_events:
        return known
    event_filter = EventFilter(events)
    for pattern in event_filter.unmatched(known):
        _, hint = did_you_mean(pattern, known)
        raise click.UsageError(
            f"--event: {pattern!r} is not a known Qase event{hint or '; --all-events sends every one'}"
        )
    return [name for name in known if event_filter.matches(name)]


def _examples(
    schema_set: SchemaSet, names: list[str], secret: str | None, variant: str, *, exact: bool
) -> list[Outgoing]:
    """The ``variant`` example of each event. An event without it is a usage error when it was
    named; when it was chosen by a pattern or --all-events it is passed over, and said so."""
    found: list[Outgoing] = []
    missing: list[str] = []
    for name in names:
        try:
            found.extend(samples(schema_set, [name], secret, variant))
        except UnknownExample as error:
            if exact and len(names) == 1:
                usage_error(f"--variant: {error}")
            missing.append(name)
    if not found:
        usage_error(f"--variant: no example {variant!r} ships for {', '.join(missing)}")
    if missing:
        click.echo(
            f"note: --variant {variant}: {len(missing)} of the {len(names)} events have no such example "
            f"and are not sent ({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})",
            err=True,
        )
    return found


def _all_edited(outgoing: Iterable[Outgoing], edits: list[Edit], event_filter: EventFilter) -> list[Outgoing]:
    changed = []
    for item in outgoing:
        if item.problem is None and _wanted(item, event_filter):
            try:
                item = edited(item, edits)
            except BadEdit as error:
                usage_error(f"{error}; nothing was sent")
        changed.append(item)
    return changed


def _attempts(outgoing: Iterable[Outgoing], repeat: int) -> Iterator[tuple[Outgoing, int]]:
    for item in outgoing:
        for attempt in range(1, (1 if item.problem is not None else repeat) + 1):
            yield item, attempt


def _attempt_suffix(attempt: int, repeat: int) -> str:
    return f"  ({attempt}/{repeat})" if repeat > 1 else ""


def _status_text(answer: ConsumerAnswer) -> str:
    return str(answer.status) if answer.status is not None else "no answer"
