"""Usage errors that click finds itself, carried into the chosen report as well.

A command reports what stops a run in the chosen format and where the report goes (DESIGN: a
JSON or SARIF consumer still reads a document that says why, and an old report is never left
in place to be mistaken for this run's). Errors found while click parses the command line (a
bad option value, a missing path) or opens ``--output`` happen before the command's own code
runs, so this command class writes that document; click then prints the usual message on
standard error and exits 2.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Collection
from typing import Any

import click

from qase_contract.cli._output import report_stream

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


class ReportsUsageErrors(click.Command):
    """A command whose usage errors also reach its report, in its ``format_param`` format."""

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
            self._write(self._lenient_params(info_name, args, parent), error)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            self._write(ctx.params, error)
            raise

    def _lenient_params(
        self, info_name: str | None, args: list[str], parent: click.Context | None
    ) -> dict[str, Any]:
        """The options as the command line gives them, read the lenient way click reads them
        for shell completion, so a bad value elsewhere does not hide the format or output."""
        with contextlib.suppress(click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            return super().make_context(info_name, list(args), parent, resilient_parsing=True).params
        return {}

    def _write(self, params: dict[str, Any], error: click.UsageError) -> None:
        format_, output = params.get(self.format_param), params.get("output")
        if not isinstance(format_, str):
            format_ = "text"  # the default of every command; a bad value was refused
        document = self.error_document(format_, error.format_message())
        target = output if isinstance(output, str) else None
        write_error_document(document, target, for_people=format_ in self.text_formats)
