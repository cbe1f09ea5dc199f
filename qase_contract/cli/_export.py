"""``qase-contract export openapi|asyncapi``: the contract as one document for other languages and tools."""

from __future__ import annotations

import json

import click

from qase_contract.cli._common import schema_set_from, schemas_option
from qase_contract.cli._config import PolicyCommand
from qase_contract.cli._output import report_stream
from qase_contract.errors import BundleError

_YAML_SUFFIXES = (".yaml", ".yml")


@click.command(cls=PolicyCommand)
@click.argument("kind", type=click.Choice(["openapi", "asyncapi"]))
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    help="Write the document to FILE (YAML if it ends in .yaml or .yml, else JSON), not standard output.",
)
@click.option(
    "--open",
    "open_rendering",
    is_flag=True,
    help="The tolerant rendering: unknown fields and values accepted, as for `schema --open`.",
)
@click.option(
    "--yaml", "as_yaml", is_flag=True, help="YAML whatever the file name (standard output included)."
)
@schemas_option
def export(kind: str, output: str | None, open_rendering: bool, as_yaml: bool, overlay: str | None) -> None:
    """Write the contract as an OpenAPI 3.1 document (`webhooks`) or an AsyncAPI 3.0 document.

    Every event's delivery schema is in it, with the shared definitions, the X-Qase-Secret header,
    the shipped examples and the contract's version. The same schemas always give the same bytes.
    """
    from qase_contract.contract._export import BUILDERS

    schema_set = schema_set_from(overlay)
    try:
        document = BUILDERS[kind](schema_set, open_rendering)
    except BundleError as error:
        raise click.UsageError(f"cannot export {kind}: {error}") from None
    if as_yaml or (output or "").lower().endswith(_YAML_SUFFIXES):
        from qase_contract._util.yaml import dumps

        text = dumps(document)
    else:
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    with report_stream(output) as stream:
        stream.write(text)
