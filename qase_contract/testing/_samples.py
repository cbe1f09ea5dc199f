"""Sample deliveries for every catalogued event, with overrides, for tests that need one.

A sample starts as the event's ``canonical.json`` example (a conforming delivery); the
payload overrides are deep-merged into it and envelope fields replaced. Every call returns
a fresh copy, so a test may mutate what it gets without affecting the next one.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from typing import Any

from qase_contract.contract._inventory import example_path
from qase_contract.contract._schema_set import SchemaSet

#: Envelope fields a sample may override; ``event_name`` is chosen by the event argument.
ENVELOPE_FIELDS = ("timestamp", "team_member_id", "project_code")


def sample_delivery(
    event_name: str, payload: Mapping[str, Any] | None = None, **envelope: Any
) -> dict[str, Any]:
    """A fresh conforming delivery of ``event_name`` with the given overrides.

    ``payload`` is deep-merged into the sample's payload: nested objects merge key by key,
    any other value (a list, a scalar, ``None``) replaces what was there. ``envelope``
    replaces ``timestamp``, ``team_member_id`` or ``project_code``. An event outside the
    catalogue raises :class:`~qase_contract.validation._validator.UnknownEvent`.
    """
    unknown = sorted(set(envelope) - set(ENVELOPE_FIELDS))
    if unknown:
        raise TypeError(
            f"sample_delivery() got unknown envelope field(s) {', '.join(map(repr, unknown))}; "
            f"the envelope fields are {', '.join(ENVELOPE_FIELDS)} (and payload=...)"
        )
    delivery = copy.deepcopy(_canonical(event_name))
    if payload is not None:
        delivery["payload"] = deep_merged(delivery["payload"], payload)
    delivery.update(copy.deepcopy(envelope))
    return delivery


def deep_merged(base: object, override: object) -> Any:
    """``override`` merged into ``base``: mappings key by key, anything else replaced (copied)."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merged(base.get(key), value)
        return merged
    return copy.deepcopy(override)


@functools.cache
def _canonical(event_name: str) -> dict[str, Any]:
    path = example_path(SchemaSet.builtin(), event_name)
    delivery: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return delivery
