"""``qase-contract validate``: check captured deliveries and report the findings."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click

from qase_contract.registry import SchemaSetError
from qase_contract.sources import Delivery, ReadFailure, SourceError, read_bytes, read_paths
from qase_contract.validator import Validator

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Fail on drift (unknown fields, values, events) too.")
@click.option(
    "--schemas",
    "overlay",
    type=click.Path(file_okay=False),
    help="Folder of overlay schemas that add or replace events.",
)
def validate(paths: tuple[str, ...], strict: bool, overlay: str | None) -> None:
    """Validate captured deliveries: JSON, JSON Lines, folders, or - for standard input."""
    try:
        validator = Validator(strict=strict, schemas=overlay)
    except SchemaSetError as error:
        raise click.UsageError(f"--schemas: {error}") from None
    missing = [path for path in paths if path != "-" and not Path(path).exists()]
    if missing:
        raise click.UsageError(f"no such file or folder: {', '.join(missing)}")
    statuses: Counter[str] = Counter()
    by_event: dict[str, Counter[str]] = {}
    failed = False
    try:
        for delivery in _deliveries(paths):
            if isinstance(delivery.body, ReadFailure):
                statuses["unreadable"] += 1
                failed = True
                click.echo(f"{delivery.location}  error: {delivery.body.reason}")
                continue
            result = validator.validate(delivery.body)
            event = result.event_name or "(no event)"
            statuses[result.status] += 1
            by_event.setdefault(event, Counter())[result.status] += 1
            failed = failed or not result.ok
            for finding in result.findings:
                click.echo(
                    f"{delivery.location}  {event}  {finding.kind} {finding.code} "
                    f"{finding.path or '/'}: {finding.message}"
                )
    except SourceError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    total = sum(statuses.values())
    click.echo(
        f"{total} deliveries: {statuses['conforming']} conforming, "
        f"{statuses['drift']} with drift, {statuses['violation']} with violations, "
        f"{statuses['unreadable']} unreadable"
    )
    for event, counts in sorted(by_event.items()):
        click.echo(
            f"  {event}: {sum(counts.values())} "
            f"({counts['conforming']} conforming, {counts['drift']} drift, {counts['violation']} violations)"
        )
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


def _deliveries(paths: tuple[str, ...]) -> Iterator[Delivery]:
    for path in paths:
        if path == "-":
            yield from read_bytes(sys.stdin.buffer.read(), "<stdin>")
        else:
            yield from read_paths([path])
