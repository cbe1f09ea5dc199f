"""The GitLab CI template (ci/gitlab/): valid GitLab CI by GitLab's JSON Schema (SchemaStore's,
vendored offline by check-jsonschema), publishing the Code Quality and JUnit reports, and its
script run here on the shipped examples."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers.data import ROOT
from tests.helpers.gitlab import JOB, TEMPLATE, gitlab_errors, template


def test_the_template_and_its_job_as_a_visible_one_are_valid_gitlab_ci() -> None:
    document = template()
    assert gitlab_errors(document) == []
    # A hidden job is barely checked: the same job under a visible name is checked key by key.
    assert gitlab_errors({"qase-contract": document[JOB]}) == []
    broken = {"qase-contract": {**document[JOB], "artifacts": {"reports": {"codequalty": "x.json"}}}}
    assert gitlab_errors(broken) != []


def test_the_job_publishes_both_reports_for_the_merge_request_even_when_it_fails() -> None:
    artifacts = template()[JOB]["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"] == {
        "codequality": "gl-code-quality-report.json",
        "junit": "qase-contract-junit.xml",
    }


def test_the_documented_include_is_valid_gitlab_ci() -> None:
    (block,) = [
        line for line in TEMPLATE.read_text(encoding="utf-8").splitlines() if line.startswith("#   include:")
    ]
    usage = "\n".join(
        line[3:] for line in TEMPLATE.read_text(encoding="utf-8").splitlines() if line.startswith("#   ")
    )
    assert block
    assert gitlab_errors(yaml.safe_load(usage)) == []


def run_script(workspace: Path, variables: dict[str, str]) -> tuple[int, str]:
    """The job's script as a GitLab runner runs it: each line in one shell, the first failing
    line fails the job. The install line is left out: this environment has qase-contract."""
    job = template()[JOB]
    lines = [line for line in job["script"] if "pip install" not in line]
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("QASE_")},
        **job["variables"],
        **variables,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    completed = subprocess.run(
        ["bash", "-e", "-c", "\n".join(lines)],
        cwd=workspace,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return completed.returncode, completed.stdout + completed.stderr


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def test_the_script_writes_both_reports_and_fails_on_a_violation(workspace: Path) -> None:
    status, log = run_script(workspace, {"QASE_CONTRACT_PATHS": "examples"})
    assert status == 1
    assert "19 deliveries: 10 conforming, 4 with drift, 5 with violations, 0 unreadable" in log
    issues = json.loads((workspace / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert {issue["location"]["path"] for issue in issues} == {
        "examples/broken.jsonl",
        "examples/drifted.jsonl",
    }
    junit = (workspace / "qase-contract-junit.xml").read_text(encoding="utf-8")
    assert 'tests="19" failures="5"' in junit


def test_the_script_passes_conforming_deliveries_and_follows_the_policy_variables(workspace: Path) -> None:
    assert run_script(workspace, {"QASE_CONTRACT_PATHS": "examples/conforming.jsonl"})[0] == 0
    drifted = {"QASE_CONTRACT_PATHS": "examples/drifted.jsonl"}
    assert run_script(workspace, drifted)[0] == 0
    assert run_script(workspace, {**drifted, "QASE_CONTRACT_STRICT": "true"})[0] == 1


def test_a_baseline_variable_adds_the_drift_gate(workspace: Path) -> None:
    from tests.helpers.cli import invoke

    baseline = workspace / "baseline.json"
    invoke("drift", "--write-baseline", str(baseline), str(workspace / "examples" / "conforming.jsonl"))
    variables = {
        "QASE_CONTRACT_PATHS": "examples/conforming.jsonl",
        "QASE_CONTRACT_BASELINE": "baseline.json",
    }
    assert run_script(workspace, variables)[0] == 0
    variables["QASE_CONTRACT_PATHS"] = "examples/conforming.jsonl examples/drifted.jsonl"
    status, log = run_script(workspace, variables)
    assert status == 1
    assert "FAILED (--fail-on drift): 6 new shapes the baseline baseline.json lacks" in log
