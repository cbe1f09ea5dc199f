"""What the contract says at each path of an event, read once from its (ref-resolved) schema.

The drift profile never validates a delivery; it compares what it saw with this tree at the
end. The tree follows the keywords the contract uses (``type``, ``properties``, ``required``,
``additionalProperties``, ``unevaluatedProperties``, ``items``, ``enum``, ``const``, ``$ref``)
and reads ``allOf`` as "all of these hold" and ``anyOf``/``oneOf`` as "one of these", which is
how overlays that widen a type (see :mod:`qase_contract.drift.suggest`) are written. Keywords
that restrict values further (``pattern``, ``minimum``, ...) are the validator's business.

Each node remembers where it is declared (``origins``: the subschemas found under the parent's
``properties``/``items``/``additionalProperties``) and which subschemas close it (``closers``),
so a suggested overlay can edit exactly those places.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qase_contract.registry import SchemaSet

if TYPE_CHECKING:
    from referencing._core import Resolver

#: JSON types in the order every report lists them.
TYPE_ORDER = ("object", "array", "string", "integer", "number", "boolean", "null")


@dataclass(frozen=True, slots=True)
class Place:
    """A subschema of the set: the resource's ``$id`` and the JSON pointer inside it."""

    schema_id: str
    pointer: str


@dataclass(slots=True)
class ContractNode:
    """The contract at one path: allowed types, declared keys, closed set of values."""

    types: frozenset[str] | None = None  # None: any type
    properties: dict[str, ContractNode] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    closed: bool = False  # keys outside ``properties`` are drift
    additional: ContractNode | None = None  # a map: every key holds this
    items: ContractNode | None = None
    values: tuple[object, ...] | None = None  # enum/const: the closed set
    origins: tuple[Place, ...] = ()
    closers: tuple[Place, ...] = ()

    def allows(self, type_name: str) -> bool:
        if self.types is None or type_name in self.types:
            return True
        return type_name == "integer" and "number" in self.types

    @property
    def is_map(self) -> bool:
        return self.additional is not None and not self.properties

    def child(self, key: str) -> ContractNode | None:
        declared = self.properties.get(key)
        return declared if declared is not None else self.additional


def _intersect(a: ContractNode, b: ContractNode) -> ContractNode:
    """Both constraints hold (``$ref`` with siblings, ``allOf``)."""
    types = b.types if a.types is None else a.types if b.types is None else a.types & b.types
    properties = dict(a.properties)
    for key, node in b.properties.items():
        properties[key] = _intersect(properties[key], node) if key in properties else node
    values = b.values if a.values is None else a.values
    if a.values is not None and b.values is not None:
        values = tuple(value for value in a.values if value in b.values)
    return ContractNode(
        types=types,
        properties=properties,
        required=a.required | b.required,
        closed=a.closed or b.closed,
        additional=_merge_optional(a.additional, b.additional, _intersect),
        items=_merge_optional(a.items, b.items, _intersect),
        values=values,
        origins=_unique(a.origins + b.origins),
        closers=_unique(a.closers + b.closers),
    )


def _union(a: ContractNode, b: ContractNode) -> ContractNode:
    """Either constraint holds (``anyOf``, ``oneOf``)."""
    types = None if a.types is None or b.types is None else a.types | b.types
    properties = dict(a.properties)
    for key, node in b.properties.items():
        properties[key] = _union(properties[key], node) if key in properties else node
    # Only the branches that accept an object decide whether an object is closed.
    object_branches = [node for node in (a, b) if node.types is None or "object" in node.types]
    values = None if a.values is None or b.values is None else _unique(a.values + b.values)
    return ContractNode(
        types=types,
        properties=properties,
        required=a.required & b.required,
        closed=bool(object_branches) and all(node.closed for node in object_branches),
        additional=_merge_optional(a.additional, b.additional, _union),
        items=_merge_optional(a.items, b.items, _union),
        values=values,
        origins=_unique(a.origins + b.origins),
        closers=_unique(a.closers + b.closers),
    )


def _merge_optional(a: ContractNode | None, b: ContractNode | None, merge: Any) -> ContractNode | None:
    if a is None:
        return b
    if b is None:
        return a
    result: ContractNode = merge(a, b)
    return result


def _unique(items: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


class _Reader:
    """Builds contract nodes from the schemas of one set, following ``$ref`` offline."""

    def __init__(self, schema_set: SchemaSet) -> None:
        self.schema_set = schema_set
        ids_by_name = {schema_set.relative_name(schema_id): schema_id for schema_id in schema_set.resources}
        self.places: dict[int, Place] = {}
        for node_id, location in schema_set.locations.items():
            name, _, where = location.partition("#")
            self.places[node_id] = Place(ids_by_name[name], where)

    def node(self, schema: object, resolver: Resolver[Any], expanding: frozenset[int]) -> ContractNode:
        if schema is False:
            return ContractNode(types=frozenset())
        if not isinstance(schema, Mapping) or id(schema) in expanding:
            # ``true``, or a schema already being expanded (a recursive one): anything goes.
            return ContractNode()
        expanding = expanding | {id(schema)}
        node = self._own(schema, resolver, expanding)
        for keyword in ("$ref", "$dynamicRef"):
            reference = schema.get(keyword)
            if isinstance(reference, str):
                resolved = resolver.lookup(reference)
                node = _intersect(node, self.node(resolved.contents, resolved.resolver, expanding))
        for member in _schemas_in(schema.get("allOf")):
            node = _intersect(node, self.node(member, resolver, expanding))
        for keyword in ("anyOf", "oneOf"):
            branches = [self.node(member, resolver, expanding) for member in _schemas_in(schema.get(keyword))]
            if branches:
                node = _intersect(node, functools.reduce(_union, branches))
        return node

    def _own(
        self, schema: Mapping[str, Any], resolver: Resolver[Any], expanding: frozenset[int]
    ) -> ContractNode:
        declared = schema.get("type")
        types = frozenset([declared] if isinstance(declared, str) else declared) if declared else None
        values: tuple[object, ...] | None = None
        if "const" in schema:
            values = (schema["const"],)
        elif isinstance(schema.get("enum"), list):
            values = tuple(schema["enum"])
        properties = {
            key: self._declared(subschema, resolver, expanding)
            for key, subschema in (schema.get("properties") or {}).items()
        }
        additional_schema = schema.get("additionalProperties")
        closing = additional_schema is False or schema.get("unevaluatedProperties") is False
        additional = None
        if isinstance(additional_schema, Mapping):
            additional = self._declared(additional_schema, resolver, expanding)
        for subschema in (schema.get("patternProperties") or {}).values():
            declared_pattern = self._declared(subschema, resolver, expanding)
            additional = declared_pattern if additional is None else _union(additional, declared_pattern)
        items_schema = schema.get("items")
        items = (
            self._declared(items_schema, resolver, expanding) if isinstance(items_schema, Mapping) else None
        )
        required = schema.get("required")
        place = self.places.get(id(schema))
        return ContractNode(
            types=types,
            properties=properties,
            required=frozenset(required) if isinstance(required, list) else frozenset(),
            closed=closing,
            additional=additional,
            items=items,
            values=values,
            closers=(place,) if closing and place is not None else (),
        )

    def _declared(self, schema: object, resolver: Resolver[Any], expanding: frozenset[int]) -> ContractNode:
        """The node of a subschema found under ``properties``/``items``/...; it is its own origin."""
        node = self.node(schema, resolver, expanding)
        place = self.places.get(id(schema))
        if place is not None:
            node.origins = (place,)
        return node


def _schemas_in(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


class Contracts:
    """The contract tree of each event of a schema set, read on first use."""

    def __init__(self, schema_set: SchemaSet) -> None:
        self.schema_set = schema_set
        self._reader = _Reader(schema_set)
        self._trees: dict[str, ContractNode] = {}

    def schema_id_for(self, event_name: str) -> str | None:
        return self.schema_set.schema_id_for(event_name)

    def tree(self, schema_id: str) -> ContractNode:
        """The tree of one schema of the set (an event schema, or the envelope for unknown events)."""
        tree = self._trees.get(schema_id)
        if tree is None:
            resolver = self.schema_set.registry.resolver(base_uri=schema_id)
            schema = self.schema_set.resources[schema_id]
            tree = self._trees[schema_id] = self._reader.node(schema, resolver, frozenset())
        return tree
