"""``validate --format markdown`` (a job summary, verdict first) and ``--format gitlab`` (GitLab's
Code Quality report), held to their documented shapes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import markdown
import pytest

from tests.helpers.cli import invoke
from tests.helpers.data import ROOT, case_files, load_json
from tests.helpers.drift import changed, write_jsonl

CODE_QUALITY = load_json(ROOT / "tests" / "data" / "gitlab-code-quality.schema.json")
EXAMPLES = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "examples").glob("*.jsonl"))]


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the shipped examples by their relative names, as CI checks them out


def code_quality(*args: str) -> tuple[int, list[dict[str, Any]]]:
    run = invoke("validate", "--format", "gitlab", *args)
    report = json.loads(run.stdout)
    jsonschema.validate(report, CODE_QUALITY, cls=jsonschema.Draft202012Validator)
    return run.code, report


# -- GitLab Code Quality -------------------------------------------------------------------------


def test_the_gitlab_schema_written_from_the_documentation_is_itself_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(CODE_QUALITY)
    documented = [
        {
            "description": "'unused' is assigned a value but never used.",
            "check_name": "no-unused-vars",
            "fingerprint": "7815696ecbf1c96e6894b779456d330e",
            "severity": "minor",
            "location": {"path": "lib/index.js", "lines": {"begin": 42}},
        }
    ]
    jsonschema.validate(documented, CODE_QUALITY)  # GitLab's own example passes
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{**documented[0], "severity": "error"}], CODE_QUALITY)


def test_the_code_quality_report_has_one_issue_per_finding_at_its_file_and_line() -> None:
    code, report = code_quality(*EXAMPLES)
    assert code == 1
    json_report = json.loads(invoke("validate", "--format", "json", *EXAMPLES).stdout)
    findings = [finding for result in json_report["results"] for finding in result["findings"]]
    assert len(report) == len(findings)
    first = next(issue for issue in report if issue["location"]["path"] == "examples/broken.jsonl")
    assert first["location"] == {"path": "examples/broken.jsonl", "lines": {"begin": 2}}
    assert first["check_name"] == "qase-contract/wrong-type"
    assert first["severity"] == "major"
    assert first["description"].startswith("case.created /payload/priority: expected object")
    drift = [issue for issue in report if issue["location"]["path"] == "examples/drifted.jsonl"]
    assert {issue["severity"] for issue in drift} == {"minor"}


def test_drift_is_major_under_strict_and_a_finding_outside_the_read_set_is_info(tmp_path: Path) -> None:
    _, strict = code_quality("--strict", "examples/drifted.jsonl")
    assert {issue["severity"] for issue in strict} == {"major"}
    reads = tmp_path / "reads.json"
    reads.write_text(json.dumps({"format": 1, "events": {"run.completed": ["/payload/id"]}}))
    _, judged = code_quality("--reads", str(reads), "examples/drifted.jsonl")
    assert {issue["severity"] for issue in judged} == {"info"}
    assert all(issue["description"].endswith("]") for issue in judged)


def test_fingerprints_are_unique_and_the_same_in_every_run_wherever_it_runs_from() -> None:
    _, first = code_quality(*EXAMPLES)
    _, again = code_quality(*EXAMPLES)
    _, absolute = code_quality(*(str(ROOT / path) for path in EXAMPLES))
    prints = [issue["fingerprint"] for issue in first]
    assert len(set(prints)) == len(prints)
    assert prints == [issue["fingerprint"] for issue in again]
    assert prints == [issue["fingerprint"] for issue in absolute]
    assert all(re.fullmatch("[0-9a-f]{64}", value) for value in prints)


def test_every_case_reports_a_valid_code_quality_document(tmp_path: Path) -> None:
    corpus = tmp_path / "cases.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for path in case_files():
            case = load_json(path)
            line = json.dumps(case["delivery"]) if "delivery" in case else case["body"]
            if "\n" not in line:
                out.write(line + "\n")
    _, report = code_quality(str(corpus))
    assert report
    # A file outside the checkout is named relative to it all the same, as GitLab requires.
    assert {issue["location"]["path"] for issue in report} == {os.path.relpath(corpus)}


def test_a_conforming_corpus_is_an_empty_report_and_standard_input_is_named_stdin() -> None:
    assert code_quality("examples/conforming.jsonl") == (0, [])
    run = invoke("validate", "--format", "gitlab", "-", stdin=b'{"event_name": "run.deleted"}\n')
    report = json.loads(run.stdout)
    assert report
    assert all(issue["location"] == {"path": "stdin", "lines": {"begin": 1}} for issue in report)


def test_a_usage_error_is_a_blocking_issue_in_a_valid_report() -> None:
    code, report = code_quality("no-such-folder")
    assert code == 2
    (issue,) = report
    assert issue["severity"] == "blocker"
    assert "no such file or folder: no-such-folder" in issue["description"]


# -- Markdown ------------------------------------------------------------------------------------


def test_the_markdown_summary_leads_with_the_verdict_then_lists_what_differs() -> None:
    run = invoke("validate", "--format", "markdown", *EXAMPLES)
    assert run.code == 1
    lines = run.stdout.splitlines()
    assert lines[0] == "## Qase webhook contract"
    assert (
        lines[2] == "**Failed**: 19 deliveries: 10 conforming, 4 with drift, 5 with violations, 0 unreadable."
    )
    assert "### Deliveries that differ" in lines
    assert (
        "| `examples/broken.jsonl:6` | `custom_field.created` | violation null-not-allowed "
        "| `/payload/value` | null is not allowed here (expected string) |"
    ) in lines
    assert "| `case.created` | 3 | 1 | 1 | 1 | 0 |" in lines
    assert invoke("validate", "-f", "markdown", "examples/conforming.jsonl").stdout.startswith(
        "## Qase webhook contract\n\n**Passed**: 8 deliveries: 8 conforming"
    )


def test_the_markdown_verdict_follows_strict_as_the_exit_code_does() -> None:
    lenient = invoke("validate", "-f", "markdown", "examples/drifted.jsonl")
    strict = invoke("validate", "-f", "markdown", "--strict", "examples/drifted.jsonl")
    assert (lenient.code, lenient.stdout.splitlines()[2]) == (
        0,
        "**Passed**: 5 deliveries: 1 conforming, 4 with drift, 0 with violations, 0 unreadable.",
    )
    assert (strict.code, strict.stdout.splitlines()[2].split(":")[0]) == (1, "**Failed**")
    assert "Drift fails this run because of `--strict`." in strict.stdout


def test_markdown_from_a_delivery_renders_as_text_in_its_own_cells(tmp_path: Path) -> None:
    forged = {**changed("run.deleted"), "event_name": "run.x| <img src=x> **b** `c`\r\n## FAKE"}
    corpus = write_jsonl(tmp_path / "odd|name.jsonl", [forged, changed("run.deleted", **{"a|<b>": 1})])
    output = invoke("validate", "--format", "markdown", str(corpus)).stdout
    assert not any(line.startswith("## FAKE") for line in output.splitlines())
    html = markdown.markdown(output, extensions=["tables"])
    assert "<img" not in html
    assert html.count("<strong>") == 1  # the verdict's, and none from the delivery
    assert "<b>" not in html
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    assert rows
    assert all(row.count("<td") in (0, 5, 6) for row in rows)  # no cell broken by a pipe


def test_the_markdown_table_stops_at_its_limit_and_counts_the_rest(tmp_path: Path) -> None:
    from qase_contract.reporters._markdown import MAX_ROWS

    corpus = write_jsonl(
        tmp_path / "many.jsonl", [changed("run.deleted", extra=n) for n in range(MAX_ROWS + 3)]
    )
    output = invoke("validate", "--format", "markdown", str(corpus)).stdout
    assert output.count("| drift unknown-field |") == MAX_ROWS
    assert "\n3 more not listed here.\n" in output


def test_a_usage_error_is_said_in_the_summary() -> None:
    run = invoke("validate", "--format", "markdown", "no-such-folder")
    assert run.code == 2
    assert run.stdout == "## Qase webhook contract\n\n**Error**: no such file or folder: no-such-folder\n"
