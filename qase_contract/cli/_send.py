"""``qase-contract send``: post sample or captured deliveries to a consumer and show its answers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

from qase_contract._util.names import did_you_mean
from qase_contract._util.words import counted
from qase_contract.cli._common import ExitCode, FiniteRange
from qase_contract.contract._catalog import EVENTS
from qase_contract.errors import BadTarget
from qase_contract.live._sender import DEFAULT_TIMEOUT, Outgoing, Target, paced, post, replays, samples


@click.command()
@click.argument("url")
@click.option(
    "--event", "events", multiple=True, metavar="NAME", help="Send this event's sample (repeatable)."
)
@click.option("--all-events", is_flag=True, help="Send a sample of every documented event.")
@click.option(
    "--from",
    "capture",
    type=click.Path(exists=True, dir_okay=False),
    help="Replay the deliveries of this capture file, byte for byte.",
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
def send(
    url: str,
    events: tuple[str, ...],
    all_events: bool,
    capture: str | None,
    secret: str | None,
    rate: float | None,
    timeout: float,
) -> None:
    """Post deliveries to URL one at a time, printing each answer's status and latency.

    Exits 1 if any answer was not 2xx (or never came), else 0.
    """
    try:
        target = Target.parse(url)
    except BadTarget as error:
        raise click.UsageError(str(error)) from None
    chosen = sum((bool(events), all_events, capture is not None))
    if chosen != 1:
        raise click.UsageError("give exactly one of --event NAME..., --all-events or --from CAPTURE")
    _check_event_names(events)
    outgoing = _outgoing(events, all_events, capture, secret)

    sent = answered = unreadable = 0
    for item in paced(outgoing, rate):
        if item.problem is not None:
            unreadable += 1
            click.echo(f"{item.label}  error: {item.problem}")
            continue
        answer = post(target, item.body, item.headers or {}, timeout=timeout)
        sent += 1
        answered += answer.ok
        click.echo(f"{item.label}  {answer.describe()}")
    summary = f"{sent} sent to {target}: {answered} answered 2xx, {sent - answered} did not"
    click.echo(summary + (f"; {counted(unreadable, 'capture line')} unreadable" if unreadable else ""))
    sys.exit(ExitCode.FAILED if answered < sent or unreadable else ExitCode.OK)


def _check_event_names(events: tuple[str, ...]) -> None:
    known = [spec.name for spec in EVENTS]
    for name in events:
        if name not in known:
            _, hint = did_you_mean(name, known)
            raise click.UsageError(
                f"--event: {name!r} is not a documented Qase event{hint or '; --all-events sends every one'}"
            )


def _outgoing(
    events: tuple[str, ...], all_events: bool, capture: str | None, secret: str | None
) -> Iterator[Outgoing]:
    if capture is not None:
        return replays(Path(capture), secret)
    return samples([spec.name for spec in EVENTS] if all_events else events, secret)
