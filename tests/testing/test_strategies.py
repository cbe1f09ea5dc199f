"""Hypothesis strategies: generated deliveries conform, and unsupported schemas are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qase_contract import EVENTS, Validator
from qase_contract.errors import UnknownEvent, UnsupportedSchema
from qase_contract.testing.strategies import deliveries
from tests.helpers.overlays import RESULT_CREATED, write_schema

STRICT = Validator(strict=True)
#: Derandomized so CI sees the same 200 deliveries every run; no example database on disk.
EXAMPLES = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("event", [event.name for event in EVENTS])
def test_200_generated_deliveries_of_each_event_conform_without_drift(event: str) -> None:
    checked: list[str] = []

    @EXAMPLES
    @given(deliveries(event))
    def conforms(delivery: dict[str, Any]) -> None:
        result = STRICT.validate(delivery)
        assert result.status == "conforming", result.findings
        assert result.event_name == event
        checked.append(json.dumps(delivery, sort_keys=True))

    conforms()
    assert len(checked) >= 200
    assert len(set(checked)) > 100  # varied deliveries, not one repeated


def test_without_an_event_every_event_may_be_drawn() -> None:
    drawn: set[str] = set()

    @settings(max_examples=300, derandomize=True, database=None, deadline=None)
    @given(deliveries())
    def record(delivery: dict[str, Any]) -> None:
        drawn.add(delivery["event_name"])

    record()
    assert len(drawn) > 20


def test_an_unknown_event_raises_unknown_event() -> None:
    with pytest.raises(UnknownEvent, match=r"'run\.finished'"):
        deliveries("run.finished")


SUPPORTED_OVERLAY = {
    "properties": {
        "event_name": {"const": "result.created"},
        "timestamp": {"$ref": "../../common/defs.schema.json#/$defs/unixSeconds"},
        "payload": {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "minimum": 1, "maximum": 9},
                "status": {"enum": ["passed", "failed"]},
                "comment": {"type": ["string", "null"], "minLength": 2, "maxLength": 4},
                "steps": {"type": "array", "items": {"$ref": "#/$defs/step"}, "minItems": 1},
                "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "retries": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 3},
            },
            "required": ["id", "status", "steps", "retries"],
            "additionalProperties": False,
        },
        "team_member_id": {"$ref": "../../common/defs.schema.json#/$defs/teamMemberId"},
        "project_code": {"type": "string", "pattern": "^[A-Z]{2,4}$"},
    },
    "required": ["event_name", "timestamp", "payload", "team_member_id", "project_code"],
    "additionalProperties": False,
    "$defs": {
        "step": {
            "type": "object",
            "properties": {"hash": {"type": "string"}},
            "required": ["hash"],
            "additionalProperties": False,
        }
    },
}


def test_an_overlay_event_gets_conforming_deliveries_too(tmp_path: Path) -> None:
    folder = write_schema(tmp_path, "events/result/created.schema.json", SUPPORTED_OVERLAY)
    validator = Validator(strict=True, schemas=folder)

    @settings(max_examples=100, derandomize=True, database=None, deadline=None)
    @given(deliveries("result.created", schemas=folder))
    def conforms(delivery: dict[str, Any]) -> None:
        assert validator.validate(delivery).status == "conforming"
        assert 1 <= delivery["payload"]["id"] <= 9
        assert delivery["payload"]["retries"] in (1, 2)
        assert delivery["payload"]["steps"]

    conforms()


def test_a_keyword_the_walker_does_not_know_is_refused_naming_its_place(tmp_path: Path) -> None:
    folder = write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED)
    with pytest.raises(
        UnsupportedSchema, match=r"#/properties/payload/properties/run: .* does not support anyOf"
    ):
        deliveries("result.created", schemas=folder)


def test_a_recursive_schema_is_refused(tmp_path: Path) -> None:
    recursive: dict[str, Any] = json.loads(json.dumps(SUPPORTED_OVERLAY))
    recursive["$defs"]["step"]["properties"]["steps"] = {"type": "array", "items": {"$ref": "#/$defs/step"}}
    folder = write_schema(tmp_path, "events/result/created.schema.json", recursive)
    with pytest.raises(UnsupportedSchema, match="recursive schemas are not supported"):
        deliveries("result.created", schemas=folder)


def test_strategies_compose_with_other_hypothesis_strategies() -> None:
    pair = st.tuples(deliveries("run.completed"), st.integers(0, 3))

    @settings(max_examples=20, derandomize=True, database=None)
    @given(pair)
    def check(drawn: tuple[dict[str, Any], int]) -> None:
        assert drawn[0]["event_name"] == "run.completed"

    check()
