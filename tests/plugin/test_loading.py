"""The plugin loads through its entry point, costs nothing until used, and presents itself politely."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from qase_contract import __version__
from tests.helpers.overlays import RESULT_CREATED, write_schema

USES_A_FIXTURE = """
def test_uses_the_plugin(qase_delivery):
    assert qase_delivery("run.completed")["event_name"] == "run.completed"
"""


def test_the_plugin_is_registered_through_the_pytest11_entry_point() -> None:
    entry_points = importlib.metadata.entry_points(group="pytest11")
    assert [ep.value for ep in entry_points if ep.name == "qase_contract"] == ["qase_contract.pytest_plugin"]


def test_a_plain_session_loads_the_plugin_without_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_A_FIXTURE)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"plugins: *qase-contract-{__version__}*"])


def test_p_no_qase_contract_disables_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_A_FIXTURE)
    result = pytester.runpytest("-p", "no:qase_contract")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'qase_delivery' not found*"])
    result.stdout.no_fnmatch_line("qase-contract *: schemas*")
    assert pytester.runpytest("-p", "no:qase_contract", "--qase-strict").ret == pytest.ExitCode.USAGE_ERROR


def test_importing_the_plugin_imports_nothing_else_of_the_library_and_builds_nothing() -> None:
    script = (
        "import sys, qase_contract.pytest_plugin;"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('qase_contract', 'jsonschema', 'jsonschema_rs', 'referencing', 'orjson', 'pytest_httpserver'));"
        "print(loaded)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stdout.strip() == str(
        ["qase_contract", "qase_contract._version", "qase_contract.pytest_plugin"]
    )


def test_a_session_that_does_not_use_the_plugin_never_builds_the_schemas(pytester: pytest.Pytester) -> None:
    report = pytester.path / "registry.txt"
    pytester.makeconftest(
        f"""
        import sys

        def pytest_unconfigure(config):
            registry = sys.modules.get("qase_contract.contract._schema_set")
            built = registry is not None and registry._builtin_schema_set.cache_info().currsize > 0
            open({str(report)!r}, "w").write("built" if built else "untouched")
        """
    )
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest_subprocess("--qase-strict")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["qase-contract *: schemas built-in; strict (drift fails)"])
    assert report.read_text() == "untouched"


def test_the_report_header_names_the_schemas_in_force(pytester: pytest.Pytester, tmp_path: Path) -> None:
    overlay = write_schema(tmp_path / "overlay", "events/result/created.schema.json", RESULT_CREATED)
    pytester.makepyfile("def test_plain():\n    assert True\n")
    pytester.runpytest().stdout.fnmatch_lines(
        [f"qase-contract {__version__}: schemas built-in; lenient (drift allowed)"]
    )
    pytester.runpytest(f"--qase-schemas={overlay}").stdout.fnmatch_lines(
        [f"qase-contract {__version__}: schemas built-in + overlay {overlay}; lenient (drift allowed)"]
    )


def test_options_and_ini_settings_are_listed_in_a_qase_contract_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "Qase webhook contract (qase-contract):",
            "  --qase-strict *",
            "  --qase-schemas=DIR *",
            "  --qase-captures=PATH*",
        ]
    )
    result.stdout.fnmatch_lines(["  qase_contract_strict (bool):*", "  qase_contract_schemas (string):*"])


def test_the_markers_are_registered_and_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.qase_strict(enabled=True): judge this test's deliveries strictly*",
            "@pytest.mark.qase_capture: a captured delivery turned into a test by --qase-captures*",
        ]
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.qase_strict
        def test_marked():
            pass
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_every_public_name_resolves_on_first_access_in_a_fresh_interpreter() -> None:
    script = (
        "import qase_contract;"
        "missing = [n for n in qase_contract.__all__ if getattr(qase_contract, n, None) is None];"
        "from qase_contract import *;"
        "unlisted = sorted(set(qase_contract.__all__) - set(dir(qase_contract)));"
        "print(missing, assert_conforms.__module__, unlisted)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stdout.split() == ["[]", "qase_contract.testing._assertions", "[]"]
