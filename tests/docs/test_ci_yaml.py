"""Every YAML file the manual shows is linted: GitHub workflows by actionlint (with shellcheck,
and with this repository's action where they use it), GitLab CI files by GitLab's JSON Schema,
pre-commit configurations by pre-commit's loader. A YAML block of another kind fails: the suite
would not know how to check it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_config

from tests.helpers.actions import ACTION, actionlint
from tests.helpers.gitlab import JOB, extended, gitlab_errors, template
from tests.helpers.manual import Block, fenced_blocks, manual_pages

ACTION_REFERENCE = "qase-contract/qase-contract@v0"
BLOCKS = [block for page in manual_pages() for block in fenced_blocks(page) if block.language == "yaml"]


def test_the_manual_shows_yaml_of_every_kind_the_suite_lints() -> None:
    kinds = {kind(block) for block in BLOCKS}
    assert kinds == {"github", "gitlab", "pre-commit"}


def kind(block: Block) -> str:
    title = block.title or ""
    if title.startswith(".github/workflows/"):
        return "github"
    if title == ".gitlab-ci.yml":
        return "gitlab"
    if title == ".pre-commit-config.yaml":
        return "pre-commit"
    raise AssertionError(f"{block.name}: give a YAML block a title the suite can lint ({title!r})")


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_the_yaml_file_is_valid_for_the_tool_that_reads_it(block: Block, tmp_path: Path) -> None:
    assert block.title is not None
    path = tmp_path / block.title
    path.parent.mkdir(parents=True, exist_ok=True)
    found = kind(block)
    if found == "github":
        # This repository's action stands at the root, so actionlint checks the inputs given to it.
        shutil.copy(ACTION, tmp_path / "action.yml")
        path.write_text(block.text.replace(ACTION_REFERENCE, "./"), encoding="utf-8")
        linted = actionlint(tmp_path, path)
        assert linted.returncode == 0, f"{block.name}:\n{linted.stdout}{linted.stderr}"
    elif found == "gitlab":
        document = yaml.safe_load(block.text)
        assert gitlab_errors(document) == []
        for name, job in document.items():
            if isinstance(job, dict) and job.get("extends") == JOB:
                # Only the template's variables and the policy's QASE_CONTRACT_<NAME> mean anything.
                unknown = set(job.get("variables", {})) - set(template()[JOB]["variables"])
                assert all(variable.startswith("QASE_CONTRACT_") for variable in unknown), unknown
                assert gitlab_errors({name: extended(job)}) == []
    else:
        path.write_text(block.text, encoding="utf-8")
        load_config(str(path))  # raises on a configuration pre-commit would refuse
