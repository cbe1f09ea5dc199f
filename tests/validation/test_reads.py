"""Findings judged by a consumer's read-set: the rule, the verdict, the cases, the workers."""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest

from qase_contract import Validator
from qase_contract.contract import ReadSet
from qase_contract.findings import Finding, Result, affects_consumer, make_finding
from qase_contract.sources._paths import read_paths
from qase_contract.validation import _parallel as parallel
from qase_contract.validation._batch import Tally, check
from tests.helpers.data import READ_CASES, ROOT, case_input, load_json

EXAMPLES = ROOT / "examples"


@pytest.mark.parametrize(
    ("kind", "code", "read_path", "strict", "affects"),
    [
        pytest.param("violation", "wrong-type", "/payload/id", False, True, id="violation-at-a-read-path"),
        pytest.param("violation", "wrong-type", None, False, False, id="violation-elsewhere"),
        pytest.param("drift", "unknown-value", "/payload/status", False, True, id="new-value-at-a-read-path"),
        pytest.param("drift", "unknown-value", None, True, False, id="new-value-elsewhere-strict"),
        pytest.param("drift", "unknown-field", "/payload/plan", False, False, id="new-field-lenient"),
        pytest.param("drift", "unknown-field", "/payload/plan", True, True, id="new-field-strict"),
        pytest.param("drift", "unknown-event", "/event_name", True, True, id="new-event-strict"),
    ],
)
def test_the_rule_of_what_affects_a_consumer(
    kind: Any, code: str, read_path: str | None, strict: bool, affects: bool
) -> None:
    assert affects_consumer(kind, code, read_path, strict) is affects


def _case_files() -> list[Path]:
    return sorted(READ_CASES.glob("*.json"))


@pytest.mark.parametrize("path", _case_files(), ids=lambda path: path.stem)
def test_a_case_gets_exactly_its_expected_affects_and_verdict(path: Path) -> None:
    case = load_json(path)
    validator = Validator(strict=case["strict"], reads=ReadSet.of(case["reads"]))
    result = validator.validate(case_input(case))
    actual = [
        {"kind": f.kind, "code": f.code, "path": f.path, "read_path": f.read_path, "affects": f.affects}
        for f in result.findings
    ]
    assert actual == case["findings"], case["description"]
    assert result.ok is case["ok"], case["description"]


def test_the_cases_cover_each_way_a_finding_touches_a_read_path() -> None:
    findings = [finding for path in _case_files() for finding in load_json(path)["findings"]]
    touched = {(f["kind"], f["affects"], f["read_path"] is not None) for f in findings}
    assert touched == {
        ("violation", True, True),
        ("violation", False, False),
        ("drift", True, True),
        ("drift", False, True),
        ("drift", False, False),
    }
    assert len(_case_files()) >= 12


def test_without_a_read_set_findings_say_nothing_of_reads() -> None:
    result = Validator().validate(EXAMPLES.joinpath("broken.jsonl").read_bytes().splitlines()[1])
    assert result.findings
    assert {(f.read_path, f.affects) for f in result.findings} == {(None, None)}
    assert not result.judged_by_reads


def test_changing_strictness_judges_drift_at_a_read_path_again() -> None:
    reads = ReadSet.of({"run.completed": ["/payload/skipped"]})
    body = json.dumps({**_run_completed(), "payload": {**_run_completed()["payload"], "skipped": 2}})
    lenient = Validator(reads=reads).validate(body)
    assert lenient.ok
    assert lenient.findings[0].affects is False
    strict = lenient.with_strict(True)
    assert not strict.ok
    assert strict.findings[0].affects is True
    assert strict.findings[0].read_path == "/payload/skipped"
    assert strict.with_strict(False) == lenient


def test_a_judged_result_counts_as_affecting_in_the_tally_only_when_a_finding_affects() -> None:
    tally = Tally()
    reads = ReadSet.of({"case.created": ["/payload/title"]})
    validator = Validator(reads=reads)
    for outcome in check(read_paths([str(EXAMPLES / "broken.jsonl")]), validator):
        tally.add(outcome)
    # Two bodies without an event name (legacy and truncated) break every read path; the
    # case.created violations are at paths the consumer does not read.
    assert (tally.affecting, tally.failed) == (2, 2)
    assert tally.statuses["violation"] == 5


def test_an_unreadable_record_always_counts_as_affecting(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    tally = Tally()
    for outcome in check(read_paths([str(tmp_path)]), Validator(reads=ReadSet.of({}))):
        tally.add(outcome)
    assert (tally.affecting, tally.failed) == (1, 1)


def test_workers_judge_by_the_read_set_exactly_as_one_process() -> None:
    reads = ReadSet.of({"case.created": ["/payload/automation/id"], "run.*": ["/payload/skipped"]})
    paths = (str(EXAMPLES),)
    one = list(check(read_paths(paths), Validator(strict=True, reads=reads)))
    many = list(parallel.check_in_parallel(paths, jobs=2, strict=True, reads=reads))
    assert [(o.location, o.result) for o in many] == [(o.location, o.result) for o in one]
    assert any(f.affects for o in one for f in o.findings)


def test_a_read_set_file_can_be_given_by_its_path(tmp_path: Path) -> None:
    ReadSet.of({"run.completed": ["/payload/id"]}).write(tmp_path / "reads.json")
    validator = Validator(reads=tmp_path / "reads.json")
    assert validator.reads is not None
    assert validator.reads.source == str(tmp_path / "reads.json")
    result = validator.validate({**_run_completed(), "payload": {**_run_completed()["payload"], "id": "2"}})
    assert [(f.read_path, f.affects) for f in result.findings] == [("/payload/id", True)]


def test_a_dict_subclass_is_validated_as_the_plain_data_it_holds() -> None:
    delivery = OrderedDict(_run_completed())
    delivery["payload"] = OrderedDict(delivery["payload"], passed="3")
    result = Validator().validate(delivery)
    assert [(f.code, f.path) for f in result.findings] == [("wrong-type", "/payload/passed")]


def test_a_finding_judged_again_the_same_way_is_the_same_object() -> None:
    finding = make_finding("wrong-type", "/payload/id", "x").judged_by_reads("/payload/id", False)
    assert finding.judged_by_reads("/payload/id", True) is finding
    assert isinstance(finding, Finding)
    assert Result("run.completed", (finding,)).affecting == (finding,)


def _run_completed() -> dict[str, Any]:
    data: dict[str, Any] = load_json(ROOT / "schemas" / "examples" / "run.completed" / "canonical.json")
    return data
