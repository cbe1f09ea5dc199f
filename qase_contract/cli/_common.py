"""Options shared by several commands, so each is declared and checked in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import SchemaSetError

F = TypeVar("F", bound=Callable[..., Any])

#: ``--schemas DIR``: a folder of overlay schemas that add or replace events.
schemas_option: Callable[[F], F] = click.option(
    "--schemas",
    "overlay",
    type=click.Path(file_okay=False),
    help="Folder of overlay schemas that add or replace events.",
)


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
