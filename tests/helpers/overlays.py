"""Overlay schemas for tests: an event the contract does not know yet, and a way to write one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULT_CREATED = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "event_name": {"const": "result.created"},
        "timestamp": {"$ref": "../../common/defs.schema.json#/$defs/unixSeconds"},
        "payload": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "run": {
                    "anyOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "properties": {"id": {"type": "integer"}},
                            "additionalProperties": False,
                        },
                    ]
                },
            },
            "required": ["id"],
            "additionalProperties": False,
        },
        "team_member_id": {"type": "integer"},
        "project_code": {"type": "string"},
    },
    "required": ["event_name", "timestamp", "payload", "team_member_id", "project_code"],
    "additionalProperties": False,
}


def write_schema(folder: Path, relative: str, schema: object) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema), encoding="utf-8")
    return folder


def result_delivery(**payload: Any) -> dict[str, Any]:
    return {
        "event_name": "result.created",
        "timestamp": 1764230400,
        "payload": payload,
        "team_member_id": 3,
        "project_code": "DEMO",
    }
