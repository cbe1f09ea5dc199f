"""The manual cannot drift from the code: every example in docs/*.md and README.md runs here.

Each console block runs in bash, in a fresh folder holding copies of ``examples/`` and
``schemas/`` (and the files the page declares), with this environment's ``qase-contract``,
``python`` and ``pytest`` first on PATH; each command's output (standard output and error
together) must match what the block shows. Each Python block runs the same way and must print
what the ``Output`` block after it shows (nothing, when there is none). Blocks that cannot run
offline carry ``<!-- not run: reason -->``. The rules for authors: docs/contributing.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.data import ROOT
from tests.helpers.manual import (
    LANGUAGES,
    Example,
    console_commands,
    difference,
    examples,
    fenced_blocks,
    manual_pages,
    matches,
    not_run_comments,
    page_files,
)

#: Each command is followed by this mark and its exit status, to split the output per command.
MARK = "qase-contract-docs-end-of-command"
#: The fewest blocks must be left unrun; a new one has to replace another or raise this.
MOST_NOT_RUN = 10

ALL = [example for page in manual_pages() for example in examples(page)]
RUN = [example for example in ALL if example.block.not_run is None]


def environment() -> dict[str, str]:
    """The reader's shell: this environment's tools first, a fixed width, nothing of pytest's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "QASE_", "COV_", "HYPOTHESIS_"))
        and key not in {"VIRTUAL_ENV", "PYTHONPATH", "CI", "NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS"}
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env.update(COLUMNS="80", LC_ALL="C.UTF-8", TZ="UTC", PYTHONDONTWRITEBYTECODE="1")
    return env


def sandbox(example: Example, tmp_path: Path) -> Path:
    folder = tmp_path / "reader"
    shutil.copytree(ROOT / "examples", folder / "examples")
    shutil.copytree(ROOT / "schemas", folder / "schemas")
    for name, text in page_files(ROOT / example.block.page).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(command: list[str], cwd: Path) -> str:
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    return completed.stdout + f"{MARK} {completed.returncode}\n"


@pytest.mark.parametrize("example", RUN, ids=[example.block.name for example in RUN])
def test_the_example_prints_what_the_manual_shows(example: Example, tmp_path: Path) -> None:
    folder = sandbox(example, tmp_path)
    block = example.block
    if block.language == "python":
        output, status = run([sys.executable, "-c", block.text], folder).rsplit(MARK, 1)
        assert status.strip() == "0", f"{block.name} failed:\n{output}"
        assert matches(example.expected, output), f"{block.name}:\n{difference(example.expected, output)}"
        return
    commands = console_commands(block)
    script = "".join(
        f'{command.text}\n__status=$?; printf "\\n{MARK} %d\\n" "$__status"; (exit "$__status")\n'
        for command in commands
    )
    parts = run(["bash", "-c", script], folder).split(MARK)
    for index, command in enumerate(commands):
        # parts[i] is " <status of the command before>\n<output of command i>\n".
        output = parts[index] if index == 0 else parts[index].partition("\n")[2]
        output = output.removesuffix("\n")
        status = parts[index + 1].partition("\n")[0].strip()
        where = f"{block.page}:{command.line}: $ {command.text}"
        shown = index + 1 < len(commands) and commands[index + 1].text == "echo $?"
        assert status == "0" or shown, f"{where}\nexited {status} (show it with '$ echo $?'):\n{output}"
        assert matches(command.expected, output), f"{where}\n{difference(command.expected, output)}"


def test_every_example_is_run_or_says_why_not() -> None:
    not_run = [example.block for example in ALL if example.block.not_run is not None]
    assert all(block.not_run for block in not_run)
    assert len(not_run) <= MOST_NOT_RUN, [f"{block.name}: {block.not_run}" for block in not_run]


def test_every_not_run_comment_stands_right_before_an_example() -> None:
    for page in manual_pages():
        marked = {
            example.block.line: example for example in examples(page) if example.block.not_run is not None
        }
        comments = not_run_comments(page)
        assert len(comments) == len(marked), f"{page.name}: a not-run comment that marks no example"


def test_every_page_but_the_overview_and_the_guides_shows_examples_that_run() -> None:
    pages = {example.block.page for example in RUN}
    assert pages == {path.relative_to(ROOT).as_posix() for path in manual_pages()} - {
        "docs/index.md",
        "docs/benchmarks.md",  # its scripts take minutes
        "docs/contributing.md",
    }


def test_every_block_names_a_language_the_suite_knows() -> None:
    unknown = [
        f"{block.name}: {block.language or 'no language'}"
        for page in manual_pages()
        for block in fenced_blocks(page)
        if block.language not in LANGUAGES
    ]
    assert unknown == [], f"use console or python for examples, text for the rest; {LANGUAGES}"
