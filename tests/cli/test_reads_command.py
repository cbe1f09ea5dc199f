"""qase-contract reads check | show | schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qase_contract.contract import ReadSet
from qase_contract.contract._reads import READSET_SCHEMA
from tests.helpers.cli import invoke
from tests.helpers.data import ROOT
from tests.helpers.overlays import RESULT_CREATED, write_schema


def write(tmp_path: Path, events: dict[str, list[str]]) -> str:
    path = tmp_path / "reads.json"
    ReadSet.of(events).write(path)
    return str(path)


def test_check_passes_a_read_set_with_only_risks_and_lists_them(tmp_path: Path) -> None:
    reads = write(
        tmp_path, {"run.started": ["/payload/id", "/payload/plan/title"], "case.created": ["/payload/id"]}
    )
    run = invoke("reads", "check", reads)
    assert run.code == 0
    assert run.stdout.splitlines() == [
        f"{reads}: 0 errors, 1 warning, 0 notes",
        "warning  run.started: /payload/plan/title is absent when /payload/plan is null: "
        '"Plan the run was created from, or null."',
    ]


def test_check_fails_on_a_misspelt_path_and_an_event_that_does_not_exist(tmp_path: Path) -> None:
    reads = write(
        tmp_path,
        {
            "review.approval_status_changed": ["/payload/statuss"],
            "run.finished": [],
            "case.*": ["/payload/title"],
        },
    )
    run = invoke("reads", "check", reads)
    assert run.code == 1
    assert run.stdout.splitlines() == [
        f"{reads}: 2 errors, 1 warning, 0 notes",
        'warning  case.*: /payload/title can be absent (not required): "Case title."  '
        "[case.cloned, case.deleted, case.updated]",
        "error    review.approval_status_changed: /payload/statuss: no such field in "
        "review.approval_status_changed; did you mean /payload/status?",
        "error    run.finished: event 'run.finished' matches no event of the contract; "
        "did you mean run.started?",
    ]


def test_check_in_json_has_a_stable_document(tmp_path: Path) -> None:
    reads = write(tmp_path, {"case.updated": ["/payload/automation/id"], "run.completed": ["/payload/passd"]})
    run = invoke("reads", "check", "--format", "json", reads)
    assert run.code == 1
    report = json.loads(run.stdout)
    assert {key: report[key] for key in ("format", "file", "ok", "errors", "warnings", "notes")} == {
        "format": 1,
        "file": reads,
        "ok": False,
        "errors": 1,
        "warnings": 1,
        "notes": 1,
    }
    assert report["items"][1] == {
        "level": "note",
        "entry": "case.updated",
        "path": "/payload/automation/id",
        "events": ["case.updated"],
        "message": "/payload/automation/id is one of a closed set (0, 1, 2): a value Qase adds arrives as "
        "unknown-value drift, which affects you",
    }
    assert report["items"][2]["message"] == (
        "/payload/passd: no such field in run.completed; did you mean /payload/passed, /payload/cases?"
    )


def test_check_knows_the_events_an_overlay_adds(tmp_path: Path) -> None:
    overlay = write_schema(tmp_path / "overlay", "events/result/created.schema.json", RESULT_CREATED)
    reads = write(tmp_path, {"result.created": ["/payload/id"]})
    assert invoke("reads", "check", reads).code == 1
    assert invoke("reads", "check", "--schemas", str(overlay), reads).code == 0


@pytest.mark.parametrize("command", ["check", "show"])
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(None, "no such read-set file", id="missing"),
        pytest.param("[]", "a read-set is a JSON object, got array", id="not-a-read-set"),
    ],
)
def test_an_unusable_file_is_a_usage_error(
    tmp_path: Path, command: str, content: str | None, reason: str
) -> None:
    path = tmp_path / "reads.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    run = invoke("reads", command, str(path))
    assert run.code == 2
    assert run.stdout == ""
    assert f"Error: {path}: {reason}" in run.stderr


def test_a_usage_error_of_check_in_json_is_still_a_json_document(tmp_path: Path) -> None:
    run = invoke("reads", "check", "--format", "json", str(tmp_path / "missing.json"))
    assert run.code == 2
    assert "no such read-set file" in json.loads(run.stdout)["error"]["message"]


def test_show_lists_each_read_event_with_its_fields_read_and_risky_paths(tmp_path: Path) -> None:
    reads = write(tmp_path, {"run.started": ["/payload/id", "/payload/plan/id", "/payload/nope"]})
    run = invoke("reads", "show", reads)
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == f"{reads} reads 1 of 40 events: 2 of their 11 documented fields, 1 risky read path"
    assert lines[2] == "run.started: 2 of 11 documented fields read (entries: run.started)"
    assert "  read  /payload/id           integer" in lines
    assert "        /payload/title        string" in lines
    assert (
        "  risky /payload/plan/id: /payload/plan/id is absent when /payload/plan is null: "
        '"Plan the run was created from, or null."'
    ) in lines
    assert "  not in the contract: /payload/nope" in lines
    assert lines[-1].startswith("events not read (39): case.cloned, case.created, ")


def test_show_in_markdown_has_a_table_per_event(tmp_path: Path) -> None:
    reads = write(tmp_path, {"case.*": ["/payload/automation/id"]})
    run = invoke("reads", "show", "--format", "markdown", reads)
    lines = run.stdout.splitlines()
    assert lines[0] == f"## Read-set `{reads}`"
    assert "| `case.created` | 1 of 38 | 1 |" in lines
    assert "### `case.created`" in lines
    assert "| `/payload/automation/id` | integer | yes |" in lines
    assert "| `/payload/automation/title` | string |  |" in lines
    assert any(line.startswith("- /payload/automation/id is one of a closed set (0, 1, 2)") for line in lines)
    assert "<details><summary>Events not read (36)</summary>" in lines


def test_schema_prints_the_json_schema_of_the_file_format() -> None:
    run = invoke("reads", "schema")
    assert run.code == 0
    assert run.stdout == READSET_SCHEMA.read_text(encoding="utf-8")
    assert json.loads(run.stdout)["title"] == "qase-contract read-set"


def test_the_reads_group_is_listed_in_the_help() -> None:
    run = invoke("--help")
    assert "  reads  " in run.stdout
    sub = invoke("reads", "--help")
    assert {"check", "show", "schema"} <= {line.split()[0] for line in sub.stdout.splitlines()[-3:]}


def test_the_manual_shows_the_check_of_a_misspelt_read_set_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manual = (ROOT / "docs" / "read-sets.md").read_text(encoding="utf-8")
    content = manual.split("With `typo.json` holding\n  `", 1)[1].split("`", 1)[0]
    shown = manual.split("$ qase-contract reads check typo.json\n", 1)[1].split("```", 1)[0]
    (tmp_path / "typo.json").write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = invoke("reads", "check", "typo.json")
    assert run.code == 1
    assert run.stdout.splitlines() == [line.strip() for line in shown.splitlines() if line.strip()]
