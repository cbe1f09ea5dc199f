"""The README's first command works on a fresh Debian machine as it is written.

It runs the command verbatim (read from README.md, never retyped) in a clean clone of this
repository, with Debian's own ``python3``, which is "externally managed" (PEP 668): it refuses
``pip install`` outside a virtual environment, so the command must make its own. It installs
from PyPI, as a reader's machine would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.data import ROOT
from tests.helpers.manual import console_commands, difference, fenced_blocks, matches

DEBIAN_PYTHON = Path("/usr/bin/python3")
#: Only what a fresh machine has: Debian's python3 is the python3 on this PATH.
FRESH_PATH = "/usr/local/bin:/usr/bin:/bin"


def fresh_environment() -> dict[str, str]:
    """The reader's environment: no virtual environment active, no override of PEP 668."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "PYTEST_", "QASE_"))
        and key not in {"VIRTUAL_ENV", "PIP_BREAK_SYSTEM_PACKAGES", "PIP_REQUIRE_VIRTUALENV"}
    }
    env.update(PATH=FRESH_PATH, LC_ALL="C.UTF-8")
    return env


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fresh") / "qase-contract"
    subprocess.run(
        ["git", "clone", "--quiet", str(ROOT), str(folder)], check=True, capture_output=True, timeout=300
    )
    return folder


def test_the_python3_of_this_machine_is_debians_and_externally_managed(clone: Path) -> None:
    assert shutil.which("python3", path=FRESH_PATH) == str(DEBIAN_PYTHON), "run this on Debian or Ubuntu"
    stdlib = subprocess.run(
        [str(DEBIAN_PYTHON), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True,
        text=True,
        check=True,
        env=fresh_environment(),
    ).stdout.strip()
    assert (Path(stdlib) / "EXTERNALLY-MANAGED").is_file()
    # --dry-run: pip checks PEP 668 before anything else, and a refusal is what this proves.
    refused = subprocess.run(
        [str(DEBIAN_PYTHON), "-m", "pip", "install", "--dry-run", "--no-deps", "--no-build-isolation", "."],
        cwd=clone,
        env=fresh_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert refused.returncode != 0
    assert "externally-managed-environment" in refused.stdout + refused.stderr


def test_the_readme_first_command_runs_from_a_clean_clone_and_exits_1_on_the_broken_example(
    clone: Path,
) -> None:
    first = next(block for block in fenced_blocks(ROOT / "README.md") if block.language == "console")
    (command, *_) = console_commands(first)
    assert command.text.startswith("python3 -m venv .venv && ")
    completed = subprocess.run(
        ["bash", "-c", command.text],
        cwd=clone,
        env=fresh_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 1, completed.stdout
    assert matches(command.expected, completed.stdout), difference(command.expected, completed.stdout)
    summary = "FAILED  19 deliveries: 10 conforming, 4 with drift, 5 with violations, 0 unreadable"
    assert f"\n{summary}\n" in completed.stdout
    # The virtual environment is made of Debian's python3, not of one this suite runs in.
    assert f"home = {DEBIAN_PYTHON.parent}\n" in (clone / ".venv" / "pyvenv.cfg").read_text()
