"""GitHub Actions, offline: actionlint on workflows and on the action's metadata, and a local
runner of the composite action's ``run:`` steps with the runner's conventions.

The runner follows what GitHub's runner does for a composite action, as far as its steps use
it: each ``run:`` step runs with ``bash -e`` (``shell: bash``) and its ``env:`` (only
``${{ inputs.NAME }}`` expressions are allowed there, so nothing else needs evaluating), in the
workspace, with ``GITHUB_OUTPUT`` (a file per step, ``name=value`` lines), ``GITHUB_STEP_SUMMARY``
(one file for the job), ``GITHUB_PATH``, ``GITHUB_ACTION_PATH`` and ``RUNNER_TEMP``. A step after
a failure runs only when its ``if:`` starts with ``always()``; ``uses:`` steps are recorded, not run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.helpers.data import ROOT

ACTION = ROOT / "action.yml"
BIN = Path(sys.executable).parent
_INPUT = re.compile(r"^\$\{\{ inputs\.([a-z-]+) \}\}$")
_STEP_OUTPUT = re.compile(r"^\$\{\{ steps\.([a-z-]+)\.outputs\.([a-z-]+) \}\}$")


def load_action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return action


def actionlint(folder: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    """actionlint (with shellcheck, both from their wheels) on workflow files of ``folder``; a
    ``.git`` folder makes it the repository, whose local actions (``uses: ./``) actionlint reads."""
    (folder / ".git").mkdir(exist_ok=True)
    return subprocess.run(
        [str(BIN / "actionlint"), "-no-color", *(str(path.relative_to(folder)) for path in files)],
        cwd=folder,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def action_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """The composite action's steps as a workflow with the same inputs, so actionlint checks
    their expressions and, with shellcheck, their scripts."""
    inputs = {
        name: {"description": spec["description"], "required": False, "type": "string"}
        for name, spec in action["inputs"].items()
    }
    return {
        "name": "the action's steps",
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


@dataclass
class ActionRun:
    """What the action did: its exit status, its outputs, the job summary and the log."""

    status: int
    outputs: dict[str, str]
    summary: str
    log: str
    steps: list[str] = field(default_factory=list)


def run_action(inputs: dict[str, str], workspace: Path, temp: Path) -> ActionRun:
    action = load_action()
    given = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(given)
    assert not unknown, f"the action has no input {unknown}"
    given.update(inputs)
    summary = temp / "step_summary.md"
    path_file = temp / "path"
    summary.write_text("", encoding="utf-8")  # a new job
    path_file.write_text("", encoding="utf-8")
    step_outputs: dict[str, dict[str, str]] = {}
    status, log, ran = 0, "", []
    for index, step in enumerate(action["runs"]["steps"]):
        condition = str(step.get("if", ""))
        if status != 0 and not condition.startswith("always()"):
            continue
        if "uses" in step:
            ran.append(f"uses {step['uses']} if {condition}")
            continue
        assert step["shell"] == "bash"
        output = temp / f"output-{index}"
        output.write_text("", encoding="utf-8")
        extra_path = [line for line in path_file.read_text().splitlines() if line]
        environment = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("QASE_", "GITHUB_"))},
            "PATH": os.pathsep.join([*reversed(extra_path), str(BIN), os.environ.get("PATH", "")]),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_PATH": str(path_file),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_ACTIONS": "true",
            "RUNNER_TEMP": str(temp),
        }
        for name, value in step.get("env", {}).items():
            found = _INPUT.match(str(value))
            assert found, f"{step['name']}: env {name} is not an input: {value}"
            environment[name] = given[found[1]]
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        ran.append(step["name"])
        log += completed.stdout + completed.stderr
        if completed.returncode != 0:
            status = completed.returncode
        if "id" in step:
            step_outputs[step["id"]] = _outputs(output.read_text(encoding="utf-8"))
    outputs = {}
    for name, spec in action["outputs"].items():
        found = _STEP_OUTPUT.match(spec["value"])
        assert found, f"output {name}: {spec['value']}"
        outputs[name] = step_outputs.get(found[1], {}).get(found[2], "")
    return ActionRun(status, outputs, summary.read_text(encoding="utf-8"), log, ran)


def _outputs(text: str) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIMITER`` blocks, as the runner reads GITHUB_OUTPUT."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            found[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
    return found
