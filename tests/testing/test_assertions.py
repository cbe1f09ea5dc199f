"""assert_conforms and its report: the event, then each finding's path, expected and actual."""

from __future__ import annotations

from pathlib import Path

import pytest

from qase_contract import Validator, assert_conforms
from qase_contract.testing._assertions import nonconformity_report
from qase_contract.testing._samples import sample_delivery
from tests.helpers.overlays import RESULT_CREATED, result_delivery, write_schema


def test_a_conforming_delivery_passes_and_its_verdict_is_returned() -> None:
    result = assert_conforms(sample_delivery("run.completed"), event="run.completed")
    assert result.status == "conforming"


def test_the_message_names_the_event_then_every_finding() -> None:
    delivery = sample_delivery("run.completed", payload={"passed": "3", "skipped": 1})
    del delivery["payload"]["failed"]
    with pytest.raises(AssertionError) as failure:
        assert_conforms(delivery, strict=True)
    assert str(failure.value) == "\n".join(
        [
            "run.completed delivery does not conform to the Qase webhook contract: 2 violations,"
            " 1 drift (strict: drift fails)",
            "  /payload/failed: expected present, actual missing  [violation missing-field]",
            '  /payload/passed: expected integer, actual string "3"  [violation wrong-type]',
            "  /payload/skipped: expected no such field, actual 1  [drift unknown-field]",
        ]
    )


def test_drift_alone_passes_unless_strict() -> None:
    drifted = sample_delivery("run.completed", payload={"skipped": 1})
    assert assert_conforms(drifted, strict=False).status == "drift"
    with pytest.raises(AssertionError, match="1 drift"):
        assert_conforms(drifted, strict=True)


def test_a_body_that_is_not_json_is_explained_in_the_report() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_conforms(b'{"event_name": "run.completed",')
    lines = str(failure.value).splitlines()
    assert (
        lines[0]
        == "a delivery without an event_name does not conform to the Qase webhook contract: 1 violation"
    )
    assert lines[1] == "  /: expected a JSON object, actual unparsable body  [violation unparsable]"
    assert lines[2].startswith("      the body is not valid JSON: ")


def test_a_given_validator_decides(tmp_path: Path) -> None:
    overlay = Validator(schemas=write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED))
    assert assert_conforms(result_delivery(id=1), event="result.created", validator=overlay).ok
    with pytest.raises(AssertionError, match=r"/payload/id: expected integer"):
        assert_conforms(result_delivery(id="1"), validator=overlay)


def test_a_report_can_name_where_the_delivery_came_from() -> None:
    result = Validator().validate(sample_delivery("run.completed", payload={"id": None}))
    assert nonconformity_report(result, where="hooks.jsonl:3").startswith(
        "hooks.jsonl:3: run.completed delivery does not conform"
    )
