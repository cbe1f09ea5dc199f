"""A consumer that reads deliveries correctly: both type checkers accept it under --strict."""

from __future__ import annotations

import json

from qase_contract.types import CustomFieldType, QaseDelivery, RunStartedPayloadDict


def plan_title(payload: RunStartedPayloadDict) -> str:
    plan = payload["plan"]  # an object, or null when the run has no plan
    return plan["title"] if plan is not None else "no plan"


def describe(delivery: QaseDelivery) -> str:
    if delivery["event_name"] == "run.completed":
        payload = delivery["payload"]
        return f"run {payload['id']}: {payload['passed']} of {payload['cases']} passed"
    if delivery["event_name"] == "run.started":
        return plan_title(delivery["payload"])
    if delivery["event_name"] == "case.updated":
        title = delivery["payload"].get("title")  # optional: the id-only form has no title
        description = delivery["payload"].get("description")
        return f"{title or 'untitled'}: {(description or '').strip()}"
    if delivery["event_name"] == "custom_field.created":
        kind: CustomFieldType = delivery["payload"]["type"]
        if kind in ("selectbox", "radio", "multiselect"):
            return "a field with choices"
        return f"a {kind} field"  # a value the contract does not know yet (drift) lands here too
    if delivery["event_name"] == "review.updated":
        data = delivery["payload"]["data"]
        return str(data["id"])  # an integer or a string
    drifted = delivery["payload"].get("a_key_qase_added_later")  # drift is read with get()
    return f"{delivery['event_name']} in {delivery['project_code']} ({drifted!r})"


def handle(body: bytes) -> str:
    delivery: QaseDelivery = json.loads(body)
    return describe(delivery)
