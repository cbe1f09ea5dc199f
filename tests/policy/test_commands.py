"""Every entry point reads the same policy, in the same order: the command line, then
QASE_CONTRACT_<NAME>, then the file, then the default; ``qase-contract config`` shows it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import invoke
from tests.helpers.data import ROOT
from tests.helpers.overlays import RESULT_CREATED, write_schema


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with the shipped examples, working in a folder below its pyproject.toml."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "tests").mkdir()
    monkeypatch.chdir(tmp_path / "tests")
    for name in list(os.environ):
        if name.startswith("QASE_CONTRACT_"):
            monkeypatch.delenv(name)
    return tmp_path


def policy(project: Path, text: str, name: str = "pyproject.toml") -> None:
    prefix = "[tool.qase-contract]\n" if name == "pyproject.toml" else ""
    (project / name).write_text(prefix + text, encoding="utf-8")


DRIFTED = "../examples/drifted.jsonl"


def test_validate_takes_strict_from_the_file_and_the_command_line_and_environment_beat_it(
    project: Path,
) -> None:
    assert invoke("validate", DRIFTED).code == 0
    policy(project, "strict = true\n")
    assert invoke("validate", DRIFTED).code == 1
    assert invoke("validate", DRIFTED, env={"QASE_CONTRACT_STRICT": "0"}).code == 0
    assert invoke("validate", "--no-strict", DRIFTED).code == 0
    assert invoke("validate", "--strict", DRIFTED, env={"QASE_CONTRACT_STRICT": "0"}).code == 1


def test_paths_in_the_file_are_taken_from_its_folder_wherever_the_command_runs(project: Path) -> None:
    write_schema(project / "contract", "events/result/created.schema.json", RESULT_CREATED)
    assert "drift unknown-event" in invoke("validate", DRIFTED).stdout
    policy(project, 'schemas = "contract"\n')
    run = invoke("validate", "--event", "result.created", DRIFTED)
    assert "result.created  drift unknown-field /payload/run_id" in run.stdout  # the overlay knows it


def test_a_command_table_sets_the_format_of_one_command_and_the_shared_table_the_others(
    project: Path,
) -> None:
    policy(project, 'format = "json"\n[tool.qase-contract.validate]\nformat = "gitlab"\n')
    assert json.loads(invoke("validate", DRIFTED).stdout)[0]["check_name"].startswith("qase-contract/")
    assert "events" in json.loads(invoke("drift", DRIFTED).stdout)
    assert invoke("validate", "-f", "text", DRIFTED).stdout.startswith("examples/drifted.jsonl:2") is False
    assert "with drift" in invoke("validate", "-f", "text", DRIFTED).stdout


def test_a_value_a_command_refuses_is_a_usage_error_naming_the_file_key_and_choices(project: Path) -> None:
    policy(project, 'format = "github"\n')
    run = invoke("drift", DRIFTED)
    assert run.code == 2
    assert (
        "pyproject.toml: [tool.qase-contract] format: 'github' is not one of "
        "'html', 'json', 'markdown', 'text' (for qase-contract drift)"
    ) in run.stderr


def test_a_broken_policy_still_reaches_the_chosen_report(project: Path) -> None:
    policy(project, "strict = 1\n")
    run = invoke("validate", "--format", "json", DRIFTED)
    assert run.code == 2
    message = f"{project / 'pyproject.toml'}: [tool.qase-contract] strict: expected true or false, got 1"
    assert json.loads(run.stdout) == {"error": {"message": message}}


def test_listen_and_send_refuse_a_policy_value_before_serving_or_sending(project: Path) -> None:
    policy(project, "[tool.qase-contract.listen]\nport = 70000\n[tool.qase-contract.send]\ntimeout = -1\n")
    listen = invoke("listen")
    assert listen.code == 2
    assert "[tool.qase-contract.listen] port: 70000 is not in the range 0<=x<=65535" in listen.stderr
    send = invoke("send", "http://127.0.0.1:9/", "--event", "run.started")
    assert send.code == 2
    assert "[tool.qase-contract.send] timeout: -1.0 is not in the range 0<x<=3600" in send.stderr


def test_the_overlay_of_the_policy_reaches_the_catalogue_commands(project: Path) -> None:
    write_schema(project / "contract", "events/result/created.schema.json", RESULT_CREATED)
    assert invoke("schema", "result.created").code == 2
    policy(project, 'schemas = "contract"\n')
    assert invoke("schema", "result.created").code == 0
    assert "result.created" in invoke("events").stdout


def test_config_shows_each_value_and_where_it_came_from(project: Path) -> None:
    policy(project, 'strict = true\nschemas = "contract"\n[tool.qase-contract.validate]\nformat = "github"\n')
    run = invoke("config", "validate", env={"QASE_CONTRACT_MAX_RECORD_SIZE": "1024"})
    assert run.code == 0
    file = project / "pyproject.toml"
    rows = [line.split() for line in run.stdout.splitlines()]
    assert rows == [
        ["policy", "file:", str(file), "[tool.qase-contract]"],
        [],
        ["validate"],
        ["schemas", str(project / "contract"), str(file), "[tool.qase-contract]"],
        ["strict", "true", str(file), "[tool.qase-contract]"],
        ["reads", "-", "default"],
        ["max-record-size", "1024", "QASE_CONTRACT_MAX_RECORD_SIZE"],
        ["format", "github", str(file), "[tool.qase-contract.validate]"],
        ["color", "auto", "default"],
    ]
    assert len({line.index(" default") for line in run.stdout.splitlines() if line.endswith(" default")}) == 1


def test_config_as_json_lists_every_command_that_reads_the_policy(project: Path) -> None:
    policy(project, "[tool.qase-contract.listen]\nport = 9000\n")
    data = json.loads(invoke("config", "--format", "json", env={"QASE_CONTRACT_STRICT": "yes"}).stdout)
    assert data["file"] == str(project / "pyproject.toml")
    assert data["table"] == "[tool.qase-contract]"
    assert list(data["commands"]) == [
        "validate",
        "drift",
        "listen",
        "send",
        "pytest",
        "reads",
        "events",
        "schema",
        "example",
        "export",
    ]
    assert data["commands"]["listen"]["port"] == {
        "value": 9000,
        "source": "file",
        "from": f"{project / 'pyproject.toml'} [tool.qase-contract.listen]",
    }
    assert data["commands"]["listen"]["host"] == {"value": "127.0.0.1", "source": "default"}
    assert data["commands"]["pytest"]["strict"] == {
        "value": True,
        "source": "environment",
        "from": "QASE_CONTRACT_STRICT",
    }


def test_config_without_a_file_says_so_and_refuses_what_a_command_would(project: Path) -> None:
    assert invoke("config", "send").stdout.startswith("policy file: none")
    policy(project, "color = 'sometimes'\n")
    run = invoke("config")
    assert run.code == 2
    assert (
        "color: 'sometimes' is not one of 'auto', 'always', 'never' (for qase-contract validate)"
        in run.stderr
    )


def test_every_setting_is_an_option_of_every_command_that_takes_it() -> None:
    import click

    from qase_contract._config import SETTINGS
    from qase_contract.cli._config import option_named
    from qase_contract.cli._main import main

    context = click.Context(main)
    for setting in SETTINGS:
        for name in setting.commands:
            if name == "pytest":
                continue
            command = main.get_command(context, name)
            assert command is not None, name
            commands = (
                [command.get_command(context, sub) for sub in command.list_commands(context)]
                if isinstance(command, click.Group)
                else [command]
            )
            assert any(sub is not None and option_named(sub, setting.name) for sub in commands), (
                f"{name} --{setting.name}"
            )


def test_the_pre_commit_hook_follows_the_policy_of_the_repository(project: Path) -> None:
    """The hook runs ``qase-contract validate`` at the repository's top, where the policy is."""
    policy(project, "strict = true\n")
    executable = Path(sys.executable).parent / "qase-contract"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("QASE_")}
    hook = subprocess.run(
        [str(executable), "validate", "examples/drifted.jsonl"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment,
    )
    assert hook.returncode == 1
    assert "drift fails this run because of --strict" in hook.stdout
