"""File-based cases: each invalid delivery in tests/cases with its exact expected findings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from qase_contract import Validator
from qase_contract.findings import CODES
from tests.helpers.data import CASES, case_files, case_input, load_json

ENTITIES = ["case", "suite", "plan", "shared_step", "milestone", "custom_field", "run", "defect", "review"]


@pytest.mark.parametrize("path", case_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_case_gets_exactly_its_expected_findings(path: Path) -> None:
    case = load_json(path)
    result = Validator(strict=case.get("strict", False)).validate(case_input(case))
    actual = [{"kind": f.kind, "code": f.code, "path": f.path} for f in result.findings]
    assert actual == case["findings"], case["description"]
    for finding in result.findings:
        assert finding.message


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_entity_has_at_least_five_cases(entity: str) -> None:
    assert len(list((CASES / entity).glob("*.json"))) >= 5


def test_the_cases_cover_every_code_the_contract_names() -> None:
    seen = Counter(finding["code"] for path in case_files() for finding in load_json(path)["findings"])
    # unreadable belongs to records, not bodies: the readers' tests cover it.
    expected = set(CODES) - {"engine-mismatch", "wrong-event", "wrong-value", "invalid-value", "unreadable"}
    assert expected <= set(seen), expected - set(seen)
