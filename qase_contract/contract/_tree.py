"""What the contract says at each path of an event, read once from its (ref-resolved) schema.

The drift profile never validates a delivery; it compares what it saw with this tree at the
end. Read-sets are checked against it too (which paths exist, which are optional, nullable or
closed sets). The tree follows the keywords the contract uses (``type``, ``properties``, ``required``,
``additionalProperties``, ``unevaluatedProperties``, ``items``, ``enum``, ``const``, ``$ref``)
and reads ``allOf`` as "all of these hold" and ``anyOf``/``oneOf`` as "one of these", which is
how overlays that widen a type (drift's suggested overlays) are written. It also
reads the value limits (``minimum``, ``maximum``, their exclusive forms, ``multipleOf``,
``minLength``, ``maxLength``, ``pattern`` and a ``propertyNames`` pattern) as :class:`Limits`,
so the profile can count the values that break them without validating whole deliveries.

Each node remembers where it is declared (``origins``: the subschemas found under the parent's
``properties``/``items``/``additionalProperties``) and which subschemas close it (``closers``),
so a suggested overlay can edit exactly those places.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from qase_contract.contract._keywords import KEY_PATTERN
from qase_contract.contract._patterns import compile_pattern
from qase_contract.contract._schema_set import SchemaSet

if TYPE_CHECKING:
    from referencing._core import Resolver


@dataclass(frozen=True, slots=True)
class Place:
    """A subschema of the set: the resource's ``$id`` and the JSON pointer inside it."""

    schema_id: str
    pointer: str


#: Limit keywords on numbers, each with the test a breaking value passes: ``test(limit, value)``.
_NUMBER_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "minimum": operator.gt,  # limit > value
    "exclusiveMinimum": operator.ge,
    "maximum": operator.lt,
    "exclusiveMaximum": operator.le,
}
_STRING_LENGTH_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "minLength": lambda limit, text: len(text) < limit,
    "maxLength": lambda limit, text: len(text) > limit,
}
#: The keyword a ``propertyNames`` pattern is reported under.


def _not_a_multiple(limit: Any, number: Any) -> bool:
    """python-jsonschema's ``multipleOf``, so drift and the validator agree."""
    if isinstance(limit, float):
        try:
            quotient = number / limit
            return bool(int(quotient) != quotient)
        except OverflowError:
            return (Fraction(number) / Fraction(limit)).denominator != 1
    return bool(number % limit)


@dataclass(frozen=True, slots=True)
class Limit:
    """One value limit of the contract: ``keyword`` with its value in the schema (``limit``)."""

    keyword: str
    limit: object  # a number, or the pattern text of ``pattern`` and ``propertyNames``
    broken_by: Callable[[Any], bool] = field(compare=False, repr=False)
    #: The subschema that declares it, for a suggestion that loosens it.
    place: Place | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, keyword: str, limit: object, place: Place | None = None) -> Limit:
        if keyword in _NUMBER_TESTS:
            test = _NUMBER_TESTS[keyword]
        elif keyword in _STRING_LENGTH_TESTS:
            test = _STRING_LENGTH_TESTS[keyword]
        elif keyword == "multipleOf":
            test = _not_a_multiple
        else:  # pattern, propertyNames: compiled here, once, with the validator's ECMA semantics
            compiled = compile_pattern(str(limit))
            return cls(keyword, limit, lambda text: compiled.find(text) is None, place)
        return cls(keyword, limit, functools.partial(test, limit), place)

    def __reduce__(self) -> tuple[Callable[..., Limit], tuple[str, object, Place | None]]:
        # Made again from the schema's words: its test may be a closure, which pickle cannot
        # carry (drift's workers send their profiles back to the parent process).
        return (Limit.of, (self.keyword, self.limit, self.place))


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits on the numbers, the strings and the object keys found at one path."""

    numbers: tuple[Limit, ...] = ()
    strings: tuple[Limit, ...] = ()
    keys: tuple[Limit, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.numbers or self.strings or self.keys)


NO_LIMITS = Limits()


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
    limits: Limits = NO_LIMITS
    origins: tuple[Place, ...] = ()
    closers: tuple[Place, ...] = ()
    description: str = ""  # the schema's own words, for people: "Plan the run was created from, or null."
    requirers: tuple[Place, ...] = ()  # the subschemas whose ``required`` lists keys here

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
        limits=Limits(
            _unique(a.limits.numbers + b.limits.numbers),
            _unique(a.limits.strings + b.limits.strings),
            _unique(a.limits.keys + b.limits.keys),
        ),
        origins=_unique(a.origins + b.origins),
        closers=_unique(a.closers + b.closers),
        description=a.description or b.description,
        requirers=_unique(a.requirers + b.requirers),
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
        limits=Limits(
            _common_limits(a, b, ("integer", "number"), lambda node: node.limits.numbers),
            _common_limits(a, b, ("string",), lambda node: node.limits.strings),
            _common_limits(a, b, ("object",), lambda node: node.limits.keys),
        ),
        origins=_unique(a.origins + b.origins),
        closers=_unique(a.closers + b.closers),
        description=a.description or b.description,
        requirers=_unique(a.requirers + b.requirers),
    )


def _common_limits(
    a: ContractNode,
    b: ContractNode,
    types: tuple[str, ...],
    limits_of: Callable[[ContractNode], tuple[Limit, ...]],
) -> tuple[Limit, ...]:
    """The limits every branch accepting one of ``types`` imposes (one branch may let a value
    through that another rejects, so a limit only some of them impose is no limit at all)."""
    accepting = [node for node in (a, b) if any(node.allows(name) for name in types)]
    if not accepting:
        return ()
    first, *others = (limits_of(node) for node in accepting)
    return tuple(limit for limit in first if all(limit in other for other in others))


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
        description = schema.get("description")
        return ContractNode(
            description=description if isinstance(description, str) else "",
            limits=_limits_of(schema, place),
            types=types,
            properties=properties,
            required=frozenset(required) if isinstance(required, list) else frozenset(),
            closed=closing,
            additional=additional,
            items=items,
            values=values,
            closers=(place,) if closing and place is not None else (),
            requirers=(place,) if required and place is not None else (),
        )

    def _declared(self, schema: object, resolver: Resolver[Any], expanding: frozenset[int]) -> ContractNode:
        """The node of a subschema found under ``properties``/``items``/...; it is its own origin."""
        node = self.node(schema, resolver, expanding)
        place = self.places.get(id(schema))
        if place is not None:
            node.origins = (place,)
        return node


_NUMBER_KEYWORDS = (*_NUMBER_TESTS, "multipleOf")
_STRING_KEYWORDS = (*_STRING_LENGTH_TESTS, "pattern")


def _limits_of(schema: Mapping[str, Any], place: Place | None) -> Limits:
    """The value limits a subschema declares itself (not those of its ``$ref`` or ``allOf``)."""
    names = schema.get("propertyNames")
    key_pattern = names.get("pattern") if isinstance(names, Mapping) else None
    return Limits(
        numbers=_declared(schema, _NUMBER_KEYWORDS, place),
        strings=_declared(schema, _STRING_KEYWORDS, place),
        keys=(Limit.of(KEY_PATTERN, key_pattern, place),) if isinstance(key_pattern, str) else (),
    )


def _declared(schema: Mapping[str, Any], keywords: tuple[str, ...], place: Place | None) -> tuple[Limit, ...]:
    return tuple(
        Limit.of(keyword, schema[keyword], place)
        for keyword in keywords
        if _is_limit_value(keyword, schema.get(keyword))
    )


def _is_limit_value(keyword: str, value: object) -> bool:
    if keyword == "pattern":
        return isinstance(value, str)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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
