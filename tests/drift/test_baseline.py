"""Baselines for CI: a clean corpus passes its own; a new shape exits 1; unseen entries warn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.data import ROOT
from tests.helpers.drift import (
    MILESTONE_CREATED_SHAPE,
    changed,
    check_baseline,
    example,
    run,
    write_baseline,
    write_jsonl,
)

CONFORMING = ROOT / "examples" / "conforming.jsonl"


@pytest.fixture
def baseline(tmp_path: Path) -> Path:
    """The baseline of a small corpus: two milestones, a case and a custom field."""
    return write_baseline(
        tmp_path, [example("milestone.created"), example("case.created"), example("custom_field.created")]
    )


def test_a_clean_corpus_passes_its_own_baseline(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    assert run("drift", "--write-baseline", str(target), str(CONFORMING))[0] == 0
    code, output, _ = run("drift", "--baseline", str(target), str(CONFORMING))
    assert code == 0
    assert output.startswith(
        f"PASSED (--fail-on drift): the corpus shows nothing the baseline {target} lacks\n"
    )
    assert f"\nbaseline {target}: nothing new\n" in output


def test_the_baseline_stores_paths_types_and_closed_set_values_only(baseline: Path) -> None:
    data = json.loads(baseline.read_text(encoding="utf-8"))
    assert data["format"] == "qase-contract drift baseline"
    assert data["version"] == 1
    assert data["events"]["milestone.created"] == MILESTONE_CREATED_SHAPE
    case = data["events"]["case.created"]
    assert case["/payload/automation/id"] == {"types": ["integer"], "values": [1]}
    assert case["/payload/custom_fields/*/type"] == {"types": ["string"], "values": ["number"]}
    assert case["/payload/steps/*/action"] == {"types": ["string"]}
    text = baseline.read_text(encoding="utf-8")
    for free_text in ("Example test case", "Description test case", "simple action", "example"):
        assert f'"{free_text}"' not in text


@pytest.mark.parametrize(
    ("record", "new"),
    [
        (
            changed("milestone.created", color="red"),
            {"event": "milestone.created", "path": "/payload/color", "what": "field", "detail": ["string"]}
            | {"breaking": False},
        ),
        (
            changed("milestone.created", id="70673"),
            {"event": "milestone.created", "path": "/payload/id", "what": "type", "detail": "string"}
            | {"breaking": True},
        ),
        (
            changed("custom_field.created", type="formula"),
            {"event": "custom_field.created", "path": "/payload/type", "what": "value", "detail": "formula"}
            | {"breaking": False},
        ),
        (
            example("suite.created"),
            {"event": "suite.created", "path": "", "what": "event", "detail": 1, "breaking": False},
        ),
    ],
    ids=["new-field", "new-type", "new-value", "new-event"],
)
def test_a_shape_the_baseline_lacks_exits_1(
    tmp_path: Path, baseline: Path, record: dict[str, Any], new: dict[str, Any]
) -> None:
    code, result = check_baseline(tmp_path, baseline, [example("milestone.created"), record])
    assert code == 1
    assert result["passed"] is False
    assert result["new"] == [{**new, "first_location": f"{tmp_path / 'after.jsonl'}:2"}]


def test_only_the_top_of_a_new_object_is_listed(tmp_path: Path, baseline: Path) -> None:
    code, result = check_baseline(
        tmp_path, baseline, [changed("milestone.created", owner={"id": 1, "name": "Ann"})]
    )
    assert code == 1
    assert [(item["path"], item["detail"]) for item in result["new"]] == [("/payload/owner", ["object"])]


def test_baseline_entries_the_corpus_never_showed_are_warnings(tmp_path: Path, baseline: Path) -> None:
    code, result = check_baseline(tmp_path, baseline, [changed("milestone.created", description=...)])
    assert code == 0
    assert result == {
        "file": str(baseline),
        "passed": True,
        "new": [],
        "unseen": [
            {"event": "milestone.created", "path": "/payload/description", "what": "field", "detail": None},
            {"event": "case.created", "path": "", "what": "event", "detail": None},
            {"event": "custom_field.created", "path": "", "what": "event", "detail": None},
        ],
    }
    text = run("drift", "--baseline", str(baseline), str(tmp_path / "after.jsonl"))[1]
    assert "  warning: milestone.created /payload/description: field never seen" in text.splitlines()


def test_the_markdown_report_shows_the_baseline_verdict(tmp_path: Path, baseline: Path) -> None:
    corpus = write_jsonl(tmp_path / "after.jsonl", [changed("milestone.created", color="red")])
    code, output, _ = run("drift", "--format", "markdown", "--baseline", str(baseline), str(corpus))
    assert code == 1
    escaped = str(corpus).replace("_", "\\_")  # plain cells escape Markdown: "_" is no emphasis
    # The verdict, then the new shapes, come first: a job summary is read from the top.
    plain = str(baseline).replace("_", "\\_")
    assert output.startswith(
        "## Qase webhook drift\n\n"
        f"**Failed** (`--fail-on drift`): 1 new shape the baseline {plain} lacks"
        "\n\n1 delivery, 1 event (1 differs from the contract, 0 unknown), 0 records skipped, "
        "39 catalogued events never seen.\n\n"
        f"### Baseline `{baseline}`: 1 new shape\n\n"
        "| new | event | path | detail |\n"
        "|---|---|---|---|\n"
        f"| new field | `milestone.created` | `/payload/color` | as string (first {escaped}:1) |\n"
    )
    assert "<details><summary>2 baseline entries not seen (warnings)</summary>" in output


def test_checking_and_rewriting_a_baseline_in_one_run_checks_the_old_one(
    tmp_path: Path, baseline: Path
) -> None:
    corpus = write_jsonl(tmp_path / "after.jsonl", [changed("milestone.created", color="red")])
    assert run("drift", "--baseline", str(baseline), "--write-baseline", str(baseline), str(corpus))[0] == 1
    assert run("drift", "--baseline", str(baseline), str(corpus))[0] == 0


def test_a_baseline_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    target = tmp_path / "baseline.json"
    os.mkfifo(target)
    code, _, errors = run("drift", "--baseline", str(target), str(CONFORMING))
    assert code == 2
    assert f"--baseline: {target}: not a regular file" in errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such baseline file (write one with --write-baseline)"),
        ("{", "the baseline is not valid JSON"),
        ("[" * 5000 + "]" * 5000, "the baseline is not valid JSON: depth limit exceeded"),
        (
            '{"format": "something else"}',
            'not a drift baseline (expected "format": "qase-contract drift baseline")',
        ),
        ('{"format": "qase-contract drift baseline", "version": 9, "events": {}}', "baseline version 9"),
        (
            '{"format": "qase-contract drift baseline", "version": true, "events": {}}',
            "baseline version True",
        ),
        (
            '{"format": "qase-contract drift baseline", "version": 1, "events": []}',
            "/events must be an object",
        ),
        (
            '{"format": "qase-contract drift baseline", "version": 1, '
            '"events": {"a.b": {"/x": {"types": ["text"]}}}}',
            "/events/a.b/~1x/types must be a list of JSON type names, got ['text']",
        ),
    ],
    ids=[
        "missing",
        "not-json",
        "too-deep",
        "not-a-baseline",
        "version",
        "version-true",
        "events-not-object",
        "bad-types",
    ],
)
def test_an_unusable_baseline_is_a_usage_error_naming_the_place(
    tmp_path: Path, content: str | None, message: str
) -> None:
    target = tmp_path / "baseline.json"
    if content is not None:
        target.write_text(content, encoding="utf-8")
    code, output, errors = run("drift", "--baseline", str(target), str(CONFORMING))
    assert code == 2
    assert output == ""
    assert f"--baseline: {target}: " in errors
    assert message in errors


@pytest.mark.parametrize(
    ("record", "code"),
    [(changed("milestone.created", color="red"), 0), (changed("milestone.created", id="70673"), 1)],
    ids=["additive-new-field-passes", "breaking-new-type-fails"],
)
def test_with_fail_on_breaking_only_a_breaking_new_shape_fails_the_baseline(
    tmp_path: Path, baseline: Path, record: dict[str, Any], code: int
) -> None:
    corpus = write_jsonl(tmp_path / "after.jsonl", [record])
    run_code, output, _ = run("drift", "--fail-on", "breaking", "--baseline", str(baseline), str(corpus))
    assert run_code == code
    expected = (
        f"PASSED (--fail-on breaking): no breaking new shape; 1 new shape the baseline {baseline} lacks"
        if code == 0
        else f"FAILED (--fail-on breaking): 1 new shape the baseline {baseline} lacks (1 breaking)"
    )
    assert output.splitlines()[0] == expected
    assert run("drift", "--fail-on", "never", "--baseline", str(baseline), str(corpus))[0] == 0


def test_a_type_first_seen_in_an_array_where_the_contract_has_a_map_is_placed_not_a_crash(
    tmp_path: Path,
) -> None:
    """A plan's cases are a map of case ids; as an array they share the map's wildcard path
    (/payload/cases/*), and a type only the array's items had was looked for in the map's node."""
    before = write_baseline(tmp_path, [example("plan.created")])
    code, result = check_baseline(
        tmp_path, before, [example("plan.created"), changed("plan.created", cases=["first"])]
    )
    assert code == 1
    after = f"{tmp_path / 'after.jsonl'}:2"
    assert [
        (item["path"], item["what"], item["detail"], item["first_location"]) for item in result["new"]
    ] == [
        ("/payload/cases", "type", "array", after),
        ("/payload/cases/*", "type", "string", after),
    ]
    assert result["new"][0]["breaking"] is True
