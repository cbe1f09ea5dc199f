"""Two installs to compare in one run: this checkout and an earlier git revision (``--against``).

Each goes into a fresh virtual environment of its own, installed as a user installs it (not
editable, byte-code compiled by pip), with the same versions of every dependency: both are
constrained to what the running environment holds. The revision is exported with
``git archive``, so the repository and its worktrees are left as they were. Measured commands
run from a scratch folder, never from a source tree, so each process imports its own install.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _process import AS_INSTALLED
from _results import ROOT, progress

#: Lines of ``pip freeze`` usable as constraints: pinned names (not editables, not URLs).
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+$")


@dataclass(frozen=True)
class Install:
    """One version of the package in its own virtual environment."""

    label: str
    commit: str
    venv: Path

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def command(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def resolve(revision: str) -> str:
    """The full commit ``revision`` names, or a clear SystemExit."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"--against {revision}: not a commit of the repository at {ROOT}")
    return done.stdout.strip()


def this_and(revision: str, work: Path, packages: Sequence[str] = ()) -> tuple[Install, Install]:
    """Install this checkout (as it is on disk) and ``revision``, each with ``packages`` too."""
    full = resolve(revision)
    started = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    constraints = work / "constraints.txt"
    constraints.write_text("\n".join(pinned_environment()) + "\n", encoding="utf-8")
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    this = Install(f"this checkout ({head})", head, work / "venv-this")
    then = Install(revision, full[:12], work / "venv-then")
    source = export(full, work / "source-then")
    for install, tree in ((this, ROOT), (then, source)):
        progress(f"installing {install.label} into {install.venv}")
        make_venv(install, tree, packages, constraints)
    progress(f"both installed in {time.perf_counter() - started:.0f} s")
    return this, then


def pinned_environment() -> list[str]:
    """The running environment's pinned distributions, the package itself left out."""
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [line for line in frozen if PINNED.match(line) and not line.lower().startswith("qase")]


def export(commit: str, folder: Path) -> Path:
    """The tree of ``commit`` written to ``folder`` (git archive: no worktree to clean up)."""
    archive = folder.with_suffix(".tar")
    subprocess.run(["git", "-C", str(ROOT), "archive", f"--output={archive}", commit], check=True)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(folder, filter="data")
        else:  # Python before 3.10.12 / 3.11.4: the archive is our own repository's
            tar.extractall(folder)
    archive.unlink()
    return folder


def make_venv(install: Install, tree: Path, packages: Sequence[str], constraints: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(install.venv)], check=True)
    pip = [install.python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run(
        [*pip, "--constraint", str(constraints), str(tree), *packages],
        capture_output=True,
        text=True,
        env=AS_INSTALLED,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"installing {install.label} failed:\n{done.stdout}{done.stderr}")
    # The package must come from the venv's site-packages, not from a source tree.
    where = subprocess.run(
        [install.python, "-c", "import qase_contract; print(qase_contract.__file__)"],
        cwd=install.venv,
        capture_output=True,
        text=True,
        env=AS_INSTALLED,
        check=True,
    ).stdout.strip()
    if not Path(where).is_relative_to(install.venv):
        raise SystemExit(f"{install.label}: qase_contract imports from {where}, outside {install.venv}")
