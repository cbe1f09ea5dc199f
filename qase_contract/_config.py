"""The policy: the settings every entry point reads, so CI steps, pre-commit and pytest agree.

A team writes its policy once, in ``[tool.qase-contract]`` of ``pyproject.toml`` or in a
``qase-contract.toml`` (the same keys, without the ``tool.qase-contract`` prefix). The file is
found by walking up from the working folder, as ruff and black find theirs: the first folder
holding a ``qase-contract.toml``, or a ``pyproject.toml`` with a ``[tool.qase-contract]``
table, has it; where a folder holds both, ``qase-contract.toml`` wins.
``QASE_CONTRACT_CONFIG`` names the file instead.

Each entry point takes a value from, first to last: its own command line (or pytest's options),
the environment variable ``QASE_CONTRACT_<NAME>``, the file's table of that command
(``[tool.qase-contract.validate]``), the file's shared table, and its default. A path in the
file is relative to the file's folder; one in the environment to the working folder.

This module reads and checks the kinds of values (a flag is a boolean, a folder a string); the
command that takes a setting checks its range or choices, and names where the value came from.
It imports neither click nor pytest: both adapters use it.
"""

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from qase_contract._util.environment import flag
from qase_contract._util.names import did_you_mean
from qase_contract.errors import ConfigError

Kind = Literal["flag", "integer", "number", "text", "folder", "file"]
Source = Literal["environment", "file"]

OWN_FILE = "qase-contract.toml"
PROJECT_FILE = "pyproject.toml"
#: The table of pyproject.toml that holds the policy.
PROJECT_TABLE = ("tool", "qase-contract")
#: The variable that names the policy file instead of the walk up from the working folder.
CONFIG_VARIABLE = "QASE_CONTRACT_CONFIG"
ENVIRONMENT_PREFIX = "QASE_CONTRACT_"
_PROJECT_TABLE_NAME = "[tool.qase-contract]"
_NO_VALUES: Mapping[str, Any] = MappingProxyType({})

# The records below are named tuples, not dataclasses: every run of every command imports this
# module, and a frozen dataclass costs about 0.8 ms to create (its methods are compiled at
# import), a named tuple a fifth of that (tests/cli/test_start_up.py keeps it so).


class Setting(NamedTuple):
    """A key of the policy: the kind of its values, the commands that take it, and whether it
    may stand in the shared table (else only in the table of its command)."""

    name: str
    kind: Kind
    commands: tuple[str, ...]
    shared: bool = True

    @property
    def variable(self) -> str:
        return ENVIRONMENT_PREFIX + self.name.upper().replace("-", "_")


#: Commands with a table of their own; ``pytest`` is the plugin.
TABLES = ("validate", "drift", "listen", "send", "pytest")
#: Commands that take only the overlay folder from the policy.
_BROWSING = ("reads", "events", "schema", "example", "export")

#: Every key of the policy, in the order ``qase-contract config`` shows them.
SETTINGS: tuple[Setting, ...] = (
    Setting("schemas", "folder", ("validate", "drift", "listen", "send", "pytest", *_BROWSING)),
    Setting("strict", "flag", ("validate", "listen", "pytest")),
    Setting("reads", "file", ("validate", "drift", "pytest")),
    Setting("baseline", "file", ("drift",)),
    Setting("fail-on", "text", ("drift",), shared=False),
    Setting("max-record-size", "integer", ("validate", "drift")),
    Setting("format", "text", ("validate", "drift")),
    Setting("color", "text", ("validate", "drift", "listen", "send")),
    Setting("host", "text", ("listen",), shared=False),
    Setting("port", "integer", ("listen",), shared=False),
    Setting("path", "text", ("listen",), shared=False),
    Setting("record", "file", ("listen",), shared=False),
    Setting("max-body", "integer", ("listen",), shared=False),
    Setting("fsync", "flag", ("listen",), shared=False),
    Setting("timeout", "number", ("send",), shared=False),
    Setting("rate", "number", ("send",), shared=False),
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}
#: Every command that reads the policy, in the order ``qase-contract config`` shows them.
COMMANDS = tuple(dict.fromkeys(command for setting in SETTINGS for command in setting.commands))

_KIND_WORDS: dict[Kind, str] = {
    "flag": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "text": "a string",
    "folder": "a folder (a string; relative to the file's folder)",
    "file": "a file (a string; relative to the file's folder)",
}


class Value(NamedTuple):
    """A setting's value and where it came from: ``origin`` says it for people
    (``QASE_CONTRACT_STRICT``, ``pyproject.toml [tool.qase-contract.validate]``) and ``place``
    for a message about the value (``pyproject.toml: [tool.qase-contract.validate] strict``)."""

    value: Any
    source: Source
    origin: str
    place: str


class PolicyFile(NamedTuple):
    """The file that holds the policy, its checked values (paths made absolute), and a
    ``pyproject.toml`` table beside it that it hides, if any."""

    path: Path
    table: str  # "[tool.qase-contract]" or "" for qase-contract.toml
    shared: Mapping[str, Any] = _NO_VALUES
    commands: Mapping[str, Mapping[str, Any]] = _NO_VALUES
    hidden: Path | None = None

    def origin(self, command: str | None) -> str:
        """Where a value stands, for people: ``pyproject.toml [tool.qase-contract.drift]``."""
        table = self.table_name(command)
        return f"{shown_path(self.path)} {table}" if table else shown_path(self.path)

    def place(self, command: str | None, key: str) -> str:
        """Where a key stands, for messages: ``pyproject.toml: [tool.qase-contract] strict``."""
        table = self.table_name(command)
        return f"{shown_path(self.path)}: {table} {key}" if table else f"{shown_path(self.path)}: {key}"

    def table_name(self, command: str | None) -> str:
        if command is None:
            return self.table
        prefix = self.table[1:-1] + "." if self.table else ""
        return f"[{prefix}{command}]"


class Policy(NamedTuple):
    """The policy file (if any) and the environment, read into values per command."""

    file: PolicyFile | None
    environment: Mapping[str, str]

    def for_command(self, command: str) -> dict[str, Value]:
        """The values this command takes from the policy, by key: the environment first, then
        the command's table, then the shared table. A bad environment value raises
        :class:`ConfigError`."""
        found: dict[str, Value] = {}
        for setting in SETTINGS:
            if command not in setting.commands:
                continue
            value = self._from_environment(setting) or self._from_file(setting, command)
            if value is not None:
                found[setting.name] = value
        return found

    def _from_environment(self, setting: Setting) -> Value | None:
        text = self.environment.get(setting.variable)
        if text is None or (not text.strip() and setting.kind != "flag"):
            return None
        value = _from_text(setting, text)
        return Value(value, "environment", setting.variable, setting.variable)

    def _from_file(self, setting: Setting, command: str) -> Value | None:
        file = self.file
        if file is None:
            return None
        for table, values in ((command, file.commands.get(command, {})), (None, file.shared)):
            if setting.name in values:
                return Value(
                    values[setting.name], "file", file.origin(table), file.place(table, setting.name)
                )
        return None


def load_policy(start: Path | None = None, environment: Mapping[str, str] | None = None) -> Policy:
    """The policy in force in folder ``start`` (the working folder) under ``environment``
    (``os.environ``): raises :class:`ConfigError` for a file that cannot be used."""
    environment = os.environ if environment is None else environment
    named = environment.get(CONFIG_VARIABLE, "").strip()
    if named:
        path = Path(named)
        if not path.is_absolute():
            path = (start or Path.cwd()) / path
        if not path.is_file():
            raise ConfigError(f"{CONFIG_VARIABLE}={named}: no such file")
        return Policy(_read(path, path.name == PROJECT_FILE, required=True), environment)
    return Policy(find_policy_file(start or Path.cwd()), environment)


def find_policy_file(start: Path) -> PolicyFile | None:
    """The policy file of the first folder from ``start`` up that has one."""
    for folder in (start, *start.parents):
        own, project = folder / OWN_FILE, folder / PROJECT_FILE
        in_project = _table_of(project, in_project=True, required=False) if project.is_file() else None
        if own.is_file():
            policy = _checked(own, "", _table_of(own, in_project=False, required=True))
            hidden = project if in_project is not None else None
            return PolicyFile(policy.path, policy.table, policy.shared, policy.commands, hidden)
        if in_project is not None:
            return _checked(project, _PROJECT_TABLE_NAME, in_project)
    return None


def _read(path: Path, in_project: bool, *, required: bool) -> PolicyFile | None:
    table = _table_of(path, in_project, required=required)
    if table is None:
        return None
    return _checked(path, _PROJECT_TABLE_NAME if in_project else "", table)


def _table_of(path: Path, in_project: bool, *, required: bool) -> Any:
    """The policy table of one file as written: the whole of a qase-contract.toml, the
    ``[tool.qase-contract]`` table of a pyproject.toml (None without one, or an empty table
    when the file was named on purpose)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{shown_path(path)}: cannot be read: {error.strerror or error}") from None
    # Imported here: most runs find no policy file, and the parser costs a tenth of start-up.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 reads TOML with tomli, which tomllib came from
        import tomli as tomllib
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        if in_project and not required and b"qase-contract" not in raw:
            return None  # someone else's broken pyproject.toml: not ours to judge
        raise ConfigError(f"{shown_path(path)}: not valid TOML: {error}") from None
    if not in_project:
        return document
    table: Any = document
    for key in PROJECT_TABLE:
        table = table.get(key) if isinstance(table, dict) else None
    if table is None and required:
        return {}
    return table


def _checked(path: Path, name: str, table: Any) -> PolicyFile:
    file = PolicyFile(path, name)
    if not isinstance(table, dict):
        raise ConfigError(f"{shown_path(path)}: {name} must be a table")
    shared: dict[str, Any] = {}
    commands: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        if key in TABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"{file.place(None, key)}: expected a table of {key}'s settings")
            commands[key] = _table_values(file, key, value)
        else:
            shared[key] = _value(file, None, key, value)
    return PolicyFile(path, name, shared, commands)


def _table_values(file: PolicyFile, command: str, table: dict[str, Any]) -> dict[str, Any]:
    return {key: _value(file, command, key, value) for key, value in table.items()}


def _value(file: PolicyFile, command: str | None, key: str, value: Any) -> Any:
    where = file.place(command, key)
    allowed = [s.name for s in SETTINGS if (s.shared if command is None else command in s.commands)]
    setting = _BY_NAME.get(key)
    if setting is None or setting.name not in allowed:
        if command is None and key not in _BY_NAME and isinstance(value, dict):
            tables = ", ".join(file.table_name(name) for name in TABLES)
            _, hint = did_you_mean(key, TABLES)
            raise ConfigError(f"{where}: no command has this table{hint} (tables: {tables})")
        if setting is not None:
            homes = " or ".join(file.table_name(name) for name in setting.commands if name in TABLES)
            reason = f"it belongs in {homes}" if homes else "no command here takes it"
            raise ConfigError(f"{where}: {reason} (here: {', '.join(allowed)})")
        _, hint = did_you_mean(key, allowed)
        raise ConfigError(f"{where}: unknown key{hint} (allowed: {', '.join(allowed)})")
    if not _has_kind(setting.kind, value):
        raise ConfigError(f"{where}: expected {_KIND_WORDS[setting.kind]}, got {_toml(value)}")
    if setting.kind in ("folder", "file"):
        if not value:
            raise ConfigError(f"{where}: the path is empty")
        return str(file.path.parent / value)
    return value


def _has_kind(kind: Kind, value: Any) -> bool:
    if kind == "flag":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def _from_text(setting: Setting, text: str) -> Any:
    """An environment variable's text as a value of the setting's kind."""
    try:
        if setting.kind == "flag":
            return flag(text)
        if setting.kind == "integer":
            return int(text.strip())
        if setting.kind == "number":
            return float(text.strip())
    except ValueError as error:
        reason = str(error) if setting.kind == "flag" else f"expected {_KIND_WORDS[setting.kind]}"
        raise ConfigError(f"{setting.variable}={text!r}: {reason}") from None
    return text


def _toml(value: Any) -> str:
    """A value as TOML writes it, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


def shown_path(path: Path | str) -> str:
    """A path for people: relative to the working folder when it lies below it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except (ValueError, OSError):
        return str(path)


def setting_named(name: str) -> Setting:
    return _BY_NAME[name]
