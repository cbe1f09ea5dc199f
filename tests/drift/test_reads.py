"""drift --reads: the report leads with the changes to read paths; the baseline gate follows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qase_contract.contract import ReadSet
from tests.helpers.drift import changed, every_kind_of_drift, example, run, write_baseline, write_jsonl

#: Reads what the milestone's null title, the approval's new status and the run's missing
#: duration touch; not the milestone's new color, the suite's parent or the custom field.
READS = {
    "milestone.*": ["/payload/title"],
    "review.approval_status_changed": ["/payload/status"],
    "run.completed": ["/payload/duration"],
}


CHANGES = (
    "undocumented_fields",
    "forbidden_nulls",
    "type_changes",
    "unknown_values",
    "missing_required_fields",
)


@pytest.fixture
def reads(tmp_path: Path) -> str:
    path = tmp_path / "reads.json"
    ReadSet.of(READS).write(path)
    return str(path)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "corpus.jsonl", every_kind_of_drift())


def test_json_marks_every_change_and_counts_those_that_affect_the_consumer(corpus: Path, reads: str) -> None:
    code, output, _ = run("drift", "--format", "json", "--reads", reads, str(corpus))
    assert code == 1  # a null title and a missing duration break what the consumer reads
    data = json.loads(output)
    assert data["reads"] == {"file": reads, "affecting_changes": 3}
    marks = {
        (name, key, item["path"]): (item["read_path"], item["affects"])
        for name, event in data["events"].items()
        for key in CHANGES
        for item in event[key]
    }
    assert marks == {
        ("custom_field.created", "undocumented_fields", "/payload/api_token"): (None, False),
        ("milestone.created", "undocumented_fields", "/payload/color"): (None, False),
        ("milestone.created", "forbidden_nulls", "/payload/title"): ("/payload/title", True),
        ("review.approval_status_changed", "unknown_values", "/payload/status"): ("/payload/status", True),
        ("run.completed", "missing_required_fields", "/payload/duration"): ("/payload/duration", True),
        ("suite.created", "type_changes", "/payload/parent_id"): (None, False),
    }


def test_json_without_a_read_set_has_no_reads_part(corpus: Path) -> None:
    data = json.loads(run("drift", "--format", "json", str(corpus))[1])
    assert "reads" not in data
    assert "affects" not in data["events"]["milestone.created"]["forbidden_nulls"][0]


def test_text_leads_with_the_changes_to_what_the_consumer_reads(corpus: Path, reads: str) -> None:
    _, output, _ = run("drift", "--reads", reads, str(corpus))
    lines = output.splitlines()
    assert lines[0].startswith("FAILED (--fail-on breaking): ")  # the verdict, then the headline
    assert lines[3] == f"changes to what you read ({reads}): 3"
    assert lines[4].startswith("  milestone.created forbidden null /payload/title: null in 1 of 3 (33.3%)")
    assert lines[5].startswith('  review.approval_status_changed unknown value /payload/status: "rejected"')
    assert (
        lines[6] == "  run.completed missing field /payload/duration: missing in 1 of 1 (100.0%) (breaking)"
    )
    assert lines[7] == ""  # then the report as without --reads
    assert "  undocumented field /payload/color: in 1 of 3 (33.3%) as string" in output


def test_text_says_so_when_no_change_touches_what_the_consumer_reads(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    ReadSet.of({"plan.*": ["/payload/id"]}).write(path)
    _, output, _ = run("drift", "--reads", str(path), str(corpus))
    assert output.splitlines()[3] == f"no change touches what you read ({path})"


def test_markdown_leads_with_a_table_of_the_changes_to_what_the_consumer_reads(
    corpus: Path, reads: str
) -> None:
    _, output, _ = run("drift", "--format", "markdown", "--reads", reads, str(corpus))
    lines = output.splitlines()
    assert lines[2].startswith("**Failed** (`--fail-on breaking`): ")
    assert lines[6] == f"### Changes to what you read (`{reads}`): 3"
    assert lines[8] == "| event | change | path | detail | first seen |"
    assert lines[10].startswith("| `milestone.created` | forbidden null | `/payload/title` | null in 1 of 3")
    assert lines.index("| event | deliveries | differences |") > 12


def test_the_baseline_gate_fails_only_on_new_shapes_that_touch_what_is_read(
    tmp_path: Path, reads: str
) -> None:
    baseline = write_baseline(tmp_path, [example("milestone.created"), example("suite.created")])
    harmless = write_jsonl(tmp_path / "harmless.jsonl", [changed("milestone.created", color="red")])
    breaking = write_jsonl(tmp_path / "breaking.jsonl", [changed("milestone.created", title=None)])
    assert run("drift", "--baseline", str(baseline), str(harmless))[0] == 1  # without --reads
    code, output, _ = run(
        "drift", "--format", "json", "--baseline", str(baseline), "--reads", reads, str(harmless)
    )
    assert code == 0
    verdict = json.loads(output)["baseline"]
    assert (verdict["passed"], verdict["reads"]) == (True, reads)
    assert [(item["what"], item["path"], item["read_path"]) for item in verdict["new"]] == [
        ("field", "/payload/color", None)
    ]
    code, output, _ = run("drift", "--baseline", str(baseline), "--reads", reads, str(breaking))
    assert code == 1
    assert f"baseline {baseline}: 1 new shape, 1 touches what you read" in output
    assert output.startswith(f"FAILED (--fail-on drift): 1 new shape touching what {reads} reads")
    (new,) = [line for line in output.splitlines() if line.startswith("  new ")]
    assert new.startswith("  new type milestone.created /payload/title: null (breaking) (first ")
    assert new.endswith(") (touches read /payload/title)")


def test_a_new_event_touches_the_read_set_only_when_an_entry_matches_it(tmp_path: Path, reads: str) -> None:
    baseline = write_baseline(tmp_path, [example("suite.created")])
    corpus = write_jsonl(tmp_path / "corpus.jsonl", [example("milestone.created"), example("plan.created")])
    code, output, _ = run(
        "drift", "--format", "json", "--baseline", str(baseline), "--reads", reads, str(corpus)
    )
    assert code == 1
    new = json.loads(output)["baseline"]["new"]
    assert [(item["event"], item["read_path"]) for item in new] == [
        ("milestone.created", "/payload/title"),
        ("plan.created", None),
    ]


def test_the_markdown_baseline_verdict_counts_the_shapes_that_touch_what_is_read(
    tmp_path: Path, reads: str
) -> None:
    baseline = write_baseline(tmp_path, [example("milestone.created")])
    corpus = write_jsonl(tmp_path / "corpus.jsonl", [changed("milestone.created", color="red")])
    _, output, _ = run(
        "drift", "--format", "markdown", "--baseline", str(baseline), "--reads", reads, str(corpus)
    )
    assert f"### Baseline `{baseline}`: 1 new shape, 0 touch what you read" in output
    assert "**Passed** (`--fail-on drift`): the corpus shows nothing the baseline" in output


def test_an_unusable_read_set_is_a_usage_error(corpus: Path, tmp_path: Path) -> None:
    code, output, errors = run(
        "drift", "--format", "json", "--reads", str(tmp_path / "nope.json"), str(corpus)
    )
    assert code == 2
    assert "--reads: " in json.loads(output)["error"]["message"]
    assert "no such read-set file" in errors


def test_without_a_baseline_only_breaking_changes_to_read_paths_fail_the_run(tmp_path: Path) -> None:
    corpus = write_jsonl(
        tmp_path / "corpus.jsonl",
        [changed("suite.created", parent_id="root"), changed("milestone.created", color="red")],
    )
    assert run("drift", str(corpus))[0] == 1  # a breaking type change, without --reads
    elsewhere = tmp_path / "elsewhere.json"
    ReadSet.of({"run.completed": ["/payload/id"]}).write(elsewhere)
    code, output, _ = run("drift", "--reads", str(elsewhere), str(corpus))
    assert code == 0, output
    assert output.startswith(f"PASSED (--fail-on breaking): no change touches what {elsewhere} reads")
    code, output, _ = run("drift", "--reads", str(elsewhere), "--fail-on", "drift", str(corpus))
    assert code == 0, output  # the additive drift touches nothing it reads either
