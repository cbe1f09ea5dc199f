"""A consumer that waits for an event Qase does not send: both type checkers reject it."""

from __future__ import annotations

from qase_contract.types import QaseDelivery


def finished(delivery: QaseDelivery) -> bool:
    return delivery["event_name"] == "run.finished"
