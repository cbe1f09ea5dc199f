"""validate --reads: every format says which findings affect the consumer, and the gate follows them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qase_contract.contract import ReadSet
from tests.helpers.cli import invoke
from tests.helpers.data import ROOT
from tests.helpers.sarif import assert_valid_sarif

EXAMPLES = ROOT / "examples"
BROKEN = str(EXAMPLES / "broken.jsonl")
DRIFTED = str(EXAMPLES / "drifted.jsonl")

#: Reads the automation id and title of new cases and a new custom field's value: in broken.jsonl
#: the legacy envelope, the truncated body and the null custom field value affect the consumer,
#: the case.created and plan.updated violations do not; in drifted.jsonl a new automation id does.
READS = {
    "case.created": ["/payload/automation/id", "/payload/title"],
    "custom_field.created": ["/payload/value"],
}


@pytest.fixture
def reads(tmp_path: Path) -> str:
    path = tmp_path / "reads.json"
    ReadSet.of(READS).write(path)
    return str(path)


def affects_by_line(report: dict[str, object]) -> dict[str, list[tuple[str, str | None, bool]]]:
    results: list[dict[str, object]] = report["results"]  # type: ignore[assignment]
    return {
        str(result["location"]["text"]).rsplit("/", 1)[-1]: [  # type: ignore[index]
            (finding["code"], finding["read_path"], finding["affects"])
            for finding in result["findings"]  # type: ignore[attr-defined]
        ]
        for result in results
    }


def test_json_marks_every_finding_and_counts_the_deliveries_that_affect_the_consumer(reads: str) -> None:
    run = invoke("validate", "--format", "json", "--reads", reads, BROKEN, DRIFTED)
    assert run.code == 1
    report = json.loads(run.stdout)
    assert report["summary"]["reads"] == reads
    assert report["summary"]["affecting"] == 4
    assert report["summary"]["violations"] == 5
    assert affects_by_line(report) == {
        "broken.jsonl:2": [("wrong-type", None, False), ("out-of-range", None, False)],
        "broken.jsonl:3": [("legacy-envelope", "/payload/automation/id", True)],
        "broken.jsonl:4": [("unparsable", "/payload/automation/id", True)],
        "broken.jsonl:5": [("wrong-type", None, False)],
        "broken.jsonl:6": [("null-not-allowed", "/payload/value", True)],
        "drifted.jsonl:2": [("unknown-field", None, False), ("unknown-field", None, False)],
        "drifted.jsonl:3": [
            ("unknown-value", "/payload/automation/id", True),
            ("unknown-field", None, False),
        ],
        "drifted.jsonl:4": [("unknown-event", None, False)],
        "drifted.jsonl:5": [("unknown-value", None, False)],
    }


def test_json_without_a_read_set_has_no_reads_fields() -> None:
    report = json.loads(invoke("validate", "--format", "json", BROKEN).stdout)
    assert "reads" not in report["summary"]
    assert "affecting" not in report["summary"]
    assert all("affects" not in f for result in report["results"] for f in result["findings"])


def test_violations_the_consumer_does_not_read_pass_the_gate(tmp_path: Path, reads: str) -> None:
    unread = tmp_path / "unread.jsonl"
    lines = Path(BROKEN).read_text(encoding="utf-8").splitlines()
    unread.write_text(f"{lines[1]}\n{lines[4]}\n", encoding="utf-8")  # case.created and plan.updated
    assert invoke("validate", str(unread)).code == 1
    run = invoke("validate", "--reads", reads, str(unread))
    assert run.code == 0
    assert "0 deliveries with findings that affect your reads" in run.stdout
    assert "[not read]" in run.stdout


def test_text_marks_each_finding_shows_the_affecting_one_first_and_counts_them(reads: str) -> None:
    run = invoke("validate", "--reads", reads, BROKEN, DRIFTED)
    lines = run.stdout.splitlines()
    assert (
        f"{BROKEN}:6  custom_field.created  violation null-not-allowed /payload/value: "
        "null is not allowed here (expected string)  [affects read /payload/value]"
    ) in lines
    drifted = next(line for line in lines if line.startswith(f"{DRIFTED}:3"))
    assert "unknown-value /payload/automation/id" in drifted
    assert drifted.endswith("[affects read /payload/automation/id]  (+1 more, shown with -v)")
    assert f"4 deliveries with findings that affect your reads ({reads})" in lines
    verbose = invoke("validate", "-v", "--reads", reads, DRIFTED).stdout
    assert 'drift unknown-field /payload/tags: field "tags" is not in the contract  [not read]' in verbose


def test_quiet_text_lists_only_the_deliveries_that_affect_the_consumer(reads: str) -> None:
    run = invoke("validate", "-q", "--reads", reads, BROKEN, DRIFTED)
    listed = [line.split("  ")[0] for line in run.stdout.splitlines()[:-2]]
    assert listed == [f"{BROKEN}:3", f"{BROKEN}:4", f"{BROKEN}:6", f"{DRIFTED}:3"]


def test_sarif_makes_affecting_findings_errors_and_the_others_notes(reads: str) -> None:
    run = invoke("validate", "--format", "sarif", "--reads", reads, BROKEN, DRIFTED)
    log = assert_valid_sarif(run.stdout)
    results = log["runs"][0]["results"]  # type: ignore[index]
    levels = {(r["ruleId"], r["properties"]["path"], r["level"]) for r in results}
    assert ("null-not-allowed", "/payload/value", "error") in levels
    assert ("unknown-value", "/payload/automation/id", "error") in levels
    assert ("wrong-type", "/payload/priority", "note") in levels
    assert ("unknown-field", "/payload/tags", "note") in levels
    assert {r["level"] for r in results} == {"error", "note"}
    null = next(r for r in results if r["ruleId"] == "null-not-allowed")
    assert (null["properties"]["affects"], null["properties"]["read_path"]) == (True, "/payload/value")


def test_junit_fails_only_deliveries_that_affect_the_consumer(reads: str) -> None:
    run = invoke("validate", "--format", "junit", "--reads", reads, BROKEN, DRIFTED)
    cases = {case.get("name"): case for case in ET.fromstring(run.stdout).iter("testcase")}
    assert cases[f"{BROKEN}:6"].find("failure") is not None
    assert cases[f"{DRIFTED}:3"].find("failure") is not None
    unread = cases[f"{BROKEN}:2"]
    assert unread.find("failure") is None
    assert "[not read]" in (unread.findtext("system-out") or "")
    suite = ET.fromstring(run.stdout).find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "4"


def test_github_makes_affecting_findings_errors_and_the_others_notices(reads: str) -> None:
    run = invoke("validate", "--format", "github", "--reads", reads, BROKEN, DRIFTED)
    commands = [line.split(" ", 1)[0] for line in run.stdout.splitlines() if line.startswith("::")]
    assert commands.count("::error") == 4
    assert commands.count("::notice") == 8
    assert "::warning" not in commands
    null = next(line for line in run.stdout.splitlines() if "null-not-allowed" in line)
    assert null.startswith("::error ")
    assert null.endswith("[affects read /payload/value]")
    assert run.stdout.splitlines()[-1] == f"4 deliveries with findings that affect your reads ({reads})"


def test_strict_makes_any_drift_at_a_read_path_affect(tmp_path: Path) -> None:
    path = tmp_path / "reads.json"
    ReadSet.of({"run.completed": ["/payload/skipped"]}).write(path)
    assert invoke("validate", "--reads", str(path), DRIFTED).code == 0
    run = invoke("validate", "--strict", "--format", "json", "--reads", str(path), DRIFTED)
    assert run.code == 1
    assert json.loads(run.stdout)["summary"]["affecting"] == 1


def test_workers_report_what_one_process_reports(reads: str) -> None:
    one = invoke("validate", "--format", "json", "--jobs", "1", "--reads", reads, str(EXAMPLES))
    two = invoke("validate", "--format", "json", "--jobs", "2", "--reads", reads, str(EXAMPLES))
    assert (two.code, two.stdout) == (one.code, one.stdout)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(None, "no such read-set file", id="missing"),
        pytest.param(
            '{"format": 1, "events": {"run.started": ["payload/id"]}}', "is not a JSON Pointer", id="bad"
        ),
    ],
)
def test_an_unusable_read_set_is_a_usage_error_in_the_chosen_format(
    tmp_path: Path, content: str | None, reason: str
) -> None:
    path = tmp_path / "reads.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    run = invoke("validate", "--format", "json", "--reads", str(path), BROKEN)
    assert run.code == 2
    assert reason in json.loads(run.stdout)["error"]["message"]
    assert f"Error: --reads: {path}: " in run.stderr


def test_an_entry_that_matches_no_event_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "reads.json"
    ReadSet.of({"run.finshed": ["/payload/id"], "case.*": []}).write(path)
    run = invoke("validate", "--reads", str(path), DRIFTED)
    assert run.code == 0
    assert run.stderr == (
        "warning: --reads: 'run.finshed' matches no catalogued event; did you mean run.started? "
        f"(qase-contract reads check {path} says more)\n"
    )
