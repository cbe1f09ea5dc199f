"""The ``qase-contract`` command: thin adapters from options to the core.

This package is the only code that imports click. Each subcommand lives in its own
module and is registered here, so a command can be read (and changed) on its own.

Exit codes (DESIGN decision 7): 0 every delivery conforms (drift only warns), 1 a
violation or an unreadable record (or drift under ``--strict``), 2 a usage error.
"""

from __future__ import annotations

import click

from qase_contract import __version__
from qase_contract.cli.catalogue import events, example, schema
from qase_contract.cli.drift import drift
from qase_contract.cli.listen import listen
from qase_contract.cli.send import send
from qase_contract.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qase-contract")
def main() -> None:
    """Check Qase webhook deliveries against their contract."""


main.add_command(validate)
main.add_command(events)
main.add_command(schema)
main.add_command(example)
main.add_command(drift)
main.add_command(listen)
main.add_command(send)
