"""``qase-contract drift``: what a corpus shows that the contract does not say; baselines for CI."""

from __future__ import annotations

import os
import sys

import click

from qase_contract._util.printable import one_line
from qase_contract.cli._common import (
    ExitCode,
    ReportsUsageErrors,
    schema_set_from,
    schemas_option,
    stop,
    usage_error,
)
from qase_contract.cli._output import report_stream
from qase_contract.drift import _baseline as baselines
from qase_contract.drift._compare import DriftReport, compare
from qase_contract.drift._profile import CorpusProfile
from qase_contract.drift._report import report_data
from qase_contract.drift._suggest import suggest_overlay
from qase_contract.errors import BaselineError, SourceError
from qase_contract.reporters._drift import render_json, render_markdown, render_text
from qase_contract.reporters._html_drift import render_html, render_html_error
from qase_contract.sources._paths import STDIN, read_paths

RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json, "html": render_html}


#: Formats read by people, who have the message on standard error already.
TEXT_FORMATS = ("text", "markdown", "html")


def _error_document(output_format: str, message: str) -> str:
    if output_format == "json":
        return render_json({"error": {"message": message}})
    return render_html_error(message) if output_format == "html" else f"Error: {message}\n"


@click.command(
    cls=ReportsUsageErrors,
    format_param="output_format",
    error_document=_error_document,
    text_formats=TEXT_FORMATS,
)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="Report format; markdown suits a CI job summary, html is a page with charts, json is stable.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the report to this file instead of stdout."
)
@schemas_option
@click.option(
    "--suggest",
    "suggest_folder",
    type=click.Path(file_okay=False),
    help="Write overlay schemas adopting the observed changes into this folder (for --schemas).",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    help="Store each event's observed shape in this file.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help=(
        "Exit 1 when the corpus shows a shape this baseline lacks "
        "(new event, field, type, value or broken limit)."
    ),
)
def drift(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    overlay: str | None,
    suggest_folder: str | None,
    write_baseline: str | None,
    baseline: str | None,
) -> None:
    """Report how captured deliveries differ from the contract, per event.

    Exit status: 0 when the report could be made (and the corpus holds no shape the
    --baseline lacks), 1 for a new shape, for records that could not be read or for a corpus
    with nothing to profile, 2 for a usage error.
    """
    try:
        schema_set = schema_set_from(overlay)
        missing = [path for path in paths if path != STDIN and not os.path.lexists(path)]
        if missing:
            raise click.UsageError(f"no such file or folder: {', '.join(missing)}")
        known_shapes: baselines.Shapes | None = None
        if baseline is not None:
            try:
                known_shapes = baselines.read_baseline(baseline)
            except BaselineError as error:
                raise click.UsageError(f"--baseline: {error}") from None
        profile = CorpusProfile.of(read_paths(paths), schema_set)
    except (click.UsageError, SourceError) as error:
        usage_error(str(error.message if isinstance(error, click.UsageError) else error))
    report = compare(profile)
    check = None
    if known_shapes is not None:
        check = baselines.check_baseline(profile, known_shapes, str(baseline))
    text = RENDERERS[output_format](report_data(report, check))
    with report_stream(output) as stream:
        stream.write(text)
    try:
        if write_baseline is not None:
            baselines.write_baseline(profile, write_baseline)
        if suggest_folder is not None:
            _suggest(profile, report, suggest_folder)
    except OSError as error:
        stop(f"cannot write {error.filename or ''}: {error.strerror or error}", ExitCode.USAGE)
    incomplete = _incomplete(profile)
    if incomplete:
        stop(incomplete, ExitCode.FAILED)
    sys.exit(ExitCode.FAILED if check is not None and not check.passed else ExitCode.OK)


def _incomplete(profile: CorpusProfile) -> str | None:
    """Why the corpus cannot be trusted as read, if it cannot: a CI gate must not pass on a
    misspelt folder or a file that could not be opened."""
    unreadable = profile.skipped.get("unreadable")
    if unreadable is not None:
        where = unreadable.first_location
        return f"{unreadable.count} record(s) could not be read (first {where}); see the report"
    skipped = sum(item.count for item in profile.skipped.values())
    if profile.deliveries == skipped:
        return "no delivery in the corpus could be profiled"
    return None


def _suggest(profile: CorpusProfile, report: DriftReport, folder: str) -> None:
    suggestion = suggest_overlay(profile, report, folder)
    if suggestion.files:
        click.echo(
            f"suggest: wrote {len(suggestion.files)} schema file(s) to {folder} (use --schemas {folder})",
            err=True,
        )
    else:
        # What cannot be adopted (a broken limit, a missing field) is listed all the same.
        click.echo(f"suggest: nothing to adopt; {folder} left unchanged", err=True)
    # Lines name events and keys from the corpus: escaped, so none can forge a line or a terminal escape.
    for line in suggestion.adopted:
        click.echo(f"  adopted: {one_line(line)}", err=True)
    for line in suggestion.not_adopted:
        click.echo(f"  not adopted: {one_line(line)}", err=True)
