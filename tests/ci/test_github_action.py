"""The GitHub Action (action.yml): linted by actionlint, and its steps run here as the runner
would run them, on the shipped examples: outputs, job summary and exit status."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.helpers.actions import ACTION, action_as_workflow, actionlint, load_action, run_action
from tests.helpers.data import ROOT


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout holding the shipped examples."""
    folder = tmp_path / "workspace"
    shutil.copytree(ROOT / "examples", folder / "examples")
    return folder


@pytest.fixture
def temp(tmp_path: Path) -> Path:
    folder = tmp_path / "runner-temp"
    folder.mkdir()
    return folder


def run(workspace: Path, temp: Path, **inputs: str) -> object:
    return run_action({"install": "false", **inputs}, workspace, temp)


def test_the_action_is_a_composite_action_with_the_documented_inputs_and_outputs() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "paths",
        "strict",
        "schemas",
        "reads",
        "baseline",
        "upload-sarif",
        "install",
    }
    assert set(action["outputs"]) == {"deliveries", "conforming", "drift", "violations", "sarif"}
    (upload,) = [step for step in action["runs"]["steps"] if "uses" in step]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["if"].startswith("always() && inputs.upload-sarif == 'true'")


def test_actionlint_accepts_the_action_as_used_by_a_workflow(tmp_path: Path) -> None:
    """actionlint reads a local action's metadata where a workflow uses it, and checks the
    inputs the workflow gives against it."""
    shutil.copy(ACTION, tmp_path / "action.yml")
    workflow = tmp_path / ".github" / "workflows" / "gate.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: [push]\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v5\n      - id: qase\n        uses: ./\n"
        "        with: {paths: tests/fixtures/qase, strict: 'true', baseline: b.json}\n"
        '      - run: echo "${{ steps.qase.outputs.violations }}"\n',
        encoding="utf-8",
    )
    linted = actionlint(tmp_path, workflow)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    workflow.write_text(workflow.read_text().replace("strict:", "strictly:"), encoding="utf-8")
    assert 'input "strictly" is not defined in action' in actionlint(tmp_path, workflow).stdout


def test_actionlint_and_shellcheck_accept_the_actions_steps(tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "steps.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(yaml.safe_dump(action_as_workflow(load_action()), sort_keys=False), encoding="utf-8")
    linted = actionlint(tmp_path, workflow)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_conforming_deliveries_pass_with_outputs_and_a_summary(workspace: Path, temp: Path) -> None:
    result = run(workspace, temp, paths="examples/conforming.jsonl")
    assert result.status == 0, result.log
    assert result.outputs == {
        "deliveries": "8",
        "conforming": "8",
        "drift": "0",
        "violations": "0",
        "sarif": str(temp / "qase-contract.sarif"),
    }
    assert result.summary.startswith("## Qase webhook contract\n\n**Passed**: 8 deliveries")
    sarif = json.loads((temp / "qase-contract.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"] == []


def test_drift_passes_unless_strict_and_annotates_the_files(workspace: Path, temp: Path) -> None:
    lenient = run(workspace, temp, paths="examples/conforming.jsonl\nexamples/drifted.jsonl")
    assert lenient.status == 0, lenient.log
    assert (lenient.outputs["deliveries"], lenient.outputs["drift"]) == ("13", "4")
    assert "::warning file=examples/drifted.jsonl,line=2,title=run.completed unknown-field::" in lenient.log
    strict = run(workspace, temp, paths="examples/drifted.jsonl", strict="true")
    assert strict.status == 1
    assert "::error file=examples/drifted.jsonl,line=2" in strict.log


def test_a_violation_fails_yet_the_sarif_summary_and_outputs_are_written(workspace: Path, temp: Path) -> None:
    result = run(workspace, temp, paths="examples", **{"upload-sarif": "true"})
    assert result.status == 1
    assert result.outputs["violations"] == "5"
    assert result.summary.startswith("## Qase webhook contract\n\n**Failed**: 19 deliveries:")
    assert "| `examples/broken.jsonl:2` | `case.created` | violation wrong-type |" in result.summary
    sarif = json.loads(Path(result.outputs["sarif"]).read_text(encoding="utf-8"))
    assert any(item["level"] == "error" for item in sarif["runs"][0]["results"])
    assert result.steps[-1].startswith("uses github/codeql-action/upload-sarif@")  # reached after the failure


def test_a_baseline_adds_the_drift_verdict_and_a_new_shape_fails(workspace: Path, temp: Path) -> None:
    from tests.helpers.cli import invoke

    baseline = workspace / "qase-baseline.json"
    invoke("drift", "--write-baseline", str(baseline), str(workspace / "examples" / "conforming.jsonl"))
    same = run(workspace, temp, paths="examples/conforming.jsonl", baseline="qase-baseline.json")
    assert same.status == 0, same.log
    assert (
        "**Passed** (`--fail-on drift`): the corpus shows nothing the baseline qase-baseline.json lacks"
        in (same.summary)
    )
    assert same.summary.index("## Qase webhook contract") < same.summary.index("## Qase webhook drift")
    new = run(
        workspace,
        temp,
        paths="examples/conforming.jsonl examples/drifted.jsonl",
        baseline="qase-baseline.json",
    )
    assert new.status == 1
    assert "**Failed** (`--fail-on drift`): 6 new shapes the baseline qase-baseline.json lacks" in new.summary
    assert "::error title=qase-contract drift::the corpus differs from the baseline" in new.log


def test_inputs_left_empty_follow_the_policy_and_bad_ones_are_usage_errors(
    workspace: Path, temp: Path
) -> None:
    (workspace / "pyproject.toml").write_text("[tool.qase-contract]\nstrict = true\n", encoding="utf-8")
    assert run(workspace, temp, paths="examples/drifted.jsonl").status == 1
    assert run(workspace, temp, paths="examples/drifted.jsonl", strict="false").status == 0
    wrong = run(workspace, temp, paths="examples/drifted.jsonl", strict="yes")
    assert wrong.status == 2
    assert "strict must be true, false or empty, not yes" in wrong.log
    missing = run(workspace, temp, paths="no-such-folder")
    assert missing.status == 2
    assert missing.summary.startswith(
        "## Qase webhook contract\n\n**Error**: no such file or folder: no-such-folder"
    )


def test_the_action_installs_itself_unless_told_not_to() -> None:
    (install, *_) = load_action()["runs"]["steps"]
    assert 'pip install --quiet "$GITHUB_ACTION_PATH"' in install["run"]
    assert 'echo "$venv/bin" >> "$GITHUB_PATH"' in install["run"]
