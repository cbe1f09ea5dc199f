"""``qase-contract drift``: what it reads, exit codes, and usage errors with clear messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.data import ROOT
from tests.helpers.drift import run

EXAMPLES = ROOT / "examples"


def test_it_reads_what_validate_reads_folders_included() -> None:
    code, output, _ = run("drift", "--format", "json", str(EXAMPLES))
    report = json.loads(output)
    assert code == 1  # broken.jsonl breaks the contract
    assert report["deliveries"] == 19
    assert report["summary"] == {
        "events_seen": 11,
        "events_differing": 6,
        "unknown_events": 1,
        "unseen_events": 30,
        "skipped_records": 2,
    }


def test_standard_input_is_read_with_a_dash() -> None:
    from click.testing import CliRunner

    from qase_contract.cli import main

    dump = (EXAMPLES / "drifted.jsonl").read_bytes()
    result = CliRunner().invoke(main, ["drift", "--format", "json", "-"], input=dump)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["deliveries"] == 5


def test_a_json_array_gives_each_delivery_its_index(tmp_path: Path) -> None:
    good = json.loads((ROOT / "schemas/examples/run.deleted/canonical.json").read_text(encoding="utf-8"))
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps([good, {**good, "extra": 1}]), encoding="utf-8")
    report = json.loads(run("drift", "--format", "json", str(dump))[1])
    assert report["events"]["run.deleted"]["undocumented_fields"][0]["first_location"] == f"{dump}[1]"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does-not-exist.jsonl"], "no such file or folder: does-not-exist.jsonl"),
        (["--format", "yaml", str(EXAMPLES)], "'yaml' is not one of 'html', 'json', 'markdown', 'text'"),
        ([], "Missing argument 'PATHS...'"),
        (
            ["--schemas", "no-such-folder", str(EXAMPLES)],
            "--schemas: no-such-folder: schema overlay folder not found",
        ),
    ],
    ids=["missing-path", "bad-format", "no-path", "bad-overlay"],
)
def test_usage_errors_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    code, output, errors = run("drift", *args)
    assert code == 2
    assert output == ""
    assert message in errors


def test_an_unwritable_output_exits_2_naming_it(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "report.md"
    code, _, errors = run("drift", "--output", str(target), str(EXAMPLES))
    assert code == 2
    assert f"--output {target}: cannot write there: No such file or directory" in errors


def test_a_suggest_folder_that_is_a_file_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("", encoding="utf-8")
    code, _, errors = run("drift", "--suggest", str(target), str(EXAMPLES))
    assert code == 2
    assert "is a file" in errors


def test_the_installed_command_runs_as_a_module() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "qase_contract",
            "drift",
            "--format",
            "markdown",
            str(EXAMPLES / "drifted.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr  # additive drift only
    assert done.stdout.startswith(
        "## Qase webhook drift\n\n**Passed** (`--fail-on breaking`): no breaking change; 4 events "
        "(case.created, result.created, review.approval\\_status\\_changed and 1 more) with additive drift "
        "only\n\n5 deliveries, 5 events (4 differ from the contract"
    )


def test_a_usage_error_in_json_format_is_still_a_json_document() -> None:
    code, output, errors = run("drift", "--format", "json", "does-not-exist.jsonl")
    assert code == 2
    assert json.loads(output) == {"error": {"message": "no such file or folder: does-not-exist.jsonl"}}
    assert "does-not-exist.jsonl" in errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["-f", "json"], "Missing argument 'PATHS...'.", id="no-path"),
        pytest.param(["--format=json", "--zzz", "x"], "No such option '--zzz'.", id="unknown-option"),
    ],
)
def test_a_command_line_error_in_json_format_is_still_a_json_document(args: list[str], message: str) -> None:
    code, output, errors = run("drift", *args)
    assert code == 2
    assert json.loads(output) == {"error": {"message": message}}
    assert message in errors


def test_a_corpus_that_could_not_be_read_fails_even_its_own_baseline(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert run("drift", "--write-baseline", str(baseline), str(EXAMPLES))[0] == 1  # written all the same
    assert baseline.is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, errors = run("drift", "--baseline", str(baseline), str(empty))
    assert code == 1
    assert "1 record could not be read" in errors
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("not json\nnor this\n", encoding="utf-8")
    code, _, errors = run("drift", "--baseline", str(baseline), str(garbage))
    assert code == 1
    assert "no delivery in the corpus could be profiled" in errors


@pytest.mark.parametrize("format_", ["json", "text", "markdown"])
def test_a_usage_error_replaces_the_old_report_in_the_output_file(tmp_path: Path, format_: str) -> None:
    report = tmp_path / "report"
    assert run("drift", "-f", format_, "-o", str(report), "--fail-on", "never", str(EXAMPLES))[0] == 0
    for bad in (["--bogus"], ["missing-path"]):
        code, output, _ = run("drift", "-f", format_, "-o", str(report), *bad, str(EXAMPLES))
        assert code == 2
        assert output == ""
        written = report.read_text(encoding="utf-8")
        assert "deliveries" not in written
        assert ("--bogus" if bad == ["--bogus"] else "missing-path") in written


@pytest.mark.parametrize(
    ("fail_on", "corpus", "code", "verdict"),
    [
        (
            None,
            "broken.jsonl",
            1,
            "FAILED (--fail-on breaking): 4 breaking changes in 3 events (case.created, "
            "custom_field.created, plan.updated); 2 records with no event to profile (see skipped)",
        ),
        (
            None,
            "drifted.jsonl",
            0,
            "PASSED (--fail-on breaking): no breaking change; 4 events (case.created, result.created, "
            "review.approval_status_changed and 1 more) with additive drift only",
        ),
        (
            "drift",
            "drifted.jsonl",
            1,
            "FAILED (--fail-on drift): 4 events (case.created, result.created, "
            "review.approval_status_changed and 1 more) with additive drift only",
        ),
        ("drift", "conforming.jsonl", 0, "PASSED (--fail-on drift): the corpus matches the contract"),
        (
            "never",
            "broken.jsonl",
            0,
            "PASSED (--fail-on never): 4 breaking changes in 3 events (case.created, custom_field.created, "
            "plan.updated); 2 records with no event to profile (see skipped)",
        ),
    ],
)
def test_fail_on_decides_the_exit_code_and_the_verdict_leads_the_report(
    fail_on: str | None, corpus: str, code: int, verdict: str
) -> None:
    options = [] if fail_on is None else ["--fail-on", fail_on]
    run_code, output, _ = run("drift", *options, str(EXAMPLES / corpus))
    assert run_code == code
    assert output.splitlines()[0] == verdict
    data = json.loads(run("drift", "-f", "json", *options, str(EXAMPLES / corpus))[1])
    assert data["verdict"] == {
        "passed": code == 0,
        "fail_on": fail_on or "breaking",
        "reason": verdict.split(": ", 1)[1],
    }


def test_a_corpus_that_could_not_be_read_fails_whatever_fail_on_says(tmp_path: Path) -> None:
    code, output, _ = run("drift", "--fail-on", "never", str(tmp_path))
    assert code == 1
    assert output.splitlines()[:2] == [
        f"FAILED (--fail-on never): 1 record could not be read (first {tmp_path}: no dump files "
        "(.har, .json, .jsonl, .ndjson) in this folder)",
        "no delivery profiled: 1 record skipped",
    ]
    assert "never seen" not in output


@pytest.mark.parametrize("format_", ["text", "markdown", "json"])
def test_with_an_output_file_the_verdict_still_reaches_standard_error(tmp_path: Path, format_: str) -> None:
    target = tmp_path / "report"
    code, output, errors = run("drift", "-f", format_, "-o", str(target), str(EXAMPLES / "broken.jsonl"))
    assert code == 1
    assert output == ""
    assert errors == (
        "FAILED (--fail-on breaking): 4 breaking changes in 3 events (case.created, custom_field.created, "
        f"plan.updated); 2 records with no event to profile (see skipped) (report in {target})\n"
    )


def test_events_as_documented_are_counted_in_one_line_and_listed_with_verbose() -> None:
    output = run("drift", str(EXAMPLES / "conforming.jsonl"))[1]
    assert "as documented (-v lists them)" in output
    assert "run.started: 1 delivery" not in output
    for option in ("-v", "--all"):
        listed = run("drift", option, str(EXAMPLES / "conforming.jsonl"))[1]
        assert "\nrun.started: 1 delivery (events/run/started.schema.json), as documented\n" in listed
        assert "(-v lists them)" not in listed
