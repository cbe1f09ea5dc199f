"""A consumer that forgets a field may be null: both type checkers reject it."""

from __future__ import annotations

from qase_contract.types import QaseDelivery


def headline(delivery: QaseDelivery) -> str:
    if delivery["event_name"] == "case.created":
        return delivery["payload"]["description"].strip()
    return ""
