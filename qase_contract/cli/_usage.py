"""Usage errors that click finds itself, carried into a structured report as well.

A command reports what stops a run in the chosen format (DESIGN: a JSON or SARIF consumer
still reads a document that says why). Errors found while click parses the command line
(a bad option value, a missing path) or opens ``--output`` happen before the command's own
code runs, so this command class writes that document to standard output too; click
then prints the usual message on standard error and exits 2.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

import click

#: (format, message) -> the document for that format, or None when the format has none (text).
ErrorDocument = Callable[[str, str], str | None]


class ReportsUsageErrors(click.Command):
    """A command whose usage errors also reach standard output in its ``format_param`` format."""

    def __init__(self, *args: Any, format_param: str, error_document: ErrorDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.format_param = format_param
        self.error_document = error_document

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, list(args), parent, **extra)
        except click.UsageError as error:
            self._write(self._format_in(info_name, args, parent), error)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            self._write(ctx.params.get(self.format_param), error)
            raise

    def _format_in(self, info_name: str | None, args: list[str], parent: click.Context | None) -> str | None:
        """The format the command line asks for, read the lenient way click reads it for
        shell completion, so a bad value elsewhere does not hide it."""
        with contextlib.suppress(click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            context = super().make_context(info_name, list(args), parent, resilient_parsing=True)
            value = context.params.get(self.format_param)
            return value if isinstance(value, str) else None
        return None

    def _write(self, format_: str | None, error: click.UsageError) -> None:
        if format_ is None:
            return
        document = self.error_document(format_, error.format_message())
        if document is not None:
            sys.stdout.write(document)
            sys.stdout.flush()
