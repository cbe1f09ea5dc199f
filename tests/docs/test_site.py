"""The manual builds as a site, offline and without a warning, and no page loads anything remote."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.data import ROOT
from tests.helpers.screenshots import IMAGES, SHOTS

#: Where a page would load a script, a stylesheet, a font or an image from.
REMOTE_LOAD = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//"""
    r"""|@import\s+["'](?:https?:)?//""",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return folder


def test_every_page_of_docs_becomes_a_page_of_the_site(site: Path) -> None:
    pages = sorted(path.stem for path in (ROOT / "docs").glob("*.md"))
    built = sorted(path.parent.name for path in site.glob("*/index.html") if path.parent.name != "search")
    assert built == sorted(page for page in pages if page != "index")
    assert (site / "index.html").is_file()


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    loads = [
        f"{path.relative_to(site)}: {found[0]}"
        for path in site.rglob("*")
        if path.suffix in {".html", ".css", ".js"}
        for found in REMOTE_LOAD.finditer(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert loads == []


def test_the_schemas_page_includes_the_schema_folder_readme(site: Path) -> None:
    page = (site / "schemas" / "index.html").read_text(encoding="utf-8")
    readme = (ROOT / "schemas" / "README.md").read_text(encoding="utf-8")
    for heading in re.findall(r"^## (.+)$", readme, re.MULTILINE):
        assert heading.split(":")[0] in page
    assert "D22a" in page


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [the missing page](missing.md).\n", encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(config.split("\nnav:")[0] + "\n", encoding="utf-8")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode != 0
    assert "missing.md" in built.stderr


def test_every_image_the_manual_shows_exists_and_each_one_is_shown() -> None:
    """The screenshots are files taken by tests/helpers/screenshots.py; no page shows a missing
    one, and none lies in docs/images unshown (pixels are not compared: they change with fonts)."""
    shown = {
        (page.parent / target).resolve()
        for page in (ROOT / "docs").glob("*.md")
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", page.read_text(encoding="utf-8"))
    }
    assert all(path.is_file() for path in shown), sorted(str(path) for path in shown if not path.is_file())
    kept = {path.resolve() for path in IMAGES.iterdir()}
    assert kept == shown
    assert sorted(path.name for path in kept) == sorted(SHOTS)
    assert all(path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for path in kept)
