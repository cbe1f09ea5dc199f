"""Suggested overlays: after applying them the drifted corpus validates with no drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qase_contract import SchemaSet, Validator
from qase_contract.sources._paths import read_paths
from tests.helpers.data import ROOT
from tests.helpers.drift import changed, every_kind_of_drift, example, run, write_jsonl

EXAMPLES = ROOT / "examples"
DRIFTED = EXAMPLES / "drifted.jsonl"


def findings_with(overlay: Path, corpus: Path) -> list[str]:
    validator = Validator(schemas=overlay)
    found = []
    for delivery in read_paths([corpus]):
        result = validator.validate(delivery.body)
        found.extend(f"{delivery.location} {finding.code} {finding.path}" for finding in result.findings)
    return found


def test_the_suggested_overlay_adopts_every_change_of_the_drifted_examples(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    corpus = EXAMPLES / "drifted.jsonl"
    code, _, errors = run("drift", "--suggest", str(overlay), str(corpus))
    assert code == 0
    assert f"suggest: wrote 5 schema files to {overlay} (use --schemas {overlay})" in errors
    assert findings_with(overlay, corpus) == []
    code, output, _ = run("drift", "--format", "json", "--schemas", str(overlay), str(corpus))
    report = json.loads(output)
    assert report["summary"]["events_differing"] == 0
    assert report["events"]["result.created"]["known"] is True


def test_only_additive_changes_are_adopted_and_each_breaking_one_is_listed_with_its_reason(
    tmp_path: Path,
) -> None:
    overlay = tmp_path / "overlay"
    corpus = write_jsonl(tmp_path / "captured.jsonl", every_kind_of_drift())
    code, _, errors = run("drift", "--suggest", str(overlay), str(corpus))
    assert code == 1  # the corpus breaks the contract
    reason = "(breaking: deliveries like these fail validate; --adopt-breaking adopts it)"
    assert errors.splitlines()[1:] == [
        "  adopted: custom_field.created /payload/api_token: new field declared in "
        "events/custom_field/created.schema.json#/$defs/payload",
        "  adopted: milestone.created /payload/color: new field declared in "
        "events/milestone/created.schema.json#/$defs/payload",
        "  adopted: result.created: new event in events/result/created.schema.json",
        "  adopted: review.approval_status_changed /payload/status: "
        'values "rejected" added to the closed set',
        f"  not adopted: milestone.created /payload/title: null where the contract forbids it {reason}",
        f"  not adopted: run.completed /payload/duration: a required field missing in 1 of 1 {reason}",
        "  not adopted: suite.created /payload/parent_id: string where the contract allows integer or null "
        + reason,
    ]
    # The breaking changes are still reported by validate with the suggested overlay.
    assert [line.split(" ", 1)[1] for line in findings_with(overlay, corpus)] == [
        "null-not-allowed /payload/title",
        "wrong-type /payload/parent_id",
        "missing-field /payload/duration",
        "unparsable ",
    ]


def test_each_kind_of_change_is_adopted_where_it_is_declared_with_adopt_breaking(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    corpus = write_jsonl(tmp_path / "captured.jsonl", every_kind_of_drift())
    code, _, errors = run("drift", "--suggest", str(overlay), "--adopt-breaking", str(corpus))
    assert code == 1
    assert sorted(path.relative_to(overlay).as_posix() for path in overlay.rglob("*.json")) == [
        "events/custom_field/created.schema.json",
        "events/milestone/created.schema.json",
        "events/result/created.schema.json",
        "events/review/approval_status_changed.schema.json",
        "events/run/completed.schema.json",
        "events/suite/created.schema.json",
    ]
    for line in (
        "  adopted: custom_field.created /payload/api_token: new field declared in "
        "events/custom_field/created.schema.json#/$defs/payload",
        "  adopted: milestone.created /payload/color: new field declared in "
        "events/milestone/created.schema.json#/$defs/payload",
        "  adopted: milestone.created /payload/title: null allowed (breaking)",
        "  adopted: result.created: new event in events/result/created.schema.json",
        "  adopted: review.approval_status_changed /payload/status: "
        'values "rejected" added to the closed set',
        "  adopted: suite.created /payload/parent_id: type widened with string (breaking)",
        "  adopted: run.completed /payload/duration: made optional in "
        "events/run/completed.schema.json#/$defs/payload (breaking)",
    ):
        assert line in errors.splitlines()
    # What it could not adopt is all that is left.
    assert [line.split(" ", 1)[1] for line in findings_with(overlay, corpus)] == ["unparsable "]
    suite = json.loads((overlay / "events/suite/created.schema.json").read_text(encoding="utf-8"))
    assert suite["$defs"]["payload"]["properties"]["parent_id"]["anyOf"][1] == {"type": "string"}


def test_adopt_breaking_goes_with_suggest(tmp_path: Path) -> None:
    code, _, errors = run("drift", "--adopt-breaking", str(DRIFTED))
    assert code == 2
    assert "--adopt-breaking goes with --suggest DIR" in errors


def test_a_new_object_field_and_a_new_container_type_carry_their_observed_shape(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    corpus = write_jsonl(
        tmp_path / "captured.jsonl",
        [
            changed("case.created", tags=[{"id": 1, "title": "smoke"}], priority="high"),
            changed("plan.created", cases=[1033]),
        ],
    )
    assert run("drift", "--suggest", str(overlay), "--adopt-breaking", str(corpus))[0] == 1
    assert findings_with(overlay, corpus) == []
    case = json.loads((overlay / "events/case/created.schema.json").read_text(encoding="utf-8"))
    assert case["$defs"]["payload"]["properties"]["tags"] == {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "title": {"type": "string"}},
            "required": ["id", "title"],
            "additionalProperties": False,
        },
    }
    defs = json.loads((overlay / "common/defs.schema.json").read_text(encoding="utf-8"))
    assert defs["$defs"]["testCase"]["properties"]["priority"]["anyOf"][1] == {"type": "string"}
    assert "anyOf" not in defs["$defs"]["planCases"]  # widened where plan.created uses it, not for all plans
    plan = json.loads((overlay / "events/plan/created.schema.json").read_text(encoding="utf-8"))
    assert plan["$defs"]["payload"]["properties"]["cases"]["anyOf"][1] == {
        "type": "array",
        "items": {"type": "integer"},
    }


def test_suggesting_on_top_of_an_overlay_keeps_it_and_adds_to_it(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    corpus = write_jsonl(
        tmp_path / "one.jsonl", [example("milestone.created"), changed("milestone.created", a=1)]
    )
    assert run("drift", "--suggest", str(first), str(corpus))[0] == 0
    more = write_jsonl(tmp_path / "two.jsonl", [changed("milestone.created", a=1, b="x")])
    assert run("drift", "--schemas", str(first), "--suggest", str(second), str(more))[0] == 0
    assert findings_with(second, corpus) == []
    assert findings_with(second, more) == []
    assert SchemaSet.builtin().with_overlay(second).schema_id_for("milestone.created")


def test_a_corpus_without_drift_writes_nothing(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    code, _, errors = run("drift", "--suggest", str(overlay), str(EXAMPLES / "conforming.jsonl"))
    assert code == 0
    assert f"suggest: nothing to adopt; {overlay} left unchanged" in errors
    assert not overlay.exists()


def test_an_overlay_whose_id_leads_outside_the_folder_is_not_written_there(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    escaping = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://qase-contract.invalid/schemas/events/../../../escaped.schema.json",
        "type": "object",
    }
    (overlay / "a.schema.json").write_text(json.dumps(escaping), encoding="utf-8")
    folder = tmp_path / "deep" / "suggested"
    code, _, errors = run("drift", "--schemas", str(overlay), "--suggest", str(folder), str(DRIFTED))
    assert code == 0
    assert "its path leads outside" in errors
    assert not list(tmp_path.rglob("escaped.schema.json"))


@pytest.mark.parametrize("name", [".hidden", "...", "x." + "y" * 200, "run.\u001b[2Jred"])
def test_an_event_name_that_makes_no_file_name_is_listed_not_written(tmp_path: Path, name: str) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [{**example("run.deleted"), "event_name": name}])
    folder = tmp_path / "suggested"
    code, _, errors = run("drift", "--suggest", str(folder), str(corpus))
    assert code == 0
    assert "\u001b" not in errors
    written = (
        sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.json"))
        if folder.exists()
        else []
    )
    assert all(part[:1] not in (".", "") for path in written for part in path.split("/"))
    if written:
        assert run("validate", "--schemas", str(folder), str(corpus))[0] == 0
    else:
        assert "makes no file name" in errors
