"""Dependencies fit the use: the plain install carries the library, validate and drift; each
optional feature names the extra it needs, in one line, when that extra is missing."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE = {"jsonschema", "referencing", "jsonschema-rs", "orjson", "click", "regress"}


def _requirements(extra: str | None) -> set[str]:
    """The distributions qase-contract requires with ``extra`` (or with no extra at all)."""
    found = set()
    for line in importlib.metadata.requires("qase-contract") or []:
        requirement = Requirement(line)
        marker = requirement.marker
        if extra is None:
            wanted = marker is None
        else:
            wanted = (
                marker is not None
                and marker.evaluate({"extra": extra})
                and not marker.evaluate({"extra": ""})
            )
        if wanted:
            found.add(canonicalize_name(requirement.name))
    return found


def test_the_plain_install_needs_only_what_the_library_validate_and_drift_use() -> None:
    assert _requirements(None) == BASE


@pytest.mark.parametrize(
    ("extra", "packages"),
    [
        ("listen", {"waitress"}),
        ("pytest", {"pytest", "pytest-httpserver"}),
        ("hypothesis", {"hypothesis"}),
        ("pydantic", {"pydantic"}),
    ],
)
def test_each_extra_brings_its_feature_s_packages(extra: str, packages: set[str]) -> None:
    assert _requirements(extra) == packages


def test_all_brings_every_feature_extra() -> None:
    assert _requirements("all") == {"waitress", "pytest", "pytest-httpserver", "hypothesis", "pydantic"}


def _without(module: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter where ``module`` cannot be imported."""
    script = f"import sys; sys.modules[{module!r}] = None\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


def test_listen_without_waitress_names_the_listen_extra_in_one_line_and_exits_2() -> None:
    run = _without(
        "waitress", "from qase_contract.cli import main; sys.argv = ['qase-contract', 'listen']; main()"
    )
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "Error: qase-contract listen needs waitress, which is not installed: "
        "pip install 'qase-contract[listen]'"
    ]


def test_validate_and_send_help_work_without_waitress() -> None:
    run = _without(
        "waitress",
        "from qase_contract.cli import main; sys.argv = ['qase-contract', 'send', '--help']; main()",
    )
    assert run.returncode == 0, run.stderr
    assert "Usage: qase-contract send" in run.stdout


def test_create_app_works_without_waitress() -> None:
    run = _without(
        "waitress", "from qase_contract.live import create_app; print(type(create_app()).__name__)"
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Receiver"


def test_the_strategies_without_hypothesis_name_the_hypothesis_extra() -> None:
    code = (
        "from qase_contract.errors import MissingExtra\n"
        "try:\n"
        "    import qase_contract.testing.strategies\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, isinstance(error, MissingExtra), error)\n"
    )
    run = _without("hypothesis", code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == (
        "MissingExtra True qase_contract.testing.strategies needs hypothesis, which is not installed: "
        "pip install 'qase-contract[hypothesis]'"
    )


def test_the_receiver_fixture_without_pytest_httpserver_names_the_pytest_extra(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest("import sys\nsys.modules['pytest_httpserver'] = None\n")
    pytester.makepyfile(
        """
        def test_sends(qase_receiver):
            pass

        def test_without_the_receiver(qase_delivery):
            assert qase_delivery("run.completed")["event_name"] == "run.completed"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:pytest_httpserver")
    result.assert_outcomes(passed=1, errors=1)
    assert (
        "the qase_receiver fixture needs pytest-httpserver, which is not installed: "
        "pip install 'qase-contract[pytest]'"
    ) in result.stdout.lines
    result.stdout.no_fnmatch_line("*Traceback*")
