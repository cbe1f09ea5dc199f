"""The pre-commit hook: a valid manifest whose entry checks the captured fixtures it selects."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pre_commit.clientlib import load_manifest

from tests.helpers.data import EXAMPLES, ROOT


def the_hook() -> dict[str, Any]:
    # pre-commit's own loader: it rejects any manifest pre-commit itself would refuse.
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    return dict(hook)


def test_the_manifest_declares_the_validate_hook_for_python() -> None:
    hook = the_hook()
    assert hook["id"] == "qase-contract-validate"
    assert hook["language"] == "python"
    assert hook["entry"] == "qase-contract validate"
    assert hook["pass_filenames"] is True


def test_the_hook_entry_is_an_installed_console_script() -> None:
    scripts = importlib.metadata.entry_points(group="console_scripts")
    (script,) = [entry for entry in scripts if entry.name == the_hook()["entry"].split()[0]]
    assert script.value == "qase_contract.__main__:run"


@pytest.mark.parametrize(
    "path",
    [
        "tests/fixtures/qase/run-deleted.json",
        "qase-captures/2024-05.jsonl",
        "fixtures/qase_webhooks/nested/dump.ndjson",
        "QaseDeliveries/session.har",
    ],
)
def test_the_hook_selects_captured_deliveries_under_a_qase_folder(path: str) -> None:
    assert re.search(the_hook()["files"], path)


@pytest.mark.parametrize(
    "path",
    ["package.json", "tests/fixtures/github/push.json", "qase.json", "tests/fixtures/qase/README.md"],
)
def test_the_hook_leaves_other_files_alone(path: str) -> None:
    assert not re.search(the_hook()["files"], path)


def test_the_hook_entry_fails_on_a_broken_fixture_and_names_it(tmp_path: Path) -> None:
    good = tmp_path / "run-deleted.json"
    shutil.copy(EXAMPLES / "run.deleted" / "canonical.json", good)
    broken = tmp_path / "broken.json"
    broken.write_text('{"event_name": "run.deleted"}\n', encoding="utf-8")
    executable, *arguments = the_hook()["entry"].split()
    command = [shutil.which(executable, path=str(Path(sys.executable).parent)) or executable, *arguments]

    def run(*files: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *map(str, files)], capture_output=True, text=True, timeout=120, check=False
        )

    assert run(good).returncode == 0
    failed = run(good, broken)
    assert failed.returncode == 1
    assert f"{broken}  run.deleted  violation missing-field /payload" in failed.stdout
