from __future__ import annotations

import pytest

from qase_contract.findings import CODES, Finding, Result, make_finding


def drift_finding(path: str = "/payload/x") -> Finding:
    return make_finding("unknown-field", path, "field is not in the contract")


def violation_finding(path: str = "/payload/id") -> Finding:
    return make_finding("wrong-type", path, "expected integer")


def test_a_finding_takes_its_kind_from_its_code() -> None:
    assert drift_finding().kind == "drift"
    assert violation_finding().kind == "violation"


def test_a_made_finding_equals_one_built_field_by_field() -> None:
    # make_finding builds the tuple itself: it must fill every field, and in order.
    made = make_finding(
        "unknown-field", "/payload/x", "m", schema_path="s", expected="e", actual="a", event="v"
    )
    built = Finding("drift", "unknown-field", "/payload/x", "m", "s", "e", "a", "v")
    assert made == built
    assert made._asdict() == built._asdict()
    assert (made.read_path, made.affects) == (None, None)


@pytest.mark.parametrize("code", ["unknown-field", "unknown-value", "unknown-event"])
def test_only_additive_changes_are_drift(code: str) -> None:
    assert CODES[code] == "drift"
    assert sum(kind == "drift" for kind in CODES.values()) == 3


def test_drift_alone_is_ok_but_not_under_strict() -> None:
    assert Result("case.created", (drift_finding(),)).ok
    assert Result("case.created", (drift_finding(),)).status == "drift"
    assert not Result("case.created", (drift_finding(),), strict=True).ok


def test_a_violation_is_never_ok() -> None:
    result = Result("case.created", (violation_finding(),))
    assert not result.ok
    assert result.status == "violation"


def test_no_finding_is_conforming_even_under_strict() -> None:
    assert Result("case.created", (), strict=True).ok
    assert Result("case.created").status == "conforming"


def test_findings_are_sorted_violations_first_then_by_path() -> None:
    result = Result(
        "case.created",
        (drift_finding("/a"), violation_finding("/z"), violation_finding("/b")),
    )
    assert [(f.kind, f.path) for f in result.findings] == [
        ("violation", "/b"),
        ("violation", "/z"),
        ("drift", "/a"),
    ]
    assert result.violations == result.findings[:2]
    assert result.drift == result.findings[2:]


def test_results_are_immutable() -> None:
    result = Result("case.created")
    with pytest.raises(AttributeError):
        result.event_name = "x"  # type: ignore[misc]


def test_a_result_replaced_or_unpickled_sorts_its_findings_and_derives_its_status_again() -> None:
    import copy
    import pickle

    result = Result("case.created", (drift_finding(),))
    replaced = result._replace(findings=(drift_finding("/z"), violation_finding()))
    assert replaced.status == "violation"
    assert [f.kind for f in replaced.findings] == ["violation", "drift"]
    assert pickle.loads(pickle.dumps(replaced)) == replaced
    assert copy.deepcopy(replaced) == replaced
    with pytest.raises(TypeError, match="derived"):
        result._replace(status="conforming")


def test_every_code_is_described_for_reporters() -> None:
    from qase_contract.findings import DESCRIPTIONS

    assert set(DESCRIPTIONS) == set(CODES)


def test_the_manual_explains_every_finding_code() -> None:
    import re

    from tests.helpers.data import ROOT

    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (violation|drift) \| `([a-z-]+)` \|", page, re.MULTILINE)
    assert {code: kind for kind, code in rows} == CODES
