"""--qase-captures: every captured delivery is its own test item, id file:line:event."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

import qase_contract.sources._paths
from qase_contract.sources._model import Delivery, Location, ReadFailure
from qase_contract.testing._samples import sample_delivery


@pytest.fixture
def dumps(pytester: pytest.Pytester) -> Path:
    """A folder with a JSON Lines dump (conforming, broken, drifted, not JSON), an array, one delivery."""
    folder = pytester.mkdir("dumps")
    lines = [
        json.dumps(sample_delivery("run.completed")),
        json.dumps(sample_delivery("case.created", payload={"priority": "high"})),
        "",
        json.dumps(sample_delivery("run.started", payload={"undocumented": 1})),
        '{"event_name": "run.completed", "timestamp": 16',
    ]
    (folder / "hooks.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    array = [sample_delivery("suite.created"), sample_delivery("plan.deleted", payload={"id": "7"})]
    (folder / "more.json").write_text(json.dumps(array), encoding="utf-8")
    (folder / "single.json").write_text(json.dumps(sample_delivery("run.deleted")), encoding="utf-8")
    pytester.makepyfile("def test_the_suite_still_runs():\n    pass\n")
    return folder


def test_each_captured_delivery_is_a_test_named_by_file_line_and_event(
    pytester: pytest.Pytester, dumps: Path
) -> None:
    result = pytester.runpytest("--qase-captures=dumps", "-v")
    result.assert_outcomes(passed=5, failed=3)
    result.stdout.fnmatch_lines(["*collected 8 items"])
    result.stdout.fnmatch_lines(
        [
            "dumps/hooks.jsonl:1:run.completed PASSED*",
            "dumps/hooks.jsonl:2:case.created FAILED*",
            "dumps/hooks.jsonl:4:run.started PASSED*",
            "dumps/hooks.jsonl:5:unparsable FAILED*",
            "dumps/more.json[[]0]:suite.created PASSED*",
            "dumps/more.json[[]1]:plan.deleted FAILED*",
            "dumps/single.json:run.deleted PASSED*",
        ],
        consecutive=False,
    )


def test_a_failing_capture_reports_the_location_event_and_findings(
    pytester: pytest.Pytester, dumps: Path
) -> None:
    result = pytester.runpytest("--qase-captures=dumps")
    result.stdout.fnmatch_lines(
        [
            "*_ delivery dumps/hooks.jsonl:2:case.created _*",
            "case.created delivery does not conform to the Qase webhook contract: 1 violation",
            '  /payload/priority: expected object, actual string "high"  [violation wrong-type]',
            "*_ delivery dumps/hooks.jsonl:5:unparsable _*",
            "a delivery without an event_name does not conform to the Qase webhook contract: 1 violation",
            "  /: expected a JSON object, actual unparsable body  [violation unparsable]",
            "      the body is not valid JSON: *column *",
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")


def test_drift_in_a_capture_fails_only_under_qase_strict(pytester: pytest.Pytester, dumps: Path) -> None:
    strict = pytester.runpytest("--qase-captures=dumps", "--qase-strict", "-rf")
    strict.assert_outcomes(passed=4, failed=4)
    strict.stdout.fnmatch_lines(["FAILED dumps/hooks.jsonl:4:run.started - run.started delivery does not*"])


def test_a_capture_is_deselected_by_its_id_as_any_test_is(pytester: pytest.Pytester, dumps: Path) -> None:
    result = pytester.runpytest(
        "--qase-captures=dumps",
        "--deselect",
        "dumps/hooks.jsonl:2:case.created",
        "--deselect",
        "dumps/more.json",
    )
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["collected 8 items / 3 deselected / 5 selected"])


def test_without_the_option_no_capture_is_collected(pytester: pytest.Pytester, dumps: Path) -> None:
    pytester.runpytest().assert_outcomes(passed=1)
    pytester.runpytest(str(dumps)).assert_outcomes()


def test_the_qase_capture_marker_selects_only_the_captures(pytester: pytest.Pytester, dumps: Path) -> None:
    result = pytester.runpytest("--qase-captures=dumps", "-m", "qase_capture")
    result.assert_outcomes(passed=4, failed=3)
    result.stdout.fnmatch_lines(["collected 8 items / 1 deselected / 7 selected"])


def test_the_junit_report_names_every_capture_under_its_file(pytester: pytest.Pytester, dumps: Path) -> None:
    pytester.runpytest("--qase-captures=dumps", "--junitxml=report.xml")
    cases = ET.parse(pytester.path / "report.xml").getroot().iter("testcase")
    outcomes = {(case.get("classname"), case.get("name")): [child.tag for child in case] for case in cases}
    assert outcomes["dumps.hooks.jsonl", "1:run.completed"] == ["properties"]
    assert outcomes["dumps.hooks.jsonl", "2:case.created"] == ["properties", "failure"]
    assert outcomes["dumps.more.json", "[1]:plan.deleted"] == ["properties", "failure"]
    assert outcomes["dumps.single.json", "run.deleted"] == ["properties"]
    report = (pytester.path / "report.xml").read_text(encoding="utf-8")
    assert '<property name="qase_status" value="drift" />' in report


def test_an_unreadable_record_is_a_failing_test_with_its_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = pytester.path / "locked.jsonl"
    dump.write_text(json.dumps(sample_delivery("run.completed")) + "\n", encoding="utf-8")

    def reading_fails(paths: list[Path]) -> Iterator[Delivery]:
        (path,) = paths
        yield Delivery(ReadFailure("cannot read: Permission denied"), Location(str(path)))

    # Whatever way a reader fails (running as root, permissions cannot be used to provoke it).
    monkeypatch.setattr(qase_contract.sources._paths, "read_paths", reading_fails)
    result = pytester.runpytest("--qase-captures=locked.jsonl", "-v")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "locked.jsonl:unreadable FAILED*",
            "the record could not be read: cannot read: Permission denied",
        ],
        consecutive=False,
    )


def test_a_missing_capture_path_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--qase-captures=nowhere.jsonl")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --qase-captures: no such file or folder: nowhere.jsonl"])


def test_a_forged_event_name_cannot_break_a_test_id(pytester: pytest.Pytester) -> None:
    folder = pytester.mkdir("forged")
    forged = {**sample_delivery("run.deleted"), "event_name": "run.x\r\nPASSED fake\u001b[2J"}
    (folder / "hooks.jsonl").write_text(json.dumps(forged) + "\n", encoding="utf-8")
    result = pytester.runpytest("--qase-captures=forged", "--collect-only", "-q")
    ids = [line for line in result.outlines if "hooks.jsonl" in line]
    assert ids == ["forged/hooks.jsonl:1:run.x\\x0d\\x0aPASSED fake\\x1b[2J"]


def test_a_capture_path_given_twice_is_collected_once(pytester: pytest.Pytester, dumps: Path) -> None:
    result = pytester.runpytest("--qase-captures=dumps", "--qase-captures=dumps", "-m", "qase_capture")
    result.assert_outcomes(passed=4, failed=3)


def test_har_entries_are_named_by_their_index(pytester: pytest.Pytester) -> None:
    def entry(method: str, body: str) -> dict[str, object]:
        request = {"method": method, "url": "https://consumer.test/hooks", "headers": []}
        if body:
            request["postData"] = {"mimeType": "application/json", "text": body}
        return {"request": request}

    delivery = json.dumps(sample_delivery("run.deleted"))
    har = {"log": {"version": "1.2", "entries": [entry("GET", ""), entry("POST", delivery)]}}
    (pytester.path / "session.har").write_text(json.dumps(har), encoding="utf-8")
    result = pytester.runpytest("--qase-captures=session.har", "-v", "--junitxml=report.xml")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["session.har:entries[[]1]:run.deleted PASSED*"])
    (case,) = ET.parse(pytester.path / "report.xml").getroot().iter("testcase")
    assert (case.get("classname"), case.get("name")) == ("session.har", "entries[1]:run.deleted")


def test_a_file_reached_by_two_capture_paths_is_collected_once(
    pytester: pytest.Pytester, dumps: Path
) -> None:
    result = pytester.runpytest(
        "--qase-captures=dumps", "--qase-captures=dumps/hooks.jsonl", "-m", "qase_capture"
    )
    result.assert_outcomes(passed=4, failed=3)


def test_an_overlay_path_that_is_a_file_is_named_as_such(pytester: pytest.Pytester) -> None:
    pytester.makefile(".json", overlay="{}")
    result = pytester.runpytest("--qase-schemas=overlay.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--qase-schemas: *overlay.json: not a folder"])
