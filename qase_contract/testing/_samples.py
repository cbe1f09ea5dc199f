"""Sample deliveries for every event of a schema set, with overrides, for tests that need one.

A sample starts as one of the event's example files (``canonical.json`` unless another
variant is named): the built-in examples, or those of an overlay folder, which may add events
and replace examples. The payload overrides are deep-merged into it and envelope fields
replaced. Every call returns a fresh copy, so a test may mutate what it gets without affecting
the next one.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from qase_contract.contract._inventory import example_path
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.testing._policy import policy_of_running_test

#: Envelope fields a sample may override; ``event_name`` is chosen by the event argument.
ENVELOPE_FIELDS = ("timestamp", "team_member_id", "project_code")


def sample_delivery(
    event_name: str,
    payload: Mapping[str, Any] | None = None,
    *,
    variant: str = "canonical",
    schemas: str | PathLike[str] | SchemaSet | None = None,
    **envelope: Any,
) -> dict[str, Any]:
    """A fresh delivery of ``event_name``: its ``variant`` example with the given overrides.

    ``payload`` is deep-merged into the example's payload: nested objects merge key by key;
    any other value (a list, a scalar, ``None``) replaces what was there, so
    ``{"steps": [{"action": "x"}]}`` replaces the whole list with one incomplete step. To
    change items of a list, give a mapping from index to override: ``{"steps": {0: {"action":
    "x"}}}`` merges into the first step, ``-1`` the last, and the index one past the end
    appends an item. ``envelope`` replaces ``timestamp``, ``team_member_id`` or
    ``project_code``.

    ``schemas`` is an overlay folder (or a ready :class:`SchemaSet`) whose events and
    examples are used; by default, the running pytest session's (``--qase-schemas``), else
    the built-in ones. An unknown event raises :class:`~qase_contract.errors.UnknownEvent`, an
    unknown variant :class:`~qase_contract.errors.UnknownExample`.
    """
    unknown = sorted(set(envelope) - set(ENVELOPE_FIELDS))
    if unknown:
        raise TypeError(
            f"sample_delivery() got unknown envelope field(s) {', '.join(map(repr, unknown))}; "
            f"the envelope fields are {', '.join(ENVELOPE_FIELDS)} (and payload=...)"
        )
    path = example_path(_schema_set(schemas), event_name, variant)
    delivery = copy.deepcopy(_example(path, path.stat().st_mtime_ns))
    if payload is not None:
        delivery["payload"] = deep_merged(delivery.get("payload"), payload, "/payload")
    delivery.update(copy.deepcopy(envelope))
    return delivery


def deep_merged(base: object, override: object, where: str = "") -> Any:
    """``override`` merged into ``base``: mappings key by key, the items of a list by index when
    the override is a mapping from ``int`` to override, anything else replaced (copied)."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merged(base.get(key), value, f"{where}/{key}")
        return merged
    if isinstance(base, list) and _is_index_map(override):
        assert isinstance(override, Mapping)
        items = list(base)
        for index, value in override.items():
            if -len(items) <= index < len(items):
                items[index] = deep_merged(items[index], value, f"{where}/{index}")
            elif index == len(items):
                items.append(deep_merged(None, value, f"{where}/{index}"))
            else:
                raise IndexError(
                    f"override of {where or '/'}: no item {index} in a list of {len(items)} "
                    f"(from {-len(items)} to {len(items)}, which appends)"
                )
        return items
    return copy.deepcopy(override)


def _is_index_map(value: object) -> bool:
    """A mapping whose keys are all ``int`` (``bool`` aside): no JSON object is one."""
    return isinstance(value, Mapping) and bool(value) and all(type(key) is int for key in value)


def _schema_set(schemas: str | PathLike[str] | SchemaSet | None) -> SchemaSet:
    if isinstance(schemas, SchemaSet):
        return schemas
    if schemas is None:
        policy = policy_of_running_test()
        return policy.validator().schema_set if policy is not None else SchemaSet.builtin()
    from qase_contract.validation._engines import load_schema_set

    return load_schema_set(schemas)


@functools.lru_cache(maxsize=256)
def _example(path: Path, _modified: int) -> dict[str, Any]:
    """An example file's delivery, read again when the file changes (an overlay being edited)."""
    delivery: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return delivery
