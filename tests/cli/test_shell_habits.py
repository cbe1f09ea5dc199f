"""Shell habits: completion for bash, zsh and fish (click's ``_QASE_CONTRACT_COMPLETE``), and
colour as terminals expect it (``--color``, ``FORCE_COLOR``, ``NO_COLOR``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qase_contract import EVENTS
from tests.helpers.cli import invoke
from tests.helpers.data import ROOT

EXECUTABLE = str(Path(sys.executable).parent / "qase-contract")
RUN_EVENTS = [event.name for event in EVENTS if event.name.startswith("run.")]


def complete(shell: str, words: str, current: str | None = None) -> list[str]:
    """What the shell's completion function gets back, as click documents the protocol."""
    parts = words.split(" ")
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("QASE_")},
        "_QASE_CONTRACT_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1) if current is None else current,
    }
    completed = subprocess.run(
        [EXECUTABLE], env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    return completed.stdout.splitlines()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_a_completion_script_that_calls_back_the_command(shell: str) -> None:
    environment = {**os.environ, "_QASE_CONTRACT_COMPLETE": f"{shell}_source"}
    script = subprocess.run(
        [EXECUTABLE], env=environment, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "_QASE_CONTRACT_COMPLETE" in script
    assert f"{shell}_complete" in script


def test_bash_completes_commands_and_options() -> None:
    assert complete("bash", "qase-contract va") == ["plain,validate"]
    assert "plain,config" in complete("bash", "qase-contract ")
    assert complete("bash", "qase-contract validate --str") == ["plain,--strict"]


def test_schema_run_dot_completes_the_run_events() -> None:
    assert complete("bash", "qase-contract schema run.") == [f"plain,{name}" for name in RUN_EVENTS]


def test_zsh_and_fish_complete_event_options_with_their_ui_labels() -> None:
    zsh = complete("zsh", "qase-contract validate --event run.compl")
    assert zsh == ["plain", "run.completed", "Complete test run"]
    fish = complete("fish", "qase-contract send http://x --event case.c", current="case.c")
    assert fish[0] == "plain,case.created\tCreate test case"
    assert all(line.startswith("plain,case.c") for line in fish)


def test_completion_works_under_a_broken_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "qase-contract.toml").write_text("strict = 'yes'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert complete("bash", "qase-contract example run.st") == ["plain,run.started"]


# -- colour ---------------------------------------------------------------------------------------

EXAMPLE = str(ROOT / "examples" / "drifted.jsonl")
ESCAPE = "\033["


@pytest.mark.parametrize(
    ("environment", "option", "coloured"),
    [
        ({}, [], False),  # not a terminal
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),  # NO_COLOR wins, as in pytest
        ({"NO_COLOR": "1"}, ["--color", "always"], True),  # the option wins over both
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False),
    ],
)
@pytest.mark.parametrize("command", ["validate", "drift"])
def test_force_color_and_no_color_decide_auto_and_the_option_decides_over_them(
    command: str, environment: dict[str, str], option: list[str], coloured: bool
) -> None:
    base = {"FORCE_COLOR": "", "NO_COLOR": ""}
    run = invoke(command, *option, EXAMPLE, env={**base, **environment})
    assert (ESCAPE in run.stdout) is coloured


def test_drift_paints_its_verdict_red_when_it_fails_and_green_when_it_passes(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    invoke("drift", "--write-baseline", str(baseline), str(ROOT / "examples" / "conforming.jsonl"))
    run = invoke("drift", "--color", "always", "--baseline", str(baseline), EXAMPLE)
    assert run.code == 1
    assert run.stdout.startswith("\033[31mFAILED (--fail-on drift): 6 new shapes the baseline ")
    same = invoke(
        "drift", "--color", "always", "--baseline", str(baseline), str(ROOT / "examples" / "conforming.jsonl")
    )
    assert (same.code, same.stdout[:11]) == (0, "\033[32mPASSED")


def test_send_paints_each_answer_by_its_status_and_json_lines_never(tmp_path: Path) -> None:
    refused = invoke(
        "send", "--color", "always", "--timeout", "2", "http://127.0.0.1:9/", "--event", "run.started"
    )
    assert refused.code == 1
    assert refused.stdout.startswith("\033[31m")
    as_json = invoke("send", "--json", "--color", "always", "http://127.0.0.1:9/", "--event", "run.started")
    assert ESCAPE not in as_json.stdout


def test_every_command_that_prints_for_people_has_the_same_color_option() -> None:
    import click

    from qase_contract.cli._main import main

    context = click.Context(main)
    for name in ("validate", "drift", "listen", "send"):
        command = main.get_command(context, name)
        assert command is not None
        (option,) = [param for param in command.params if "--color" in param.opts]
        assert isinstance(option.type, click.Choice)
        assert list(option.type.choices) == ["auto", "always", "never"]
