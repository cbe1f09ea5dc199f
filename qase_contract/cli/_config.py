"""The policy on the command line: option defaults from ``[tool.qase-contract]`` and
``QASE_CONTRACT_*``, and ``qase-contract config``, which shows them and where each came from.

click keeps the precedence: an option given on the command line beats its ``default_map``
entry, which beats the option's default. The policy fills the ``default_map`` (the environment
over the file, qase_contract._config), so the command line wins over both.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from qase_contract._config import COMMANDS, SETTINGS, Policy, Value, load_policy, shown_path
from qase_contract.errors import ConfigError


class PolicyCommand(click.Command):
    """A command whose options default to the policy's values."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        if "default_map" not in extra:
            # Shell completion parses leniently and needs no policy (nor fails on a broken one).
            lenient = extra.get("resilient_parsing", False)
            extra["default_map"] = {} if lenient else policy_defaults(self, policy_name(info_name, parent))
        return super().make_context(info_name, args, parent, **extra)


def policy_name(info_name: str | None, parent: click.Context | None) -> str:
    """The command as the policy names it: ``reads check`` reads the policy of ``reads``."""
    if parent is None or parent.parent is None:
        return info_name or ""
    while parent.parent is not None and parent.parent.parent is not None:
        parent = parent.parent
    return parent.info_name or ""


def policy_defaults(command: click.Command, name: str) -> dict[str, Any]:
    """Option name -> the policy's value for ``command``, checked as the option checks a value
    given on the command line; a usage error names where a value it refuses came from."""
    try:
        values = load_policy(Path.cwd(), os.environ).for_command(name)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    return {parameter.name: value for parameter, value in _converted(command, name, values) if parameter.name}


def _converted(
    command: click.Command, name: str, values: dict[str, Value]
) -> list[tuple[click.Parameter, Any]]:
    converted = []
    for key, value in values.items():
        parameter = option_named(command, key)
        if parameter is None:
            continue
        try:
            converted.append((parameter, parameter.type.convert(value.value, parameter, None)))
        except click.BadParameter as error:
            message = error.message.rstrip(".")
            raise click.UsageError(f"{value.place}: {message} (for qase-contract {name})") from None
    return converted


def option_named(command: click.Command, key: str) -> click.Parameter | None:
    """The option ``--KEY`` of the command."""
    return next((param for param in command.params if f"--{key}" in param.opts), None)


# -- qase-contract config ------------------------------------------------------------------------


@click.command()
@click.argument("commands", nargs=-1, type=click.Choice(COMMANDS))
@click.option(
    "-f", "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def config(commands: tuple[str, ...], output_format: str) -> None:
    """Show the policy in force: each command's settings, and where each value came from.

    Each value comes from the command line, else QASE_CONTRACT_<NAME>, else the policy file's
    table of that command, else its shared table ([tool.qase-contract] in pyproject.toml, or
    qase-contract.toml), else the default. Give COMMANDS to show only those.
    """
    try:
        policy = load_policy(Path.cwd(), os.environ)
        data = _policy_data(policy, commands or COMMANDS)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    if output_format == "json":
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(_text(data))


def _policy_data(policy: Policy, commands: tuple[str, ...]) -> dict[str, Any]:
    from qase_contract.cli._main import main

    file = policy.file
    data: dict[str, Any] = {
        "file": shown_path(file.path) if file is not None else None,
        "table": (file.table or None) if file is not None else None,
        "hidden": shown_path(file.hidden) if file is not None and file.hidden is not None else None,
        "commands": {},
    }
    context = click.Context(main)
    for name in commands:
        values = policy.for_command(name)
        command = main.get_command(context, name)
        settings: dict[str, Any] = {}
        for setting in SETTINGS:
            if name not in setting.commands:
                continue
            taking = _taking(command, context, setting.name)
            given = values.get(setting.name)
            if given is None:
                settings[setting.name] = {"value": _default(taking, setting.name), "source": "default"}
                continue
            if taking is not None:
                _converted(taking, name, {setting.name: given})  # refused here as the command would
            settings[setting.name] = {
                "value": _shown(given.value),
                "source": given.source,
                "from": given.origin,
            }
        data["commands"][name] = settings
    return data


def _taking(command: click.Command | None, context: click.Context, key: str) -> click.Command | None:
    """The command that takes ``--KEY``: the command, or the first of a group's that does."""
    if isinstance(command, click.Group):
        subcommands = (command.get_command(context, name) for name in command.list_commands(context))
        return next((sub for sub in subcommands if sub is not None and option_named(sub, key)), None)
    return command


def _default(command: click.Command | None, key: str) -> Any:
    """The default of the command's option ``--KEY`` (the plugin's: false for a flag, else none)."""
    parameter = option_named(command, key) if command is not None else None
    if parameter is None or command is None:
        return False if key == "strict" else None
    default = parameter.get_default(click.Context(command), call=False)
    return default if isinstance(default, (str, int, float, bool)) else None


def _shown(value: Any) -> Any:
    return shown_path(value) if isinstance(value, str) and Path(value).is_absolute() else value


def _text(data: dict[str, Any]) -> str:
    if data["file"] is None:
        lines = ["policy file: none (qase-contract.toml, or pyproject.toml with [tool.qase-contract])"]
    else:
        lines = [f"policy file: {data['file']}" + (f" {data['table']}" if data["table"] else "")]
        if data["hidden"]:
            lines.append(f"  (it wins over [tool.qase-contract] in {data['hidden']}, which is not read)")
    for name, settings in data["commands"].items():
        lines += ["", name]
        rows = [
            (key, _word(item["value"]), item["source"] if item["source"] == "default" else item["from"])
            for key, item in settings.items()
        ]
        widths = [max(len(row[column]) for row in rows) for column in (0, 1)]
        lines.extend(f"  {key:<{widths[0]}}  {value:<{widths[1]}}  {origin}" for key, value, origin in rows)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _word(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
