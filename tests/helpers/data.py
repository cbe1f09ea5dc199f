"""Where the test data lives, and how to load it: the shipped examples and the file-based cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qase_contract import SchemaSet

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
EXAMPLES = SCHEMAS / "examples"
CASES = ROOT / "tests" / "cases"
#: File-based cases of read-sets: a delivery, a read-set and each finding's exact affects.
READ_CASES = ROOT / "tests" / "cases-reads"


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*/*.json"))


def case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.json"))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def case_input(case: dict[str, Any]) -> object:
    """The delivery of a case: raw bytes for a ``body`` case, else the parsed delivery."""
    if "body" in case:
        return case["body"].encode("utf-8")
    return case["delivery"]


def fresh_builtin() -> SchemaSet:
    """The built-in schema set without its cached engines, for tests that change what imports."""
    builtin = SchemaSet.builtin()
    return SchemaSet(builtin.resources, builtin.event_schemas, builtin.sources)
