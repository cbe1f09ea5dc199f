"""The plugin reads the policy too: --qase-* options, then QASE_CONTRACT_*, then its ini
settings, then [tool.qase-contract.pytest] and [tool.qase-contract], then its defaults."""

from __future__ import annotations

import pytest

from tests.helpers.overlays import RESULT_CREATED, write_schema

DRIFTS = """
from qase_contract import assert_conforms

def test_drift(qase_delivery):
    assert_conforms(qase_delivery("run.completed", payload={"skipped": 1}))
"""


@pytest.fixture(autouse=True)
def _no_policy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "QASE_CONTRACT_STRICT",
        "QASE_CONTRACT_SCHEMAS",
        "QASE_CONTRACT_READS",
        "QASE_CONTRACT_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)


def test_the_shared_table_makes_the_session_strict(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pyproject="[tool.qase-contract]\nstrict = true\n")
    pytester.makepyfile(DRIFTS)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["qase-contract *: schemas built-in; strict (drift fails)"])


def test_the_pytest_table_beats_the_shared_one(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".toml",
        pyproject="[tool.qase-contract]\nstrict = true\n[tool.qase-contract.pytest]\nstrict = false\n",
    )
    pytester.makepyfile(DRIFTS)
    pytester.runpytest().assert_outcomes(passed=1)


def test_an_ini_setting_beats_the_policy_file_and_the_environment_beats_both(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makefile(".toml", **{"qase-contract": "strict = true\n"})
    pytester.makeini("[pytest]\nqase_contract_strict = false\n")
    pytester.makepyfile(DRIFTS)
    pytester.runpytest().assert_outcomes(passed=1)
    monkeypatch.setenv("QASE_CONTRACT_STRICT", "1")
    pytester.runpytest().assert_outcomes(failed=1)
    monkeypatch.setenv("QASE_CONTRACT_STRICT", "0")
    pytester.runpytest("--qase-strict").assert_outcomes(failed=1)


def test_an_overlay_in_the_policy_is_taken_from_the_files_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_schema(pytester.path / "contract", "events/result/created.schema.json", RESULT_CREATED)
    pytester.makefile(".toml", pyproject='[tool.qase-contract]\nschemas = "contract"\n')
    pytester.makepyfile(
        "def test_overlay(qase_validator):\n    assert 'result.created' in qase_validator.event_names\n"
    )
    monkeypatch.chdir(pytester.mkdir("tests"))
    result = pytester.runpytest(str(pytester.path))
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["qase-contract *: schemas built-in + overlay */contract; lenient*"])


def test_an_unusable_policy_is_one_usage_error_naming_the_file_and_key(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pyproject="[tool.qase-contract.pytest]\nstrict = 'yes'\n")
    pytester.makepyfile(DRIFTS)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*qase-contract: pyproject.toml: [[]tool.qase-contract.pytest[]] strict: "
            "expected true or false, got 'yes'"
        ]
    )
