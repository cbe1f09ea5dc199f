"""The schema files work as they are with a third-party validator, offline."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.data import EXAMPLES, load_json
from tests.helpers.third_party import check_jsonschema


def test_check_jsonschema_accepts_the_canonical_example_offline() -> None:
    completed = check_jsonschema(EXAMPLES / "case.created" / "canonical.json")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "ok -- validation done" in completed.stdout


def test_check_jsonschema_rejects_a_broken_delivery_offline(tmp_path: Path) -> None:
    delivery = load_json(EXAMPLES / "case.created" / "canonical.json")
    delivery["payload"]["priority"] = "high"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(delivery), encoding="utf-8")
    completed = check_jsonschema(broken)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "$.payload.priority" in completed.stdout
    assert "'high' is not of type 'object'" in completed.stdout
