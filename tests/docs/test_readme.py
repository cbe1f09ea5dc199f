"""The README stays a front page, its set-up commands are the ones CI runs, and the manual's
links into the repository lead to files that exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.data import ROOT
from tests.helpers.manual import (
    GENERATED_FILES,
    console_commands,
    fenced_blocks,
    manual_pages,
    repository_links,
)

README = ROOT / "README.md"


def set_up_commands() -> list[str]:
    """The README's two set-up commands: the first command of its first two console blocks."""
    blocks = [block for block in fenced_blocks(README) if block.language == "console"][:2]
    return [console_commands(block)[0].text for block in blocks]


def test_the_readme_is_a_front_page_under_200_lines() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) < 200


def test_both_set_up_commands_make_their_own_virtual_environment() -> None:
    for command in set_up_commands():
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install ")


def test_ci_runs_the_readme_test_command_as_it_is() -> None:
    test_command = set_up_commands()[1]
    assert "pytest" in test_command
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in script


@pytest.mark.parametrize("page", manual_pages(), ids=lambda page: page.relative_to(ROOT).as_posix())
def test_links_into_the_repository_lead_to_files_that_exist(page: Path) -> None:
    missing = [
        f"{page.name}:{line}: {target}"
        for line, target in repository_links(page)
        if target not in GENERATED_FILES and not (ROOT / target).exists()
    ]
    assert missing == []
