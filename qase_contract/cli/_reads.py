"""``qase-contract reads``: a consumer's read-set checked against the contract, and what it covers."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from qase_contract.cli._common import (
    ExitCode,
    ReportsUsageErrors,
    schema_set_from,
    schemas_option,
    usage_error,
)
from qase_contract.contract._reads import READSET_SCHEMA, ReadSet
from qase_contract.errors import ReadSetError
from qase_contract.reporters._reads import render_check_json

#: Formats read by people, who have the message on standard error already.
TEXT_FORMATS = ("text", "markdown")


def _error_document(output_format: str, message: str) -> str:
    return render_check_json({"error": {"message": message}}) if output_format == "json" else ""


def _file_command(function: Callable[..., None]) -> click.Command:
    """A subcommand of ``reads`` taking FILE and ``--schemas``, whose usage errors reach its report."""
    command = click.argument("file")(schemas_option(function))
    made: click.Command = reads.command(
        cls=ReportsUsageErrors,
        format_param="output_format",
        error_document=_error_document,
        text_formats=TEXT_FORMATS,
    )(command)
    return made


def _read_set(file: str) -> ReadSet:
    try:
        return ReadSet.read(file)
    except ReadSetError as error:
        usage_error(str(error))


@click.group()
def reads() -> None:
    """Read-sets: the fields your code reads, per event (pytest --qase-record-reads writes one).

    With a read-set, validate --reads, drift --reads and pytest --qase-reads fail only on
    findings that affect what you read.
    """


@_file_command
@click.option(
    "-f", "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def check(file: str, overlay: str | None, output_format: str) -> None:
    """Check the read-set FILE against the contract.

    A read path that no event has, or an event name or pattern that matches no event, is an
    error; a path that can be absent or null is a warning; a closed set a new value can
    arrive in is a note. Exit status: 0 without errors, 1 with errors, 2 for a usage error.
    """
    from qase_contract.contract._coverage import check_reads
    from qase_contract.reporters._reads import check_data, render_check_text

    read_set = _read_set(file)
    data = check_data(file, check_reads(read_set, schema_set_from(overlay)))
    render = render_check_json if output_format == "json" else render_check_text
    sys.stdout.write(render(data))
    sys.exit(ExitCode.OK if data["ok"] else ExitCode.FAILED)


@_file_command
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="markdown suits a CI job summary or a pull request.",
)
def show(file: str, overlay: str | None, output_format: str) -> None:
    """Show per event the documented fields, which of them the read-set FILE reads, and which
    read paths are risky (optional, nullable, closed sets)."""
    from qase_contract.contract._coverage import coverage
    from qase_contract.reporters._reads import render_show_markdown, render_show_text

    read_set = _read_set(file)
    covered = coverage(read_set, schema_set_from(overlay))
    render = render_show_markdown if output_format == "markdown" else render_show_text
    sys.stdout.write(render(file, covered))


@reads.command()
def schema() -> None:
    """Print the JSON Schema of the read-set file format."""
    sys.stdout.write(READSET_SCHEMA.read_text(encoding="utf-8"))
