"""Running the command in-process with separate streams, as CI would see them."""

from __future__ import annotations

from dataclasses import dataclass

from click.testing import CliRunner

from qase_contract.cli import main


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def invoke(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> Run:
    result = CliRunner().invoke(main, list(args), input=stdin, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return Run(result.exit_code, result.stdout, result.stderr)
