"""The ``qase-contract`` command: thin adapters from options to the core.

This package is the only code that imports click. Each subcommand lives in its own
module, imported only when that subcommand runs (click's documented lazy group), so
``qase-contract validate`` does not pay for the receiver's web server or the drift
profiler at start-up.

Exit codes (DESIGN decision 7): 0 every delivery conforms (drift only warns), 1 a
violation or an unreadable record (or drift under ``--strict``), 2 a usage error.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import click

from qase_contract._version import __version__

#: Subcommand name -> "module:attribute" of its click command, in the order help lists them.
COMMANDS = {
    "validate": "qase_contract.cli._validate:validate",
    "drift": "qase_contract.cli._drift:drift",
    "reads": "qase_contract.cli._reads:reads",
    "listen": "qase_contract.cli._listen:listen",
    "send": "qase_contract.cli._send:send",
    "events": "qase_contract.cli._catalogue:events",
    "schema": "qase_contract.cli._catalogue:schema",
    "example": "qase_contract.cli._catalogue:example",
    "export": "qase_contract.cli._export:export",
    "config": "qase_contract.cli._config:config",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when they are looked up.

    ``on_loaded`` is called once, when the first subcommand was imported: the console script
    (:func:`qase_contract.__main__.run`) lets the garbage collector run from then on.
    """

    on_loaded: Callable[[], None] | None = None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        loaded, self.on_loaded = self.on_loaded, None
        if loaded is not None:
            loaded()
        return command


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """The package's version and the contract's, which moves on its own (schemas/CHANGELOG.md)."""
    if not value or ctx.resilient_parsing:
        return
    from qase_contract.contract._provenance import contract_version

    click.echo(f"qase-contract, version {__version__} (contract {contract_version()})")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version of qase-contract and of the contract, and exit.",
)
def main() -> None:
    """Check Qase webhook deliveries against their contract."""
