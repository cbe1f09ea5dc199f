"""The manual's examples: the fenced blocks of docs/*.md and README.md, and how output is compared.

The rules these functions implement are written for authors in docs/contributing.md.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.data import ROOT

#: Languages whose blocks are examples the suite runs; every other block is data to read.
RUNNABLE = ("console", "python")
#: Every language a block may name: one the suite would not know could hide a command.
LANGUAGES = (*RUNNABLE, "text", "json", "yaml", "toml")
#: A block of this language titled "Output", right after a Python block, is what it prints.
OUTPUT_TITLE = "Output"
#: Files that scripts write (the benchmarks write RESULTS.md), which a checkout may lack.
GENERATED_FILES = ("benchmarks/RESULTS.md",)
#: Where the manual links to files of the repository outside docs/.
REPOSITORY_URL = "https://github.com/qase-contract/qase-contract"

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_NOT_RUN = re.compile(r"^<!-- not run: (?P<reason>.*\S) -->$")
_TITLE = re.compile(r'\btitle="(?P<title>[^"]*)"')
_ELISION = "..."


@dataclass(frozen=True)
class Block:
    """One fenced block: where it opens, its language, its title and its text."""

    page: str  # relative to the repository, with forward slashes
    line: int  # the line of the opening fence, from 1
    language: str
    title: str | None
    text: str
    #: The reason given by a ``<!-- not run: ... -->`` comment right before the block.
    not_run: str | None

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def is_file(self) -> bool:
        """A block titled with a file name is a file the page's examples use, not an example."""
        return self.title is not None and self.title != OUTPUT_TITLE


@dataclass(frozen=True)
class Example:
    """A runnable block, with the output it shows (a Python block's comes in the next block)."""

    block: Block
    expected: str


@dataclass(frozen=True)
class Command:
    """One ``$ command`` of a console block (continued on lines ending in a backslash) and its output."""

    line: int
    text: str
    expected: str


def manual_pages() -> list[Path]:
    return [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]


def fenced_blocks(page: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    name = page.relative_to(ROOT).as_posix()
    number = 0
    while number < len(lines):
        opening = _FENCE.match(lines[number])
        if opening is None:
            number += 1
            continue
        indent, fence, info = opening["indent"], opening["fence"], opening["info"].strip()
        end = number + 1
        while end < len(lines) and lines[end].strip() != fence:
            end += 1
        if end == len(lines):
            raise ValueError(f"{name}:{number + 1}: the fence {fence} is never closed")
        body = [line.removeprefix(indent) for line in lines[number + 1 : end]]
        title = _TITLE.search(info)
        blocks.append(
            Block(
                page=name,
                line=number + 1,
                language=info.split(maxsplit=1)[0] if info else "",
                title=title["title"] if title else None,
                text="".join(f"{line}\n" for line in body),
                not_run=_not_run_reason(lines, number),
            )
        )
        number = end + 1
    return blocks


def not_run_comments(page: Path) -> list[int]:
    """The lines (from 1) of every ``<!-- not run ...`` comment outside the blocks, marking a block or not."""
    inside = {
        number
        for block in fenced_blocks(page)
        for number in range(block.line, block.line + len(block.text.splitlines()) + 2)
    }
    lines = page.read_text(encoding="utf-8").splitlines()
    return [
        number
        for number, line in enumerate(lines, start=1)
        if number not in inside and line.strip().startswith("<!-- not run")
    ]


def _not_run_reason(lines: list[str], fence: int) -> str | None:
    before = fence - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    found = _NOT_RUN.match(lines[before].strip()) if before >= 0 else None
    return found["reason"] if found else None


def examples(page: Path) -> list[Example]:
    """The page's runnable blocks, each with its expected output."""
    blocks = fenced_blocks(page)
    lines = page.read_text(encoding="utf-8").splitlines()
    found = []
    for index, block in enumerate(blocks):
        if block.language not in RUNNABLE or block.is_file:
            continue
        expected = ""
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.language == "python" and following is not None and following.title == OUTPUT_TITLE:
            # Only blank lines may stand between a Python block and its output.
            between = lines[block.line + len(block.text.splitlines()) + 1 : following.line - 1]
            if any(line.strip() for line in between):
                raise ValueError(f"{following.page}:{following.line}: an Output block away from its example")
            expected = following.text
        found.append(Example(block, expected))
    return found


def page_files(page: Path) -> dict[str, str]:
    """The files a page's blocks declare with ``title="path"``, by path."""
    return {block.title: block.text for block in fenced_blocks(page) if block.is_file and block.title}


def console_commands(block: Block) -> list[Command]:
    """The commands of a console block; text before the first ``$`` is an error."""
    commands: list[Command] = []
    lines = block.text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        if not line.startswith("$ "):
            if not commands:
                raise ValueError(f"{block.name}: a console block starts with a '$ ' command, not {line!r}")
            number += 1
            continue
        start = number
        text = [line[2:]]
        while text[-1].endswith("\\") and number + 1 < len(lines):
            number += 1
            text.append(lines[number])
        number += 1
        output_start = number
        while number < len(lines) and not lines[number].startswith("$ "):
            number += 1
        expected = "".join(f"{out}\n" for out in lines[output_start:number])
        commands.append(Command(block.line + 1 + start, "\n".join(text), expected))
    return commands


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is the output ``expected`` shows, line by line.

    A line that is only ``...`` stands for any number of lines (none included); ``...`` inside
    a line stands for any text on that line. Trailing blanks on a line are ignored.
    """
    pattern = []
    for line in _lines(expected):
        if line == _ELISION:
            pattern.append(r"(?:[^\n]*\n)*?")
        else:
            pattern.append("[^\n]*".join(re.escape(part) for part in line.split(_ELISION)) + r"\n")
    text = "".join(f"{line}\n" for line in _lines(actual))
    return re.fullmatch("".join(pattern), text) is not None


def difference(expected: str, actual: str) -> str:
    return "\n".join(
        difflib.unified_diff(_lines(expected), _lines(actual), "shown in the manual", "printed", lineterm="")
    )


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def repository_links(page: Path) -> list[tuple[int, str]]:
    """Links to files of this repository, as paths relative to it, with the line they are on."""
    prefix = re.escape(REPOSITORY_URL)
    found = []
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        for link in re.finditer(prefix + r'/(?:blob|tree)/main/([^)#\s>"`]*)', line):
            found.append((number, link[1]))
    return found
