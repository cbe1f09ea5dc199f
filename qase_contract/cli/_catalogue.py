"""``qase-contract events``, ``schema`` and ``example``: browse the contract from the command line."""

from __future__ import annotations

import json
from typing import Any

import click

from qase_contract.cli._common import schema_set_from, schemas_option
from qase_contract.contract._bundle import bundled, opened
from qase_contract.contract._inventory import (
    example_path,
    example_variants,
    listed_events,
    schema_id_named,
)
from qase_contract.contract._provenance import with_provenance
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import BundleError, UnknownEvent, UnknownExample

_COLUMNS = ("EVENT", "ENTITY", "UI LABEL", "SCHEMA")


@click.command()
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table for people, or a JSON array for programs.",
)
@schemas_option
def events(output_format: str, overlay: str | None) -> None:
    """List every event with its entity, Qase UI label and schema file."""
    entries = listed_events(schema_set_from(overlay))
    if output_format == "json":
        rows = [
            {
                "name": entry.name,
                "entity": entry.entity,
                "label": entry.label,
                "schema_path": entry.schema_path,
                "origin": entry.origin,
            }
            for entry in entries
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = [_COLUMNS] + [
        (
            entry.name,
            entry.entity or "-",
            entry.label or "-",
            entry.schema_path + (" (overlay)" if entry.origin == "overlay" else ""),
        )
        for entry in entries
    ]
    widths = [max(len(row[column]) for row in table) for column in range(len(_COLUMNS))]
    for row in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@click.command()
@click.argument("event_name", metavar="EVENT")
@click.option("--bundled", "bundle", is_flag=True, help="One self-contained document: every $ref inlined.")
@click.option(
    "--open",
    "open_rendering",
    is_flag=True,
    help="The tolerant rendering: unknown fields and values accepted. Implies --bundled, "
    "since the shared definitions must be opened too.",
)
@schemas_option
def schema(event_name: str, bundle: bool, open_rendering: bool, overlay: str | None) -> None:
    """Print the JSON Schema of EVENT, or of the `envelope`."""
    schema_set = schema_set_from(overlay)
    schema_id = _schema_id(schema_set, event_name)
    document: Any = schema_set.resources[schema_id]
    if bundle or open_rendering:
        try:
            document = bundled(schema_set, event_name)
        except BundleError as error:
            raise click.UsageError(f"{schema_set.relative_name(schema_id)}: {error}") from None
    if open_rendering:
        document = opened(document)
    if bundle or open_rendering:
        document = with_provenance(document, schema_set)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@click.command()
@click.argument("event_name", metavar="EVENT")
@click.option("--variant", help="Which example of the event.  [default: canonical]")
@click.option("--list", "list_variants", is_flag=True, help="List the example variants of EVENT.")
@schemas_option
def example(event_name: str, variant: str | None, list_variants: bool, overlay: str | None) -> None:
    """Print a shipped example delivery of EVENT, byte for byte."""
    if list_variants and variant is not None:
        raise click.UsageError("--list and --variant exclude each other")
    schema_set = schema_set_from(overlay)
    _schema_id(schema_set, event_name)
    variants = example_variants(schema_set, event_name)
    if list_variants and variants:
        click.echo("\n".join(variants))
        return
    try:
        path = example_path(schema_set, event_name, variant or "canonical")
    except UnknownExample as error:
        hint = "'--variant'" if error.variants else "EVENT"
        raise click.BadParameter(str(error), param_hint=hint) from None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.UsageError(f"{path}: cannot read the example: {error}") from None
    click.echo(text, nl=not text.endswith("\n"))


def _schema_id(schema_set: SchemaSet, event_name: str) -> str:
    try:
        return schema_id_named(schema_set, event_name)
    except UnknownEvent as error:
        raise click.BadParameter(
            f"{error} (`qase-contract events` lists them all)", param_hint="EVENT"
        ) from None
