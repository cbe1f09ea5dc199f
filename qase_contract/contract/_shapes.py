"""The contract as Python-shaped definitions: objects with fields, and named type aliases.

The code generator renders these twice, as ``TypedDict``s (``qase_contract.types``) and as
pydantic models (``qase_contract.models``); this module decides what each schema means as a
type, once. It reads the named components (:mod:`._components`) and understands exactly the
keywords the contract uses (``type`` and type arrays, ``properties``, ``required``,
``additionalProperties``, ``propertyNames``, ``items``, ``const``, ``enum``, ``minimum``,
``maximum``, ``pattern``, and ``$ref`` with ``required``/``properties`` beside it); anything
else is a :class:`~qase_contract.errors.BundleError`, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qase_contract.contract._components import COMPONENTS, Components, pascal_case
from qase_contract.contract._keywords import ANNOTATIONS
from qase_contract.errors import BundleError

#: Keywords a schema may carry beside a ``$ref`` and still be read as "that object, with ...".
_MERGEABLE = frozenset({"type", "properties", "required", "additionalProperties", "unevaluatedProperties"})
_UNDERSTOOD = (
    ANNOTATIONS
    | _MERGEABLE
    | {
        "$ref",
        "const",
        "enum",
        "items",
        "minimum",
        "maximum",
        "pattern",
        "propertyNames",
    }
)
_SCALARS = {"integer": "int", "string": "str", "boolean": "bool", "number": "float", "null": "None"}


# -- type expressions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    """``int``, ``str``, ``bool``, ``float`` or ``None``, with the contract's bounds on it."""

    kind: str
    minimum: int | float | None = None
    maximum: int | float | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class Choice:
    """A ``const`` (``closed``) or an ``enum``; an enum's outside values are drift, so it is open."""

    values: tuple[Any, ...]
    closed: bool
    kind: str


@dataclass(frozen=True)
class Named:
    """A definition by name; ``nullable`` when the schema it names also accepts ``null``."""

    name: str
    nullable: bool = False


@dataclass(frozen=True)
class ArrayOf:
    item: TypeExpr


@dataclass(frozen=True)
class MapOf:
    """An object whose keys are data (``additionalProperties`` with a schema)."""

    value: TypeExpr
    key_pattern: str | None = None


@dataclass(frozen=True)
class AnyObject:
    """An object that declares no keys: every key it carries is drift."""


@dataclass(frozen=True)
class AnyValue:
    """Any JSON value."""


@dataclass(frozen=True)
class OneOf:
    members: tuple[TypeExpr, ...]


TypeExpr = Scalar | Choice | Named | ArrayOf | MapOf | AnyObject | AnyValue | OneOf


# -- definitions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str
    type: TypeExpr
    required: bool
    description: str | None


@dataclass(frozen=True)
class ObjectShape:
    """A closed object of the contract: a ``TypedDict`` or a model."""

    name: str
    description: str
    fields: tuple[Field, ...]
    event: str | None = None  # the event it is the delivery of


@dataclass(frozen=True)
class AliasShape:
    """A named type that is not an object with fields: a scalar, an enum, a map, a union."""

    name: str
    description: str
    type: TypeExpr


Shape = ObjectShape | AliasShape


@dataclass
class Shapes:
    """Every definition, in an order where each comes after those it uses."""

    definitions: list[Shape] = field(default_factory=list)
    deliveries: dict[str, str] = field(default_factory=dict)  # event -> delivery object name
    envelope: str = ""


def shapes(named: Components) -> Shapes:
    reader = _Reader(named)
    for name in named.schemas:
        reader.define(name)
    return Shapes(reader.ordered(), dict(named.deliveries), named.envelope)


class _Reader:
    def __init__(self, named: Components) -> None:
        self._named = named
        self._shapes: dict[str, Shape] = {}
        self._nullable: dict[str, bool] = {}
        self._uses: dict[str, set[str]] = {}
        self._defining: list[str] = []

    def define(self, name: str) -> Shape:
        known = self._shapes.get(name)
        if known is not None:
            return known
        if name in self._defining:
            raise BundleError(f"{name}: a definition that contains itself cannot be a Python type")
        self._defining.append(name)
        try:
            schema = self._named.schemas[name]
            self._uses[name] = set()
            event = next((e for e, delivery in self._named.deliveries.items() if delivery == name), None)
            description = schema.get("description") or self._fallback_description(name, event)
            if event is not None and "description" in schema:
                description = f"The {event} delivery. {description}"
            shape: Shape
            if self._is_object(schema):
                shape = ObjectShape(name, description, self._fields(schema, name), event)
                self._nullable[name] = "null" in _types(schema)
            else:
                shape = AliasShape(name, description, self._type(schema, name, name))
                self._nullable[name] = False
            self._shapes[name] = shape
            return shape
        finally:
            self._defining.pop()

    def ordered(self) -> list[Shape]:
        done: list[str] = []

        def visit(name: str) -> None:
            if name in done:
                return
            for used in sorted(self._uses[name]):
                visit(used)
            done.append(name)

        for name in self._named.schemas:
            visit(name)
        extra = [name for name in self._shapes if name not in done]  # inline objects, named on the way
        for name in extra:
            visit(name)
        return [self._shapes[name] for name in done]

    def _fallback_description(self, name: str, event: str | None) -> str:
        if event is not None:
            return f"A {event} delivery."
        payload_of = self._named.payload_of(name) if name in self._named.origins else None
        if payload_of is not None:
            return f"The payload of a {payload_of} delivery."
        return f"The {name} definition of the contract."

    @staticmethod
    def _is_object(schema: dict[str, Any]) -> bool:
        if "$ref" in schema:
            return bool(set(schema) & {"required", "properties"})
        return "object" in _types(schema) and isinstance(schema.get("properties"), dict)

    def _fields(self, schema: dict[str, Any], owner: str) -> tuple[Field, ...]:
        """The fields of an object schema, or of ``$ref`` + ``required``/``properties`` (a merge)."""
        _check_understood(schema, owner)
        properties: dict[str, Any] = {}
        required: list[str] = []
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target_name = _ref_name(ref)
            target = self.define(target_name)
            if not isinstance(target, ObjectShape) or set(schema) - ANNOTATIONS - _MERGEABLE - {"$ref"}:
                raise BundleError(
                    f"{owner}: only an object with properties may have a required list by its $ref"
                )
            self._uses[owner] |= self._uses[target_name]
            base = target.fields
            properties = {f.key: f for f in base}
            required = [f.key for f in base if f.required]
        fields: dict[str, Field] = dict(properties)
        for key, subschema in (schema.get("properties") or {}).items():
            if not key.isidentifier():
                raise BundleError(f"{owner}: the key {key!r} cannot be a field name")
            expression = self._type(subschema, owner + pascal_case(key), owner)
            fields[key] = Field(key, expression, False, _description(subschema, self._named))
        required += [key for key in schema.get("required", []) if key not in required]
        for key in required:
            if key not in fields:
                fields[key] = Field(key, AnyValue(), True, None)
        return tuple(Field(f.key, f.type, f.key in required, f.description) for f in fields.values())

    def _type(self, schema: Any, context: str, owner: str) -> TypeExpr:
        """The type of ``schema``; an inline object becomes a definition named ``context``."""
        if schema is True or schema == {}:
            return AnyValue()
        if not isinstance(schema, dict):
            raise BundleError(f"{owner}: a false schema has no type")
        _check_understood(schema, owner)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if set(schema) & {"required", "properties"}:
                return self._inline_object(schema, context, owner)
            if set(schema) - ANNOTATIONS - {"$ref"}:
                raise BundleError(f"{owner}: {sorted(set(schema) - ANNOTATIONS)} beside a $ref")
            name = _ref_name(ref)
            self._uses[owner].add(name)
            self.define(name)
            return Named(name, self._nullable[name])
        if "const" in schema:
            return Choice((schema["const"],), closed=True, kind=_kind_of(schema["const"]))
        members: list[TypeExpr] = []
        types = _types(schema)
        if "enum" in schema:
            values = tuple(schema["enum"])
            kinds = {_kind_of(value) for value in values}
            members.append(Choice(values, closed=False, kind=kinds.pop() if len(kinds) == 1 else "any"))
            types = [t for t in types if _SCALARS.get(t) not in {_kind_of(value) for value in values}]
        if not types and not members:
            return AnyValue()
        for json_type in types:
            members.append(self._member(schema, json_type, context, owner))
        return members[0] if len(members) == 1 else OneOf(tuple(members))

    def _member(self, schema: dict[str, Any], json_type: str, context: str, owner: str) -> TypeExpr:
        if json_type in ("integer", "number"):
            return Scalar(_SCALARS[json_type], schema.get("minimum"), schema.get("maximum"))
        if json_type == "string":
            return Scalar("str", pattern=schema.get("pattern"))
        if json_type in _SCALARS:
            return Scalar(_SCALARS[json_type])
        if json_type == "array":
            return ArrayOf(self._type(schema.get("items", True), context + "Item", owner))
        if json_type != "object":
            raise BundleError(f"{owner}: unknown type {json_type!r}")
        if isinstance(schema.get("properties"), dict):
            return self._inline_object(schema, context, owner)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            names = schema.get("propertyNames")
            pattern = names.get("pattern") if isinstance(names, dict) else None
            return MapOf(self._type(extra, context + "Value", owner), pattern)
        return AnyObject()

    def _inline_object(self, schema: dict[str, Any], name: str, owner: str) -> Named:
        """An object defined where it is used, named after its place (``owner`` + key)."""
        if name in self._named.schemas or name in self._shapes:
            raise BundleError(f"{name}: an inline object's name is taken by a definition")
        self._uses[owner].add(name)
        self._uses[name] = set()
        description = _description(schema, self._named) or name
        self._shapes[name] = ObjectShape(name, description, self._fields(schema, name))
        self._nullable[name] = "null" in _types(schema)
        return Named(name, self._nullable[name])


def _types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    return list(declared) if isinstance(declared, list) else []


def _kind_of(value: Any) -> str:
    if value is None:
        return "None"
    return {bool: "bool", int: "int", float: "float", str: "str"}.get(type(value), "any")


def _ref_name(ref: str) -> str:
    if not ref.startswith(COMPONENTS):
        raise BundleError(f"$ref {ref!r} does not name a component")
    return ref.removeprefix(COMPONENTS)


def _description(schema: Any, named: Components) -> str | None:
    if not isinstance(schema, dict):
        return None
    description = schema.get("description")
    if isinstance(description, str):
        return description
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(COMPONENTS):
        target = named.schemas.get(_ref_name(ref), {}).get("description")
        return target if isinstance(target, str) else None
    return None


def _check_understood(schema: dict[str, Any], owner: str) -> None:
    unknown = set(schema) - _UNDERSTOOD
    if unknown:
        raise BundleError(f"{owner}: the code generator does not read {', '.join(sorted(unknown))}")
