"""What every command shares: exit codes, common options, and how a run stops on an error.

Exit codes (DESIGN decision 7): 0 every delivery conforms (drift only warns), 1 a violation or
an unreadable record (or drift under ``--strict``), 2 a usage error.

A command reports what stops a run in the chosen format and where the report goes (DESIGN
decision 8: a JSON or SARIF consumer still reads a document that says why, and an old report
is never left in place to be mistaken for this run's). Errors found while click parses the
command line (a bad option value, a missing path) or opens ``--output`` happen before the
command's own code runs, so :class:`ReportsUsageErrors` writes that document; click then prints
the usual message on standard error and exits 2.
"""

from __future__ import annotations

import contextlib
import enum
import sys
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from qase_contract._util.printable import safe_lines
from qase_contract.cli._config import PolicyCommand
from qase_contract.cli._output import report_stream
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import SchemaSetError

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


class ExitCode(enum.IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2


def stop(message: str, code: ExitCode, report: Callable[[str], None] | None = None) -> NoReturn:
    """End a run that cannot happen or proved nothing: ``report`` puts the message in the chosen
    report, and standard error always says it."""
    message = safe_lines(message)  # it may quote a path or a delivery's text
    if report is not None:
        report(message)
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def usage_error(message: str) -> NoReturn:
    """A usage error the running command found itself: reported as click's own are."""
    context = click.get_current_context()
    command = context.command
    report = None
    if isinstance(command, ReportsUsageErrors):

        def report(text: str) -> None:
            command.write_error(context.params, text)

    stop(message, ExitCode.USAGE, report)


F = TypeVar("F", bound=Callable[..., Any])

#: ``--schemas DIR``: a folder of overlay schemas that add or replace events.
schemas_option: Callable[[F], F] = click.option(
    "--schemas",
    "overlay",
    type=click.Path(file_okay=False),
    help="Folder of overlay schemas that add or replace events.",
)


#: ``--color``: colour for people; FORCE_COLOR and NO_COLOR decide ``auto`` (colour_wanted).
color_option: Callable[[F], F] = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the output: auto colours a terminal (FORCE_COLOR forces it, NO_COLOR stops it).",
)


def complete_event(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Shell completion of an event name (``run.`` offers the run events), with its UI label."""
    from click.shell_completion import CompletionItem  # only when a shell asks: not at start-up

    from qase_contract.contract._catalog import EVENTS

    return [
        CompletionItem(event.name, help=event.label) for event in EVENTS if event.name.startswith(incomplete)
    ]


class FiniteRange(click.FloatRange):
    """A float range that also refuses ``nan`` (which every comparison lets through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


def schema_set_from(overlay: str | None) -> SchemaSet:
    """The built-in schemas, with the ``--schemas`` folder laid over them; a usage error if unusable."""
    from qase_contract.validation._engines import load_schema_set

    try:
        return load_schema_set(overlay)
    except SchemaSetError as error:
        raise click.UsageError(f"--schemas: {error}") from None


#: (format, message) -> the report of that format saying only why the run did not happen.
ErrorDocument = Callable[[str, str], str]


def write_error_document(document: str, output: str | None, *, for_people: bool) -> None:
    """The error report goes where the report would have gone: the ``--output`` file, or
    standard output unless it is for people (text), whom standard error has told already."""
    if output is not None and output != "-":
        with contextlib.suppress(click.UsageError):  # --output itself is what is wrong
            with report_stream(output) as stream:
                stream.write(document)
            return
    if not for_people:
        sys.stdout.write(document)
        sys.stdout.flush()


class ReportsUsageErrors(PolicyCommand):
    """A command whose usage errors also reach its report, in its ``format_param`` format
    (those of the policy included); its options default to the policy's values."""

    def __init__(
        self,
        *args: Any,
        format_param: str,
        error_document: ErrorDocument,
        text_formats: Collection[str] = ("text",),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.format_param = format_param
        self.error_document = error_document
        self.text_formats = text_formats

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, list(args), parent, **extra)
        except click.UsageError as error:
            _escape_message(error)
            self.write_error(self._lenient_params(info_name, args, parent), error.format_message())
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            _escape_message(error)
            self.write_error(ctx.params, error.format_message())
            raise

    def _lenient_params(
        self, info_name: str | None, args: list[str], parent: click.Context | None
    ) -> dict[str, Any]:
        """The options as the command line gives them, read the lenient way click reads them
        for shell completion, so a bad value elsewhere does not hide the format or output."""
        with contextlib.suppress(click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            # Without the policy: its error may be the one being reported.
            lenient = super().make_context(
                info_name, list(args), parent, resilient_parsing=True, default_map={}
            )
            return lenient.params
        return {}

    def write_error(self, params: dict[str, Any], message: str) -> None:
        """The report of a run stopped by a usage error, where the report would have gone."""
        format_, output = params.get(self.format_param), params.get("output")
        if not isinstance(format_, str):
            format_ = "text"  # the default of every command; a bad value was refused
        document = self.error_document(format_, message)
        target = output if isinstance(output, str) else None
        write_error_document(document, target, for_people=format_ in self.text_formats)


def _escape_message(error: click.UsageError) -> None:
    """Escape what a usage error quotes (a path, a value given), as :func:`stop` does; click
    declares the attribute final for type checkers, but its own code assigns it too."""
    vars(error)["message"] = safe_lines(error.message)
