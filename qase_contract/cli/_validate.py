"""``qase-contract validate``: check captured deliveries and report the findings."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, NoReturn

import click

from qase_contract._util.names import did_you_mean
from qase_contract._util.printable import shown_path
from qase_contract._util.words import counted
from qase_contract.cli._common import (
    ExitCode,
    ReportsUsageErrors,
    color_option,
    complete_event,
    schemas_option,
    stop,
)
from qase_contract.cli._output import colour_wanted, report_stream
from qase_contract.cli._workers import input_size, jobs_option, plan_input
from qase_contract.errors import ReadSetError, SchemaSetError, SourceError
from qase_contract.reporters._formats import FORMATS, Reporter, ReportOptions, make_reporter
from qase_contract.reporters._text import TextReporter, verdict_line
from qase_contract.sources._lines import MAX_RECORD_BYTES
from qase_contract.sources._paths import missing_paths, read_listed
from qase_contract.sources._streams import MAX_DOCUMENT_BYTES
from qase_contract.validation._batch import (
    ConformingRun,
    EventFilter,
    Outcome,
    Tally,
    check,
    check_counting_conforming,
)
from qase_contract.validation._validator import Validator

if TYPE_CHECKING:
    from qase_contract.cli._progress import ProgressBar

#: Below this much input a progress bar would only flicker.
PROGRESS_MIN_BYTES = 32 * 1024 * 1024


def _error_document(format_: str, message: str) -> str:
    """A usage error as the chosen format's fatal report."""
    buffer = io.StringIO()
    make_reporter(format_, buffer, ReportOptions()).fatal(message)
    return buffer.getvalue()


@click.command(
    cls=ReportsUsageErrors,
    format_param="format_",
    error_document=_error_document,
    text_formats=("text", "html"),
)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--strict/--no-strict",
    default=False,
    help="Fail on drift (unknown fields, values, events) too; --no-strict overrides the policy.",
)
@schemas_option
@click.option(
    "--reads",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Your read-set: fail only on findings that affect the fields you read; the others are notes.",
)
@click.option(
    "--event",
    "events",
    multiple=True,
    metavar="NAME",
    shell_complete=complete_event,
    help="Check only this event; repeatable; shell patterns such as 'run.*' work.",
)
@click.option("-f", "--format", "format_", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option("-v", "--verbose", count=True, help="Show every finding with expected, actual and schema.")
@click.option("-q", "--quiet", is_flag=True, help="Show only the deliveries that fail, and the summary line.")
@click.option("--all", "everything", is_flag=True, help="List conforming deliveries too.")
@jobs_option("checking deliveries")
@color_option
@click.option(
    "--max-record-size",
    type=click.IntRange(min=1, max=MAX_DOCUMENT_BYTES),
    default=MAX_RECORD_BYTES,
    show_default=True,
    metavar="BYTES",
    help="JSON Lines records and single-delivery files larger than this are reported, not checked.",
)
def validate(
    paths: tuple[str, ...],
    strict: bool,
    overlay: str | None,
    reads: str | None,
    events: tuple[str, ...],
    format_: str,
    output: str | None,
    verbose: int,
    quiet: bool,
    everything: bool,
    jobs: int | None,
    color: str,
    max_record_size: int,
) -> None:
    """Validate captured deliveries: JSON, JSON Lines, HAR and capture files, folders, or - for
    standard input.

    Exit status: 0 when every delivery conforms (drift only warns), 1 when a delivery breaks
    the contract or a record cannot be read (or drift under --strict; with --reads, only a
    finding that affects the fields you read), 2 for a usage error.
    """
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    with report_stream(output) as stream:
        options = ReportOptions(
            verbose=verbose,
            quiet=quiet,
            everything=everything,
            colour=colour_wanted(color, stream),
            strict=strict,
            reads=reads,
        )
        reporter = make_reporter(format_, stream, options)
        read_set = None
        if reads is not None:
            try:
                from qase_contract.contract._reads import ReadSet

                read_set = ReadSet.read(reads)
            except ReadSetError as error:
                _usage_error(reporter, f"--reads: {error}")
        try:
            validator = Validator(strict=strict, schemas=overlay, reads=read_set)
        except SchemaSetError as error:
            _usage_error(reporter, f"--schemas: {error}")
        missing = missing_paths(paths)
        if missing:
            _usage_error(reporter, missing)
        event_filter = EventFilter(events)
        for pattern in event_filter.unmatched(validator.event_names):
            _, hint = did_you_mean(pattern, validator.event_names)
            click.echo(f"warning: --event {pattern!r} matches no catalogued event{hint}", err=True)
        if read_set is not None:
            # A misspelt entry reads nothing, so findings it was meant for would pass unseen.
            for pattern in EventFilter(tuple(read_set.events)).unmatched(validator.event_names):
                _, hint = did_you_mean(pattern, validator.event_names)
                click.echo(
                    f"warning: --reads: {pattern!r} matches no catalogued event{hint} "
                    f"(qase-contract reads check {reads} says more)",
                    err=True,
                )
        try:
            worker_count, listed, size = plan_input(paths, jobs)
            if size is None and _shows_progress():
                size = input_size(paths)
        except SourceError as error:
            _usage_error(reporter, str(error))
        if worker_count > 1:
            from qase_contract.validation._parallel import check_in_parallel

            outcomes: Iterator[Outcome | ConformingRun] = check_in_parallel(
                paths,
                jobs=worker_count,
                strict=strict,
                overlay=overlay,
                max_record=max_record_size,
                list_conforming=reporter.lists_conforming,
                reads=read_set,
            )
        else:
            read = read_listed(listed, max_record=max_record_size, batched=True)
            if reporter.lists_conforming:
                outcomes = check(read, validator)
            else:
                outcomes = check_counting_conforming(read, validator)
        tally = _report(outcomes, reporter, event_filter, _progress(size or 0))
    if output is not None and output != "-":
        # The report went to a file: a CI log still shows what the step found.
        click.echo(f"{verdict_line(tally)} (report in {shown_path(output)})", err=True)
    sys.exit(ExitCode.FAILED if tally.failed else ExitCode.OK)


def _report(
    outcomes: Iterator[Outcome | ConformingRun],
    reporter: Reporter,
    event_filter: EventFilter,
    progress: ProgressBar | None,
) -> Tally:
    tally = Tally()
    filtering = bool(event_filter.patterns)
    lists_conforming = reporter.lists_conforming
    count, report = tally.add, reporter.outcome
    try:
        for outcome in outcomes:
            if progress is not None:
                progress.update(outcome.size)
            if type(outcome) is ConformingRun:
                tally.add_run(outcome, event_filter)
                continue
            assert isinstance(outcome, Outcome)
            if filtering and not event_filter(outcome):
                tally.filtered += 1
                continue
            count(outcome)
            result = outcome.result
            if lists_conforming or result is None or result.status != "conforming":
                report(outcome)
    except SourceError as error:
        # A path that vanished while the run went on.
        _usage_error(reporter, str(error))
    finally:
        if progress is not None:
            progress.close()
    if filtering and tally.deliveries == tally.filtered > 0:
        # A gate must not pass on a filter that left nothing to check (a misspelt --event).
        _stop(
            reporter,
            f"--event left out all {counted(tally.filtered, 'delivery')}: nothing was checked",
            ExitCode.FAILED,
        )
    reporter.finish(tally)
    return tally


def _usage_error(reporter: Reporter, message: str) -> NoReturn:
    _stop(reporter, message, ExitCode.USAGE)


def _stop(reporter: Reporter, message: str, code: ExitCode) -> NoReturn:
    """Stop in the report too, unless it is the text on standard output, where stderr says it."""
    on_stdout = isinstance(reporter, TextReporter) and reporter.stream is sys.stdout
    stop(message, code, None if on_stdout else reporter.fatal)


def _shows_progress() -> bool:
    """Whether a large input would show a progress bar: on stderr, only for people at a terminal."""
    return not os.environ.get("CI") and sys.stderr.isatty()


def _progress(total: int) -> ProgressBar | None:
    """A progress bar on stderr only for people: a terminal, outside CI, on large input."""
    if total < PROGRESS_MIN_BYTES or not _shows_progress():
        return None
    from qase_contract.cli._progress import ProgressBar

    return ProgressBar(total)
