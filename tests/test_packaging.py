"""The schemas ship: found in wheel, sdist-built wheel and editable installs."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import qase_contract
from qase_contract import EVENTS
from qase_contract.contract._provenance import contract_version
from qase_contract.contract._resources import schemas_root
from qase_contract.reporters._web import ASSETS
from tests.helpers.data import ROOT

EXPECTED_IN_PACKAGE = [
    "qase_contract/py.typed",
    "qase_contract/contract/readset.schema.json",
    "qase_contract/schemas/envelope.schema.json",
    "qase_contract/schemas/common/defs.schema.json",
    "qase_contract/schemas/README.md",
    "qase_contract/schemas/VERSION",
    "qase_contract/schemas/CHANGELOG.md",
    "qase_contract/schemas/examples/case.created/canonical.json",
    *(f"qase_contract/schemas/{event.schema_path}" for event in EVENTS),
    # The inspector's page and the HTML reports' styles and script.
    *(f"qase_contract/reporters/web/{name}" for name in ASSETS),
]


def build(kind: str, source: Path, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "build", f"--{kind}", "--no-isolation", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("*.whl" if kind == "wheel" else "*.tar.gz")
    return built


def check_installed_wheel(wheel: Path, target: Path) -> None:
    """Install the wheel alone into ``target`` and validate from there, in a fresh interpreter."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    script = (
        "import qase_contract, qase_contract.contract._resources as r, sys;"
        f"assert qase_contract.__file__.startswith({str(target)!r}), qase_contract.__file__;"
        f"assert str(r.schemas_root()).startswith({str(target)!r}), r.schemas_root();"
        "example = r.examples_root() / 'run.started' / 'canonical.json';"
        "assert qase_contract.validate(example.read_bytes()).ok;"
        "from qase_contract.reporters._web import ASSETS, asset;"
        "assert all(asset(name) for name in ASSETS);"
        "print(len(qase_contract.Validator().event_names))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=target,
        env={"PYTHONPATH": str(target), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "40"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build("wheel", ROOT, tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build("sdist", ROOT, tmp_path_factory.mktemp("sdist"))


def test_the_wheel_carries_every_schema_and_example(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(EXPECTED_IN_PACKAGE) <= names
    assert not any(name.startswith(("tests/", "schemas/")) for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "qase-contract = qase_contract.__main__:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_wheel_finds_its_schemas_when_installed(wheel: Path, tmp_path: Path) -> None:
    check_installed_wheel(wheel, tmp_path / "site")


def test_the_sdist_carries_the_schema_folder_and_builds_a_working_wheel(sdist: Path, tmp_path: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        archive.extractall(tmp_path / "src", filter="data")
    top = names[0].split("/")[0]
    assert f"{top}/schemas/envelope.schema.json" in names
    assert f"{top}/schemas/events/review/reopened.schema.json" in names
    assert f"{top}/pyproject.toml" in names
    wheel = build("wheel", tmp_path / "src" / top, tmp_path / "dist")
    assert set(EXPECTED_IN_PACKAGE) <= set(zipfile.ZipFile(wheel).namelist())
    check_installed_wheel(wheel, tmp_path / "site")


def test_an_editable_install_finds_the_repository_schemas_from_anywhere(tmp_path: Path) -> None:
    """The suite runs on ``pip install -e .``: from another folder the package still loads them."""
    package_dir = Path(qase_contract.__file__).resolve().parent
    if package_dir.parent != ROOT:
        pytest.fail("the suite is meant to run against an editable install of this checkout")
    script = "import qase_contract.contract._resources as r; print(r.schemas_root())"
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert Path(completed.stdout.strip()) == ROOT / "schemas" == schemas_root()


def wheel_metadata(wheel: Path) -> list[tuple[str, str]]:
    archive = zipfile.ZipFile(wheel)
    text = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    head = text.split("\n\n", 1)[0]
    return [(key, value) for key, _, value in (line.partition(": ") for line in head.splitlines())]


def test_the_wheel_declares_its_licence_with_the_licence_text(wheel: Path) -> None:
    metadata = wheel_metadata(wheel)
    assert ("License-Expression", "MIT") in metadata
    licence = zipfile.ZipFile(wheel).read("qase_contract-0.1.0.dist-info/licenses/LICENSE").decode()
    assert licence.startswith("MIT License\n")
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_the_wheel_names_its_home_documentation_changelog_and_issues(wheel: Path) -> None:
    urls = dict(value.split(", ", 1) for key, value in wheel_metadata(wheel) if key == "Project-URL")
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(url.startswith("https://github.com/qase-contract/qase-contract") for url in urls.values())


def test_the_wheel_names_each_python_version_it_supports(wheel: Path) -> None:
    metadata = wheel_metadata(wheel)
    versions = [value.rsplit(" :: ", 1)[1] for key, value in metadata if key == "Classifier"]
    assert [v for v in versions if v.startswith("3.")] == ["3.10", "3.11", "3.12", "3.13"]
    assert ("Requires-Python", ">=3.10") in metadata


def test_the_sdist_carries_the_licence_changelogs_and_manual(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    top = f"qase_contract-{qase_contract.__version__}"
    for name in ["LICENSE", "CHANGELOG.md", "schemas/CHANGELOG.md", "mkdocs.yml", "docs/index.md"]:
        assert f"{top}/{name}" in names


@pytest.mark.parametrize(
    ("changelog", "version"),
    [
        (ROOT / "CHANGELOG.md", qase_contract.__version__),
        (ROOT / "schemas" / "CHANGELOG.md", contract_version()),
    ],
    ids=["package", "contract"],
)
def test_the_changelog_opens_with_this_version_in_keep_a_changelog_form(
    changelog: Path, version: str
) -> None:
    text = changelog.read_text(encoding="utf-8")
    assert "[Keep a Changelog](https://keepachangelog.com/" in text
    first = re.search(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\S+)$", text, re.MULTILINE)
    assert first is not None, changelog
    assert first["version"] == version
    assert re.fullmatch(r"Unreleased|\d{4}-\d{2}-\d{2}", first["date"])
    assert re.search(r"^### (Added|Changed|Deprecated|Removed|Fixed|Security)$", text, re.MULTILINE)


def test_the_contract_changelog_names_every_event_it_added() -> None:
    text = (ROOT / "schemas" / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = dict(re.findall(r"^  - `(\w+)`: ([^;.]+(?:\n    [^;.]+)?)[;.]$", text, re.MULTILINE))
    listed = [
        f"{entity}.{action}"
        for entity, actions in entries.items()
        for action in " ".join(actions.split()).split(", ")
    ]
    assert sorted(listed) == sorted(event.name for event in EVENTS)
