"""Every output format carries each delivery's location, event, status and findings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers.cli import invoke
from tests.helpers.data import ROOT
from tests.helpers.sarif import SARIF_SCHEMA, assert_valid_sarif

EXAMPLES = ROOT / "examples"
BROKEN = str(EXAMPLES / "broken.jsonl")
DRIFTED = str(EXAMPLES / "drifted.jsonl")


def test_json_has_the_documented_summary_and_results_with_findings_only() -> None:
    run = invoke("validate", "--format", "json", str(EXAMPLES))
    assert run.code == 1
    report = json.loads(run.stdout)
    assert list(report) == ["summary", "results"]
    summary = report["summary"]
    assert {k: summary[k] for k in ("deliveries", "conforming", "drift", "violations", "unreadable")} == {
        "deliveries": 19,
        "conforming": 10,
        "drift": 4,
        "violations": 5,
        "unreadable": 0,
    }
    assert summary["by_event"]["run.completed"] == {
        "deliveries": 2,
        "conforming": 1,
        "drift": 1,
        "violations": 0,
        "unreadable": 0,
    }
    assert len(report["results"]) == 9
    first = report["results"][0]
    assert first["location"] == {"source": BROKEN, "line": 2, "index": None, "text": f"{BROKEN}:2"}
    assert first["event_name"] == "case.created"
    assert first["status"] == "violation"
    assert first["findings"][0] == {
        "kind": "violation",
        "code": "wrong-type",
        "path": "/payload/priority",
        "message": 'expected object, got string "high"',
        "schema_path": "common/defs.schema.json#/$defs/priority/type",
        "expected": "object",
        "actual": 'string "high"',
    }


def test_json_with_all_lists_every_delivery_and_counts_unreadable_records(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    run = invoke("validate", "--format", "json", "--all", str(EXAMPLES / "conforming.jsonl"), str(tmp_path))
    report = json.loads(run.stdout)
    assert report["summary"]["deliveries"] == 9
    assert report["summary"]["unreadable"] == 1
    assert [r["status"] for r in report["results"]] == ["conforming"] * 8 + ["unreadable"]
    assert report["results"][-1]["findings"][0]["code"] == "unreadable"


def test_a_fatal_error_in_json_format_is_still_a_json_document(tmp_path: Path) -> None:
    (tmp_path / "bad.schema.json").write_text("{", encoding="utf-8")
    run = invoke("validate", "--format", "json", "--schemas", str(tmp_path), str(EXAMPLES))
    assert run.code == 2
    assert "bad.schema.json" in json.loads(run.stdout)["error"]["message"]
    assert "bad.schema.json" in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--jobs", "-1", "x.json"], "Invalid value for '-j' / '--jobs'", id="bad-value"),
        pytest.param([], "Missing argument 'PATHS...'", id="no-path"),
        pytest.param(["--bogus", "x"], "No such option '--bogus'", id="unknown-option"),
        pytest.param(["-o", "/nonexistent/folder/report.json", "x"], "cannot write there", id="bad-output"),
    ],
)
@pytest.mark.parametrize("format_", ["json", "sarif", "junit"])
def test_a_command_line_error_is_still_a_document_in_the_chosen_format(
    args: list[str], message: str, format_: str
) -> None:
    run = invoke("validate", "-f", format_, *args)
    assert run.code == 2
    assert message in run.stderr
    if format_ == "json":
        assert message in json.loads(run.stdout)["error"]["message"]
    elif format_ == "sarif":
        notification = json.loads(run.stdout)["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]
        assert message in notification["message"]["text"]
        assert_valid_sarif(run.stdout)
    else:
        assert message in ET.fromstring(run.stdout).find(".//error").get("message", "")  # type: ignore[union-attr]


def test_a_command_line_error_in_text_format_leaves_standard_output_empty() -> None:
    run = invoke("validate", "--jobs", "-1", "x.json")
    assert run.code == 2
    assert run.stdout == ""
    assert "Invalid value for '-j' / '--jobs'" in run.stderr


def test_a_fatal_error_reaches_the_output_file_in_the_chosen_format(tmp_path: Path) -> None:
    (tmp_path / "overlay").mkdir()
    (tmp_path / "overlay" / "bad.schema.json").write_text("{", encoding="utf-8")
    target = tmp_path / "report.json"
    run = invoke(
        "validate", "-f", "json", "-o", str(target), "--schemas", str(tmp_path / "overlay"), str(EXAMPLES)
    )
    assert run.code == 2
    assert "bad.schema.json" in json.loads(target.read_text(encoding="utf-8"))["error"]["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["overlay", "report.json"]


def test_junit_has_one_testcase_per_delivery_that_ci_can_parse() -> None:
    run = invoke("validate", "--format", "junit", BROKEN, DRIFTED)
    suite = ET.fromstring(run.stdout).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == 11
    assert suite.get("tests") == "11"
    assert suite.get("failures") == "5"
    assert cases[1].get("name") == f"{BROKEN}:2"
    assert cases[1].get("classname") == "qase-contract.case.created"
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "wrong-type"
    assert "common/defs.schema.json#/$defs/priority/type" in (failure.text or "")
    # Drift passes, and its findings are shown in the output of the testcase.
    drift = [c for c in cases if c.find("system-out") is not None]
    assert len(drift) == 4
    assert all(c.find("failure") is None for c in drift)


def test_junit_fails_drift_under_strict() -> None:
    run = invoke("validate", "--format", "junit", "--strict", DRIFTED)
    suite = ET.fromstring(run.stdout).find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "4"


def test_junit_escapes_control_characters_it_cannot_carry(tmp_path: Path) -> None:
    dump = tmp_path / "odd\x01name.jsonl"
    dump.write_bytes(b'{"event_name": "x\\u0001y"}\n')
    run = invoke("validate", "--format", "junit", str(dump))
    ET.fromstring(run.stdout)


def test_sarif_is_2_1_0_with_a_rule_per_code_and_a_result_per_finding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # artifact URIs are relative to the checkout
    run = invoke("validate", "--format", "sarif", BROKEN, DRIFTED)
    log = json.loads(run.stdout)
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert {rule["id"] for rule in rules} >= {"wrong-type", "unknown-field", "unreadable"}
    results = sarif_run["results"]
    assert len(results) == 12
    first = results[0]
    assert first["ruleId"] == "wrong-type"
    assert rules[first["ruleIndex"]]["id"] == "wrong-type"
    assert first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "examples/broken.jsonl"}, "region": {"startLine": 2}}
    assert (
        first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == f"{BROKEN}:2#/payload/priority"
    )
    assert {r["level"] for r in results if r["ruleId"].startswith("unknown-")} == {"warning"}


def test_sarif_reports_a_fatal_error_as_a_failed_invocation(tmp_path: Path) -> None:
    run = invoke("validate", "--format", "sarif", str(tmp_path / "missing"))
    assert run.code == 2
    (sarif_run,) = json.loads(run.stdout)["runs"]
    assert sarif_run["invocations"][0]["executionSuccessful"] is False
    assert sarif_run["results"] == []


def test_github_annotations_name_file_and_line_and_escape_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the checkout, as in a workflow: files are named relative to it
    run = invoke("validate", "--format", "github", BROKEN, DRIFTED)
    lines = run.stdout.splitlines()
    assert lines[0].startswith(
        f"::error file=examples/broken.jsonl,line=2,title=case.created wrong-type::{BROKEN}:2 /payload/"
    )
    assert sum(line.startswith("::warning ") for line in lines) == 6
    assert lines[-1].startswith("11 deliveries:")
    dump = tmp_path / "a,b:c.jsonl"
    dump.write_bytes(b'{"event_name": "run.deleted",\n')
    line = invoke("validate", "--format", "github", str(dump)).stdout.splitlines()[0]
    assert "file=" + str(dump).replace(":", "%3A").replace(",", "%2C") + ",line=1,title=" in line


@pytest.mark.parametrize("format_", ["text", "json", "junit", "sarif", "github"])
def test_output_goes_to_a_file_with_nothing_on_stdout(tmp_path: Path, format_: str) -> None:
    target = tmp_path / f"report.{format_}"
    run = invoke("validate", "--format", format_, "--output", str(target), BROKEN)
    assert run.code == 1
    assert run.stdout == ""
    assert "broken.jsonl" in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.parametrize("format_", ["text", "github"])
def test_control_characters_from_a_delivery_never_reach_the_terminal_or_log(
    tmp_path: Path, format_: str
) -> None:
    dump = tmp_path / "forged.jsonl"
    forged = {"event_name": "case.created\u001b[2J\r\nFAKE ok", "payload": {}, "x\u0007": 1}
    dump.write_text(json.dumps(forged) + "\n", encoding="utf-8")
    run = invoke("validate", "--format", format_, str(dump))
    assert "\u001b" not in run.stdout
    assert "\u0007" not in run.stdout
    assert "\r" not in run.stdout
    assert not any(line.startswith("FAKE") for line in run.stdout.splitlines())
    assert "\\x1b[2J\\x0d\\x0aFAKE ok" in run.stdout or "\\x1b[2J%0D%0AFAKE ok" in run.stdout


def test_the_report_file_gets_the_usual_mode_not_a_private_one(tmp_path: Path) -> None:
    import os

    target = tmp_path / "report.txt"
    previous = os.umask(0o022)
    try:
        invoke("validate", "--output", str(target), BROKEN)
    finally:
        os.umask(previous)
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_usage_error_in_text_leaves_its_message_in_the_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("an older report\n", encoding="utf-8")
    run = invoke("validate", "--output", str(target), str(tmp_path / "missing.json"))
    assert run.code == 2
    assert "no such file or folder" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("format_", ["text", "json", "junit", "sarif", "github"])
def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path: Path, format_: str) -> None:
    import os

    (tmp_path / os.fsdecode(b"caf\xe9.jsonl")).write_bytes(b'{"event_name": "run.deleted"}\n')
    target = tmp_path / "out" / "report"
    target.parent.mkdir()
    run = invoke("validate", "--format", format_, "--output", str(target), str(tmp_path))
    assert run.code == 1
    assert "caf\\xe9.jsonl" in target.read_text(encoding="utf-8").replace("\\\\", "\\")


def test_standard_input_twice_is_a_usage_error() -> None:
    run = invoke("validate", "-", "-", stdin=b"{}")
    assert run.code == 2
    assert "can be read only once" in run.stderr


# -- SARIF against the official schema --------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param([BROKEN, DRIFTED], id="violations-and-drift"),
        pytest.param(["--strict", DRIFTED], id="strict"),
        pytest.param([str(EXAMPLES / "conforming.jsonl")], id="conforming"),
        pytest.param(["-"], id="stdin-unreadable"),
        pytest.param(["missing-path"], id="fatal"),
    ],
)
def test_sarif_output_is_valid_against_the_official_2_1_0_schema(arguments: list[str]) -> None:
    run = invoke("validate", "--format", "sarif", *arguments, stdin=b'{"event_name": "run.started"\n[1]\n')
    log = assert_valid_sarif(run.stdout)
    assert log["runs"], run.stdout


def test_the_sarif_schema_check_is_not_vacuous() -> None:
    from jsonschema import Draft4Validator

    tool = {"driver": {"name": "qase-contract"}}
    result = {"ruleId": "wrong-type", "message": {"text": "x"}, "level": "fatal"}
    log = {"version": "2.1.0", "runs": [{"tool": tool, "results": [result]}]}
    assert not Draft4Validator(SARIF_SCHEMA).is_valid(log)
    result["level"] = "error"
    assert Draft4Validator(SARIF_SCHEMA).is_valid(log)


# -- where --output writes ----------------------------------------------------------------------------


def test_output_to_a_fifo_writes_through_without_replacing_it(tmp_path: Path) -> None:
    import os
    import stat
    import threading

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    run = invoke("validate", "-o", str(fifo), str(EXAMPLES / "conforming.jsonl"))
    reader.join(timeout=10)
    assert run.code == 0
    assert received[0].startswith(b"PASSED  8 deliveries: 8 conforming")
    # Still a FIFO: a device such as /dev/null takes the same path (not tried here: a regression
    # would replace the machine's /dev/null).
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_through_a_symlink_replaces_the_file_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to("real.txt")
    assert invoke("validate", "-o", str(link), str(EXAMPLES / "conforming.jsonl")).code == 0
    assert link.is_symlink()
    assert (tmp_path / "real.txt").read_text(encoding="utf-8").startswith("PASSED  8 deliveries")


def test_an_empty_output_name_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = invoke("validate", "-o", "", str(EXAMPLES / "conforming.jsonl"))
    assert run.code == 2
    assert "--output: the file name is empty" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_annotations_point_at_the_line_of_an_array_item(tmp_path: Path) -> None:
    broken = json.loads((EXAMPLES / "conforming.jsonl").read_text(encoding="utf-8").splitlines()[0])
    broken["timestamp"] = "yesterday"
    dump = tmp_path / "fixtures.json"
    dump.write_text(json.dumps([{"event_name": "x"}, broken], indent=2), encoding="utf-8")
    lines = dump.read_text(encoding="utf-8").splitlines()
    line = [number for number, text in enumerate(lines, 1) if text == "  {"][1]  # the second item
    github = invoke("validate", "--format", "github", str(dump)).stdout
    assert f"file={dump},line={line},title={broken['event_name']} wrong-type::{dump}[1] /timestamp" in github
    (result,) = [
        r
        for r in json.loads(invoke("validate", "-f", "json", str(dump)).stdout)["results"]
        if r["location"]["index"] == 1
    ]
    assert result["location"]["line"] == line


@pytest.mark.parametrize("format_", ["json", "text"])
def test_a_command_line_error_replaces_the_old_report_in_the_output_file(
    tmp_path: Path, format_: str
) -> None:
    report = tmp_path / "report"
    conforming = str(EXAMPLES / "conforming.jsonl")
    assert invoke("validate", "-f", format_, "-o", str(report), conforming).code == 0
    run = invoke("validate", "-f", format_, "-o", str(report), "--jobs", "999", conforming)
    assert run.code == 2
    written = report.read_text(encoding="utf-8")
    assert "Invalid value for '-j' / '--jobs'" in written
    assert "8 conforming" not in written
    if format_ == "json":
        assert run.stdout == ""  # the document went to the file
        assert "--jobs" in json.loads(written)["error"]["message"]


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
BIDI_AND_SEPARATORS = BIDI + "\u2028\u2029\u0085"


@pytest.mark.parametrize("format_", ["text", "github"])
def test_bidirectional_and_separator_characters_are_escaped_in_text_and_github_output(
    tmp_path: Path, format_: str
) -> None:
    dump = tmp_path / "evil\u202efdp.jsonl"
    dump.write_text(json.dumps({"event_name": "case.created" + BIDI_AND_SEPARATORS}) + "\n", encoding="utf-8")
    run = invoke("validate", "--format", format_, str(dump))
    assert not set(BIDI_AND_SEPARATORS) & set(run.stdout)
    assert "evil\\u202efdp.jsonl" in run.stdout
    escaped = "".join(f"\\u{ord(c):04x}" for c in BIDI) + "\\u2028\\u2029\\x85"
    assert "case.created" + escaped in run.stdout


def test_a_usage_error_shows_the_paths_it_names_escaped(tmp_path: Path) -> None:
    import os

    missing = str(tmp_path / os.fsdecode(b"gone\xff\x1b[2J\xe2\x80\xae.jsonl"))
    run = invoke("validate", missing)
    assert run.code == 2
    assert run.stderr == f"Error: no such file or folder: {tmp_path}/gone\\xff\\x1b[2J\\u202e.jsonl\n"
    drift = invoke("drift", missing)
    assert drift.stderr.endswith(run.stderr)


def test_sarif_encodes_the_bytes_of_a_file_name_that_is_not_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.chdir(tmp_path)
    Path(os.fsdecode(b"caf\xff.jsonl")).write_bytes(b'{"event_name": "run.deleted"}\n')
    run = invoke("validate", "--format", "sarif", ".")
    (result, *_) = json.loads(run.stdout)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "caf%FF.jsonl"


def test_junit_shows_control_characters_of_a_file_name_as_escapes(tmp_path: Path) -> None:
    dump = tmp_path / "bell\x07esc\x1b.jsonl"
    dump.write_bytes(b'{"event_name": "run.deleted"}\n')
    run = invoke("validate", "--format", "junit", str(dump))
    case = ET.fromstring(run.stdout).find("testsuite/testcase")
    assert case is not None
    assert case.get("file") == f"{tmp_path}/bell\\x07esc\\x1b.jsonl"
    assert "\ufffd" not in run.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["validate", "-o", "/nowhere\x1b[2J\u202e/report.txt", "-"],
        ["validate", "--schemas", "/nowhere\x1b[2J\u202e", "-"],
        ["drift", "--baseline", "/nowhere\x1b[2J\u202e/baseline.json", "-"],
    ],
)
def test_a_usage_error_quotes_option_paths_escaped_on_standard_error(arguments: list[str]) -> None:
    run = invoke(*arguments, stdin=b"{}")
    assert run.code == 2
    assert "\x1b" not in run.stderr
    assert "\u202e" not in run.stderr
    assert "/nowhere\\x1b[2J\\u202e" in run.stderr
