"""A consumer with a misspelt key: both type checkers reject it."""

from __future__ import annotations

from qase_contract.types import QaseDelivery


def passed(delivery: QaseDelivery) -> int:
    if delivery["event_name"] == "run.completed":
        return delivery["payload"]["pased"]
    return 0
