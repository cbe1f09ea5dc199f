"""Self-contained and tolerant renderings of a schema, for validators other than ours.

:func:`bundled` inlines every ``$ref`` of an event's schema, so the result is one JSON Schema
2020-12 document that any validator can use with no registry, no base URI and no network.
Inlining beats the spec's compound-document form (resources embedded under ``$defs`` by
``$id``) for portability: Ajv refuses a second schema that embeds an ``$id`` it has already
seen, so two bundles sharing ``common/defs`` could not be compiled side by side, and the
compound form cannot be pasted into another document such as an OpenAPI file.
(jsonschema-rs 0.61's ``bundle`` embeds the fragment a ``$ref`` points at under its
document's ``$id``, which breaks the refs inside that document, so it is not used.)
A reference cycle, which no built-in schema has, is kept as a local ``#/$defs/...`` ref.

:func:`opened` is the tolerant rendering of DESIGN decision 1: without the closing keywords
a plain validator accepts every drift the toolkit reports and still rejects every violation.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from qase_contract._util.pointer import escape
from qase_contract.contract._inventory import schema_id_named
from qase_contract.contract._keywords import ANNOTATIONS, DATA_KEYWORDS, IDENTITY, SCHEMA_MAPS
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import BundleError

if TYPE_CHECKING:
    from referencing._core import Resolver  # not re-exported at the top level; typing only

#: A keyword -> the keywords of the same object whose results it depends on. Merging a
#: referenced schema into its referrer must not make such a pair adjacent when it was not.
_ADJACENT_DEPENDENCIES = {
    "additionalProperties": frozenset({"properties", "patternProperties"}),
    "items": frozenset({"prefixItems"}),
    "then": frozenset({"if"}),
    "else": frozenset({"if"}),
    "minContains": frozenset({"contains"}),
    "maxContains": frozenset({"contains"}),
}
#: These see every adjacent keyword, so they may not gain new neighbours.
_UNEVALUATED = frozenset({"unevaluatedProperties", "unevaluatedItems"})
#: Identity and storage keywords that inlining makes meaningless (refs are resolved by then).
_DROPPED = IDENTITY | {"$ref"}
#: Closing keywords removed by :func:`opened`: an unknown field or value is drift, not a violation.
_CLOSING = ("additionalProperties", "unevaluatedProperties")

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def bundled(schema_set: SchemaSet, event_name: str) -> dict[str, Any]:
    """The schema of ``event_name`` (or ``envelope``) as one document with every ``$ref`` inlined.

    Raises :class:`~qase_contract.UnknownEvent` for a name the set does not know.
    """
    schema_id = schema_id_named(schema_set, event_name)
    root = schema_set.resources[schema_id]
    return _Inliner(schema_set, schema_id, root).document()


def opened(schema: Any) -> Any:
    """A copy of ``schema`` that accepts unknown fields and values of closed sets, everywhere in it.

    ``additionalProperties: false`` and ``unevaluatedProperties: false`` go, and so does every
    ``enum``: the toolkit calls any value outside an enum drift, whatever its type, so the
    ``type`` beside the enum (every built-in enum has one) is what still checks the value.
    Bundle first: the shared definitions a ``$ref`` reaches are not opened through it.
    """
    if isinstance(schema, list):
        return [opened(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if (key in _CLOSING and value is False) or key == "enum":
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            result[key] = {name: opened(subschema) for name, subschema in value.items()}
        elif key in DATA_KEYWORDS:
            result[key] = copy.deepcopy(value)
        else:
            result[key] = opened(value)
    return result


class _Inliner:
    """Walks one schema, replacing each ``$ref`` by the schema it points at, recursively."""

    def __init__(self, schema_set: SchemaSet, schema_id: str, root: Any) -> None:
        self._root = root
        self._resolver = schema_set.registry.resolver(base_uri=schema_id)
        self._schema_id = schema_id
        self._expanding: list[int] = []  # id() of the referenced schemas being inlined: a cycle guard
        self._cycle_names: dict[int, str] = {}
        self._cycle_defs: dict[str, Any] = {}

    def document(self) -> dict[str, Any]:
        self._expanding.append(id(self._root))
        body = self._schema(self._root, self._resolver)
        dialect = self._root.get("$schema", DRAFT_2020_12)
        document: dict[str, Any] = {"$schema": dialect, "$id": self._schema_id}
        document.update(body if isinstance(body, dict) else {"allOf": [body]})
        if self._cycle_defs:
            document["$defs"] = self._cycle_defs
        return document

    def _schema(self, node: Any, resolver: Resolver[Any]) -> Any:
        if isinstance(node, list):
            return [self._schema(item, resolver) for item in node]
        if not isinstance(node, dict):
            return node
        if "$dynamicRef" in node or "$recursiveRef" in node:
            raise BundleError("$dynamicRef cannot be bundled; qase-contract schemas use $ref only")
        if isinstance(node.get("$id"), str):
            from referencing.jsonschema import DRAFT202012

            resolver = resolver.in_subresource(DRAFT202012.create_resource(node))
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED:
                continue
            if key in SCHEMA_MAPS and isinstance(value, dict):
                result[key] = {name: self._schema(subschema, resolver) for name, subschema in value.items()}
            elif key in DATA_KEYWORDS:
                result[key] = copy.deepcopy(value)
            else:
                result[key] = self._schema(value, resolver)
        ref = node.get("$ref")
        if isinstance(ref, str):
            return _combined(result, self._target(ref, resolver))
        return result

    def _target(self, ref: str, resolver: Resolver[Any]) -> Any:
        from referencing.exceptions import Unresolvable

        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as error:
            raise BundleError(f"$ref {ref!r} does not resolve: {error}") from None
        target = resolved.contents
        if target is self._root:
            return {"$ref": "#"}
        if id(target) in self._expanding:
            return {"$ref": "#/$defs/" + escape(self._cycle_name(target, ref))}
        self._expanding.append(id(target))
        try:
            expansion = self._schema(target, resolved.resolver)
        finally:
            self._expanding.pop()
        name = self._cycle_names.get(id(target))
        if name is not None:
            self._cycle_defs[name] = expansion
        return expansion

    def _cycle_name(self, target: Any, ref: str) -> str:
        name = self._cycle_names.get(id(target))
        if name is None:
            base = ref.rsplit("/", 1)[-1].split("#")[0] or "schema"
            name, number = base, 1
            while name in self._cycle_names.values():
                number += 1
                name = f"{base}-{number}"
            self._cycle_names[id(target)] = name
        return name


def _combined(referrer: dict[str, Any], target: Any) -> Any:
    """``referrer`` (a schema whose ``$ref`` was removed) applied together with ``target``.

    Merged into one object where that cannot change a verdict (the usual case: a ``$ref``
    with a description beside it); otherwise the target goes under ``allOf``.
    """
    if target is True or target == {}:
        return referrer
    if isinstance(target, dict) and _mergeable(referrer, target):
        return {**referrer, **target, **referrer}  # the referrer's keys first, and its annotations win
    return {**referrer, "allOf": [*referrer.get("allOf", []), target]}


def _mergeable(referrer: dict[str, Any], target: dict[str, Any]) -> bool:
    mine = set(referrer) - ANNOTATIONS
    theirs = set(target) - ANNOTATIONS
    if mine & theirs or "$ref" in theirs:
        return False
    if mine and theirs & _UNEVALUATED:
        return False
    return not any(
        _ADJACENT_DEPENDENCIES.get(key, frozenset()) & other
        for one, other in ((mine, theirs), (theirs, mine))
        for key in one
    )
