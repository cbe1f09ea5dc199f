"""Hypothesis strategies that generate conforming deliveries from the schemas.

``deliveries("run.completed")`` draws whole deliveries (envelope and payload) that the
validator finds conforming, without drift: only declared keys, values of closed sets taken
from their ``enum``. The walker understands the keywords the contract uses (``type``
including type lists, ``properties``/``required``, ``additionalProperties`` (``false`` or a
schema), ``unevaluatedProperties: false``, ``propertyNames`` with a ``pattern``, ``$ref``,
``allOf``, ``const``, ``enum``, ``pattern``, ``minLength``/``maxLength``, the numeric bounds,
``items``, ``minItems``/``maxItems``) and refuses any other keyword with
:class:`UnsupportedSchema` rather than generate deliveries that might not conform.

Integers stay within ±(2**53 - 1), the range every JSON implementation reads exactly
(RFC 7493); arrays and maps are kept short so that generation stays fast.

Hypothesis is an optional dependency: ``pip install 'qase-contract[hypothesis]'``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from typing import TYPE_CHECKING, Any

from qase_contract.errors import MissingExtra, UnsupportedSchema

try:
    from hypothesis import strategies as st
except ImportError:
    raise MissingExtra("qase_contract.testing.strategies", "hypothesis", "hypothesis") from None

from qase_contract._util.json_types import TYPE_ORDER, json_type
from qase_contract.contract._keywords import ANNOTATIONS, IDENTITY
from qase_contract.contract._patterns import python_equivalent, search
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import UnknownEvent
from qase_contract.validation._engines import load_schema_set

if TYPE_CHECKING:
    from referencing._core import Resolver  # the class behind Registry.resolver(); not re-exported

__all__ = ["deliveries"]

JSON_SAFE_INTEGER = 2**53 - 1
#: Longest array, and largest number of extra map entries, a strategy draws.
MAX_COLLECTION = 2
#: Keywords that describe or hold schemas rather than constrain a value; they are ignored.
_IGNORED = ANNOTATIONS | IDENTITY
_BOUNDS = (
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
)
_SUPPORTED = (
    _IGNORED
    | {*_BOUNDS}
    | {
        "$ref",
        "allOf",
        "type",
        "const",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "unevaluatedProperties",
        "propertyNames",
        "pattern",
        "items",
    }
)
#: Simplest first, so Hypothesis shrinks a value towards null and scalars.
_SIMPLEST_FIRST = tuple(reversed(TYPE_ORDER))


def deliveries(
    event: str | None = None, *, schemas: SchemaSet | str | PathLike[str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Conforming deliveries of ``event``, or of every event of the schemas when ``None``.

    ``schemas`` is an overlay folder (or a ready :class:`SchemaSet`), as for ``Validator``.
    An event the schemas do not know raises :class:`UnknownEvent`.
    """
    schema_set = load_schema_set(schemas)
    if event is not None:
        return _event_deliveries(schema_set, event)
    return st.one_of([_event_deliveries(schema_set, name) for name in sorted(schema_set.event_schemas)])


def _event_deliveries(schema_set: SchemaSet, event: str) -> st.SearchStrategy[dict[str, Any]]:
    schema_id = schema_set.schema_id_for(event)
    if schema_id is None:
        raise UnknownEvent(event, schema_set.event_schemas)
    resolver = schema_set.registry.resolver(base_uri=schema_id)
    where = schema_set.relative_name(schema_id) + "#"
    # A delivery is an object even where the schema leaves the root's type open.
    root = [
        _Part(schema_set.resources[schema_id], resolver, where),
        _Part({"type": "object"}, resolver, where),
    ]
    strategy: st.SearchStrategy[dict[str, Any]] = _strategy(root)
    return strategy


@dataclass(frozen=True)
class _Part:
    """A schema object with the resolver in force where it stands, and its place for messages."""

    schema: Mapping[str, Any]
    resolver: Resolver[Any]
    where: str
    #: ids of the schemas ``$ref`` led through to reach this one, to refuse cycles.
    refs_followed: tuple[int, ...] = ()


@dataclass
class _Shape:
    """The conjunction of a schema, its ``$ref`` targets and its ``allOf`` branches, flattened."""

    types: set[str] = field(default_factory=lambda: set(TYPE_ORDER))
    constant: list[Any] | None = None  # the allowed values, when const/enum pin them
    properties: dict[str, list[_Part]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    allowed_keys: set[str] | None = None  # None: any key may appear
    unevaluated_closed: bool = False
    additional: list[_Part] = field(default_factory=list)
    key_patterns: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    items: list[_Part] = field(default_factory=list)
    bounds: dict[str, list[Any]] = field(default_factory=dict)


def _strategy(parts: list[_Part]) -> st.SearchStrategy[Any]:
    """Values valid against every schema of ``parts`` (one place may be constrained by several)."""
    shape = _Shape()
    for part in parts:
        _flatten(part, shape)
    where = parts[0].where
    if shape.constant is not None:
        values = [value for value in shape.constant if json_type(value) in shape.types]
        if not values:
            raise UnsupportedSchema(f"{where}: no value of const/enum has an allowed type")
        return st.sampled_from(values)
    choices = [_typed(shape, name, where) for name in _SIMPLEST_FIRST if name in shape.types]
    if not choices:
        raise UnsupportedSchema(f"{where}: the types allowed by the schema and its $refs do not overlap")
    return st.one_of(choices)


def _flatten(part: _Part, shape: _Shape) -> None:
    """Add the constraints of ``part`` (following ``$ref`` and ``allOf``) to ``shape``."""
    schema, resolver = part.schema, part.resolver
    if isinstance(schema, bool):  # a boolean schema: true admits anything, false nothing
        if schema:
            return
        raise UnsupportedSchema(f"{part.where}: the schema false admits no value")
    unknown = sorted(set(schema) - _SUPPORTED)
    if unknown:
        raise UnsupportedSchema(
            f"{part.where}: qase_contract.testing.strategies does not support {', '.join(unknown)}"
        )
    if isinstance(schema.get("$id"), str):
        from referencing.jsonschema import DRAFT202012

        resolver = resolver.in_subresource(DRAFT202012.create_resource(dict(schema)))
    followed = part.refs_followed

    def sub(subschema: Mapping[str, Any], where: str) -> _Part:
        return _Part(subschema, resolver, f"{part.where}/{where}", followed)

    if "$ref" in schema:
        target = resolver.lookup(schema["$ref"])
        if id(target.contents) in followed:
            raise UnsupportedSchema(f"{part.where}/$ref: recursive schemas are not supported")
        followed = (*followed, id(target.contents))
        _flatten(_Part(target.contents, target.resolver, f"{part.where}/$ref", followed), shape)
    for index, branch in enumerate(schema.get("allOf", ())):
        _flatten(sub(branch, f"allOf/{index}"), shape)
    if "type" in schema:
        declared = schema["type"]
        shape.types &= {declared} if isinstance(declared, str) else set(declared)
    for values in ([schema["const"]] if "const" in schema else None, schema.get("enum")):
        if values is not None:
            shape.constant = (
                list(values) if shape.constant is None else [v for v in shape.constant if v in values]
            )
    properties = schema.get("properties", {})
    for name, subschema in properties.items():
        shape.properties.setdefault(name, []).append(sub(subschema, f"properties/{name}"))
    shape.required |= set(schema.get("required", ()))
    additional = schema.get("additionalProperties", True)
    if additional is False:
        shape.allowed_keys = (
            set(properties) if shape.allowed_keys is None else shape.allowed_keys & set(properties)
        )
    elif isinstance(additional, Mapping):
        shape.additional.append(sub(additional, "additionalProperties"))
    unevaluated = schema.get("unevaluatedProperties", True)
    if unevaluated is False:
        shape.unevaluated_closed = True
    elif unevaluated is not True:
        raise UnsupportedSchema(f"{part.where}: only unevaluatedProperties: false is supported")
    names = schema.get("propertyNames")
    if names is not None:
        if not isinstance(names, Mapping) or set(names) - _IGNORED != {"pattern"}:
            raise UnsupportedSchema(f"{part.where}/propertyNames: only a pattern is supported")
        shape.key_patterns.append(names["pattern"])
    if "pattern" in schema:
        shape.patterns.append(schema["pattern"])
    if "items" in schema:
        shape.items.append(sub(schema["items"], "items"))
    for keyword in _BOUNDS:
        if keyword in schema:
            shape.bounds.setdefault(keyword, []).append(schema[keyword])


def _typed(shape: _Shape, name: str, where: str) -> st.SearchStrategy[Any]:
    if name == "null":
        return st.none()
    if name == "boolean":
        return st.booleans()
    if name == "integer":
        (low, above), (high, below) = _lower_bound(shape), _upper_bound(shape)
        low, high = max(low, -JSON_SAFE_INTEGER), min(high, JSON_SAFE_INTEGER)
        return st.integers(
            math.floor(low) + 1 if above else math.ceil(low),
            math.ceil(high) - 1 if below else math.floor(high),
        )
    if name == "number":
        (low, above), (high, below) = _lower_bound(shape), _upper_bound(shape)
        return st.floats(
            min_value=max(-float(JSON_SAFE_INTEGER), low),
            max_value=min(float(JSON_SAFE_INTEGER), high),
            exclude_min=above,
            exclude_max=below,
            allow_nan=False,
            allow_infinity=False,
        )
    if name == "string":
        return _strings(shape)
    if name == "array":
        items = _strategy(shape.items) if shape.items else _any_json()
        return st.lists(
            items,
            min_size=max(shape.bounds.get("minItems", [0])),
            max_size=min([*shape.bounds.get("maxItems", []), MAX_COLLECTION]),
        )
    return _objects(shape, where)


def _lower_bound(shape: _Shape) -> tuple[float, bool]:
    """The tightest lower bound, and whether it is exclusive (an exclusive one wins a tie)."""
    bounds = [(value, False) for value in shape.bounds.get("minimum", [])]
    bounds += [(value, True) for value in shape.bounds.get("exclusiveMinimum", [])]
    return max(bounds, default=(-math.inf, False))


def _upper_bound(shape: _Shape) -> tuple[float, bool]:
    bounds = [(value, False) for value in shape.bounds.get("maximum", [])]
    bounds += [(value, True) for value in shape.bounds.get("exclusiveMaximum", [])]
    return min(bounds, key=lambda bound: (bound[0], not bound[1]), default=(math.inf, False))


def _strings(shape: _Shape) -> st.SearchStrategy[str]:
    min_size = max(shape.bounds.get("minLength", [0]))
    max_size = min(shape.bounds.get("maxLength", []), default=None)
    if not shape.patterns:
        return st.text(min_size=min_size, max_size=max_size)
    # Drawn from a Python regex close to the first pattern, kept when every pattern matches
    # by ECMA-262, as the validator judges them.
    strings = st.from_regex(_python_pattern(shape.patterns[0]), fullmatch=True)
    return strings.filter(
        lambda text: (
            min_size <= len(text) <= (len(text) if max_size is None else max_size)
            and _matches_all(shape.patterns, text)
        )
    )


def _matches_all(patterns: list[str], text: str) -> bool:
    return all(search(pattern, text) for pattern in patterns)


def _python_pattern(pattern: str) -> re.Pattern[str]:
    try:
        return python_equivalent(pattern)
    except re.error as error:
        raise UnsupportedSchema(f"pattern {pattern!r} cannot be drawn from: {error}") from None


def _objects(shape: _Shape, where: str) -> st.SearchStrategy[dict[str, Any]]:
    allowed = shape.allowed_keys
    if shape.unevaluated_closed:
        allowed = set(shape.properties) if allowed is None else allowed & set(shape.properties)
    keys = [
        name
        for name in shape.properties
        if (allowed is None or name in allowed) and _matches_all(shape.key_patterns, name)
    ]
    missing = sorted(shape.required - set(keys))
    if missing:
        raise UnsupportedSchema(f"{where}: the required {', '.join(missing)} cannot be generated")
    values = {name: _strategy(shape.properties[name]) for name in keys}
    fixed = st.fixed_dictionaries(
        {name: values[name] for name in keys if name in shape.required},
        optional={name: values[name] for name in keys if name not in shape.required},
    )
    if not shape.additional or allowed is not None:
        return fixed
    patterns = shape.key_patterns
    extra_keys = (
        st.from_regex(_python_pattern(patterns[0]), fullmatch=True) if patterns else st.text(max_size=10)
    )
    extras = st.dictionaries(
        extra_keys.filter(lambda key: key not in shape.properties and _matches_all(patterns, key)),
        _strategy(shape.additional),
        max_size=MAX_COLLECTION,
    )
    return st.builds(lambda extra, own: {**extra, **own}, extras, fixed)


def _any_json() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers(-JSON_SAFE_INTEGER, JSON_SAFE_INTEGER) | st.text()
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=MAX_COLLECTION)
            | st.dictionaries(st.text(max_size=10), children, max_size=MAX_COLLECTION)
        ),
        max_leaves=5,
    )
