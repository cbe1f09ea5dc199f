"""``qase-contract drift``: what a corpus shows that the contract does not say; baselines for CI."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import click

from qase_contract._util.printable import one_line, shown_path
from qase_contract._util.words import counted
from qase_contract.cli._common import (
    ExitCode,
    ReportsUsageErrors,
    color_option,
    schema_set_from,
    schemas_option,
    stop,
    usage_error,
)
from qase_contract.cli._output import colour_wanted, report_stream
from qase_contract.cli._workers import jobs_option, plan_input
from qase_contract.contract._reads import ReadSet
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.drift import _baseline as baselines
from qase_contract.drift._compare import DriftReport, compare
from qase_contract.drift._profile import CorpusProfile
from qase_contract.drift._report import report_data
from qase_contract.drift._suggest import suggest_overlay
from qase_contract.drift._verdict import FAIL_ON, incomplete_corpus, judge
from qase_contract.errors import BaselineError, ReadSetError, SourceError
from qase_contract.reporters._drift import painted_text, render_json, render_markdown, render_text
from qase_contract.reporters._html_drift import render_html, render_html_error
from qase_contract.sources._lines import MAX_RECORD_BYTES
from qase_contract.sources._paths import STDIN, missing_paths, read_listed
from qase_contract.sources._streams import MAX_DOCUMENT_BYTES

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
    help="Write overlay schemas adopting the observed additive changes into this folder (for --schemas).",
)
@click.option(
    "--adopt-breaking",
    is_flag=True,
    help="With --suggest, adopt breaking changes too (a widened type, a null, a broken limit, "
    "a missing required field); by default they are listed, not adopted.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="What fails the run (exit 1): breaking changes (the default), any drift (the default "
    "with --baseline, judging only what the baseline lacks), or never. A corpus that could not "
    "be read fails in any case.",
)
@click.option("-v", "--verbose", is_flag=True, help="List the events as documented too.")
@click.option("--all", "everything", is_flag=True, help="Same as -v.")
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    help="Store each event's observed shape in this file.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help=(
        "Judge only the shapes this baseline lacks (new event, field, type, value or broken limit): "
        "by default any fails the run."
    ),
)
@click.option(
    "--reads",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Your read-set: the report leads with the changes to what you read, and --baseline "
    "fails only on new shapes that touch it.",
)
@click.option(
    "--max-record-size",
    type=click.IntRange(min=1, max=MAX_DOCUMENT_BYTES),
    default=MAX_RECORD_BYTES,
    show_default=True,
    metavar="BYTES",
    help="JSON Lines records and single-delivery files larger than this are skipped as unreadable.",
)
@jobs_option("profiling the corpus, each folding a share of the events")
@color_option
def drift(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    overlay: str | None,
    suggest_folder: str | None,
    adopt_breaking: bool,
    fail_on: str | None,
    verbose: bool,
    everything: bool,
    write_baseline: str | None,
    baseline: str | None,
    reads: str | None,
    max_record_size: int,
    jobs: int | None,
    color: str,
) -> None:
    """Report how captured deliveries differ from the contract, per event.

    Exit status: 0 when the corpus holds nothing --fail-on fails on, 1 when it does (by
    default a breaking change; with --baseline, a shape the baseline lacks; with --reads, only
    what touches what you read), for records that could not be read or for a corpus with
    nothing to profile, 2 for a usage error.
    """
    if adopt_breaking and suggest_folder is None:
        raise click.UsageError("--adopt-breaking goes with --suggest DIR")
    try:
        schema_set = schema_set_from(overlay)
        missing = missing_paths(paths)
        if missing:
            raise click.UsageError(missing)
        known_shapes: baselines.Shapes | None = None
        if baseline is not None:
            try:
                known_shapes = baselines.read_baseline(baseline)
            except BaselineError as error:
                raise click.UsageError(f"--baseline: {error}") from None
        read_set = None
        if reads is not None:
            try:
                read_set = ReadSet.read(reads)
            except ReadSetError as error:
                raise click.UsageError(f"--reads: {error}") from None
        profile = _profile(paths, jobs, overlay, schema_set, max_record_size)
    except (click.UsageError, SourceError) as error:
        usage_error(str(error.message if isinstance(error, click.UsageError) else error))
    report = compare(profile)
    check = None
    if known_shapes is not None:
        check = baselines.check_baseline(profile, known_shapes, str(baseline), read_set)
    verdict = judge(report, check, fail_on, read_set)
    data = report_data(report, check, verdict, read_set)
    text = RENDERERS[output_format](data, everything=verbose or everything)
    with report_stream(output) as stream:
        if output_format == "text" and colour_wanted(color, stream):
            text = painted_text(text)
        stream.write(text)
    if output is not None and output != "-":
        # The report went to a file: a CI log still shows the verdict.
        click.echo(f"{one_line(verdict.line)} (report in {shown_path(output)})", err=True)
    try:
        if write_baseline is not None:
            baselines.write_baseline(profile, write_baseline)
        if suggest_folder is not None:
            _suggest(profile, report, suggest_folder, adopt_breaking)
    except OSError as error:
        stop(f"cannot write {error.filename or ''}: {error.strerror or error}", ExitCode.USAGE)
    incomplete = incomplete_corpus(report)
    if incomplete:
        stop(incomplete, ExitCode.FAILED)
    sys.exit(ExitCode.OK if verdict.passed else ExitCode.FAILED)


def _profile(
    paths: tuple[str, ...], jobs: int | None, overlay: str | None, schema_set: SchemaSet, max_record: int
) -> CorpusProfile:
    """The corpus's profile, on worker processes when it is large and each can read it for
    itself (regular files and folders: standard input, a pipe or a FIFO gives its data once)."""
    worker_count, listed, _ = plan_input(paths, jobs if all(map(_read_again, paths)) else 1)
    if worker_count == 1:
        return CorpusProfile.of(read_listed(listed, max_record=max_record, batched=True), schema_set)
    from qase_contract.drift._parallel import profile_in_parallel

    return profile_in_parallel(
        paths, jobs=worker_count, overlay=overlay, schema_set=schema_set, max_record=max_record
    )


def _read_again(path: str) -> bool:
    if path == STDIN:
        return False
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return False  # one process reports why
    return stat.S_ISREG(mode) or stat.S_ISDIR(mode)


def _suggest(profile: CorpusProfile, report: DriftReport, folder: str, adopt_breaking: bool) -> None:
    suggestion = suggest_overlay(profile, report, folder, adopt_breaking=adopt_breaking)
    if suggestion.files:
        files = counted(len(suggestion.files), "schema file")
        click.echo(f"suggest: wrote {files} to {folder} (use --schemas {folder})", err=True)
    else:
        # What cannot be adopted (a broken limit, a missing field) is listed all the same.
        click.echo(f"suggest: nothing to adopt; {folder} left unchanged", err=True)
    # Lines name events and keys from the corpus: escaped, so none can forge a line or a terminal escape.
    for line in suggestion.adopted:
        click.echo(f"  adopted: {one_line(line)}", err=True)
    for line in suggestion.not_adopted:
        click.echo(f"  not adopted: {one_line(line)}", err=True)
