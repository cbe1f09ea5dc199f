"""Options and their ini equivalents: strictness and schema overlays, and their usage errors."""

from __future__ import annotations

import json

import pytest

from tests.helpers.overlays import RESULT_CREATED, write_schema

CHECKS_DRIFT_AND_AN_OVERLAY_EVENT = """
from qase_contract import assert_conforms

def test_drift(qase_delivery):
    assert_conforms(qase_delivery("run.completed", payload={"skipped": 1}, check=False))

def test_overlay_event(qase_validator):
    assert "result.created" in qase_validator.event_names
"""


def test_the_ini_settings_make_the_session_strict_and_add_an_overlay(pytester: pytest.Pytester) -> None:
    write_schema(pytester.path / "contract", "events/result/created.schema.json", RESULT_CREATED)
    pytester.makeini("[pytest]\nqase_contract_strict = true\nqase_contract_schemas = contract\n")
    pytester.makepyfile(CHECKS_DRIFT_AND_AN_OVERLAY_EVENT)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["qase-contract *: schemas built-in + overlay */contract; strict (drift fails)"]
    )


def test_an_ini_overlay_folder_is_taken_from_the_ini_files_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_schema(pytester.path / "contract", "events/result/created.schema.json", RESULT_CREATED)
    pytester.makeini("[pytest]\nqase_contract_schemas = contract\n")
    pytester.makepyfile(CHECKS_DRIFT_AND_AN_OVERLAY_EVENT)
    monkeypatch.chdir(pytester.mkdir("elsewhere"))
    pytester.runpytest(str(pytester.path)).assert_outcomes(passed=2)


def test_the_command_line_options_work_without_ini(pytester: pytest.Pytester) -> None:
    overlay = write_schema(pytester.path / "contract", "events/result/created.schema.json", RESULT_CREATED)
    pytester.makepyfile(CHECKS_DRIFT_AND_AN_OVERLAY_EVENT)
    pytester.runpytest("--qase-strict", f"--qase-schemas={overlay}").assert_outcomes(passed=1, failed=1)
    pytester.runpytest().assert_outcomes(passed=1, failed=1)  # lenient, but the overlay event is unknown


def test_a_missing_overlay_folder_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("--qase-schemas=no-such-folder")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --qase-schemas: */no-such-folder: no such folder"])


def test_an_unusable_overlay_is_one_usage_error_with_the_reason(pytester: pytest.Pytester) -> None:
    broken = pytester.mkdir("broken")
    (broken / "bad.schema.json").write_text(json.dumps({"type": 12}), encoding="utf-8")
    pytester.makepyfile(
        """
        def test_plain():
            pass

        def test_needs_the_contract(qase_validator):
            pass
        """
    )
    result = pytester.runpytest(f"--qase-schemas={broken}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --qase-schemas: the overlay is unusable: bad.schema.json: not a valid JSON Schema*"]
    )
    result.stderr.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*Traceback*")
