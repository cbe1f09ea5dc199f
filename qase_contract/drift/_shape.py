"""Observed shapes as JSON Schema, GenSON-style: types, keys always present, items, small value sets.

A field whose few distinct values each came back several times looks like a closed set; its
values are kept (``enum``, or ``examples`` where a schema must not close the set yet). Free
text never has a value set, and a field named like a credential keeps no value at all.
"""

from __future__ import annotations

from typing import Any

from qase_contract._util.json_types import TYPE_ORDER
from qase_contract.drift._profile import ObservedNode

#: A closed-looking field has at most this many distinct values ...
CLOSED_LOOKING_MAX = 8
#: ... each seen this many times on average.
CLOSED_LOOKING_REPEATS = 4


def observed_schema(node: ObservedNode, *, value_sets: str = "enum") -> dict[str, Any]:
    """The JSON Schema of what was seen at ``node``; objects closed as the contract's are.

    ``value_sets`` is the keyword that carries the values of closed-looking fields:
    ``"enum"`` (an observation) or ``"examples"`` (a suggestion that keeps the set open).
    """
    types = node.types()
    names = [name for name in TYPE_ORDER if name in types]
    if "integer" in names and "number" in names:
        names.remove("integer")
    schema: dict[str, Any] = {}
    if names:
        schema["type"] = names[0] if len(names) == 1 else names
    if "object" in types:
        if node.entries is not None:
            schema["additionalProperties"] = observed_schema(node.entries, value_sets=value_sets)
        else:
            objects = types["object"]
            schema["properties"] = {
                key: observed_schema(below, value_sets=value_sets) for key, below in node.children.items()
            }
            required = [key for key, below in node.children.items() if below.count == objects]
            if required:
                schema["required"] = required
            schema["additionalProperties"] = False
    if "array" in types and node.items is not None and node.items.count:
        schema["items"] = observed_schema(node.items, value_sets=value_sets)
    values = closed_looking_values(node)
    if values:
        if value_sets == "enum" and "null" in types:
            values.append(None)
        schema[value_sets] = values
    return schema


def closed_looking_values(node: ObservedNode) -> list[object]:
    """The values of a field that looks like a closed set, else ``[]``."""
    values = node.values
    if not values or node.redacted or len(values) > CLOSED_LOOKING_MAX:
        return []
    if any(isinstance(value, float) for value in values):
        return []
    if sum(values.values()) < CLOSED_LOOKING_REPEATS * len(values):
        return []
    return list(values)
