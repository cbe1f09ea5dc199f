"""The schema set as named components: the envelope, each event's delivery and every definition
they reach, each under one name, with every ``$ref`` pointing at a name.

This is the shape OpenAPI and AsyncAPI keep schemas in (``components/schemas``), and the one
the code generator turns into Python types, so both read the contract from here. Unlike
:func:`~qase_contract.contract.bundled`, nothing is inlined: a shared definition stays one
component however many events use it, and a ``$ref`` keeps the keywords beside it.

Names: the envelope is ``Envelope``; an event's delivery is its name in PascalCase
(``run.completed`` -> ``RunCompleted``) and its ``$defs`` entries follow it
(``RunCompletedPayload``); any other file's ``$defs`` entry is the entry's name in PascalCase
(``testCase`` -> ``TestCase``), prefixed with its file's name if another took that name first.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from qase_contract.contract._inventory import listed_events
from qase_contract.contract._keywords import DATA_KEYWORDS, SCHEMA_MAPS
from qase_contract.contract._schema_set import ENVELOPE_ID, SchemaSet
from qase_contract.errors import BundleError

#: Where a component lives in an OpenAPI or AsyncAPI document, and so where every ``$ref`` points.
COMPONENTS = "#/components/schemas/"
#: Identity and storage keywords with no meaning once every definition is a component.
_DROPPED = frozenset({"$schema", "$id", "$defs", "definitions"})
#: Reference forms a named component cannot stand for.
_UNSUPPORTED = ("$dynamicRef", "$recursiveRef", "$anchor", "$dynamicAnchor")

Target = tuple[str, str]  # (schema id, JSON pointer inside it: "" or "/$defs/<name>")


@dataclass(frozen=True)
class Components:
    """Named schemas, and which name each event's delivery and the envelope have."""

    schemas: dict[str, dict[str, Any]]
    #: event name -> the component of its delivery, in the catalogue's order (overlay events last)
    deliveries: dict[str, str]
    envelope: str
    #: component -> (schema id, pointer) it was made from
    origins: dict[str, Target]

    def payload_of(self, name: str) -> str | None:
        """The event whose payload definition (``$defs/payload``) component ``name`` is, if any."""
        schema_id, where = self.origins[name]
        if where != "/$defs/payload":
            return None
        owners = (
            event for event, delivery in self.deliveries.items() if self.origins[delivery][0] == schema_id
        )
        return next(owners, None)


def components(schema_set: SchemaSet) -> Components:
    """Every schema the envelope and the events reach, named; raises :class:`BundleError` for a
    reference that cannot name a component (into the middle of a schema, or a dynamic one)."""
    namer = _Namer(schema_set)
    envelope = namer.name((ENVELOPE_ID, ""))
    deliveries = {
        entry.name: namer.name((schema_set.event_schemas[entry.name], ""))
        for entry in listed_events(schema_set)
    }
    rendered: dict[str, dict[str, Any]] = {}
    position = 0
    while position < len(namer.order):
        target = namer.order[position]
        position += 1
        schema_id, where = target
        node = _at(schema_set.resources[schema_id], where, schema_set.relative_name(schema_id))
        rendered[namer.names[target]] = _Rewriter(namer, schema_set, schema_id).schema(node, where)
    roots = [ENVELOPE_ID, *(schema_set.event_schemas[event] for event in deliveries)]
    ordered = [target for root in roots for target in namer.order if target[0] == root]
    # The shared definitions follow, by name: the order a reader of a document looks them up in.
    shared = (target for target in namer.order if target[0] not in roots)
    ordered += sorted(shared, key=namer.names.__getitem__)
    return Components(
        schemas={namer.names[target]: rendered[namer.names[target]] for target in ordered},
        deliveries=deliveries,
        envelope=envelope,
        origins={namer.names[target]: target for target in ordered},
    )


def pascal_case(text: str) -> str:
    """``run.completed`` -> ``RunCompleted``, ``testCase`` -> ``TestCase``: a Python identifier."""
    words = [word for word in re.split(r"[^A-Za-z0-9]+", text) if word]
    name = "".join(word[0].upper() + word[1:] for word in words)
    return name if name[:1].isalpha() else f"Schema{name}"


class _Namer:
    def __init__(self, schema_set: SchemaSet) -> None:
        self._schema_set = schema_set
        self._events = {schema_id: event for event, schema_id in schema_set.event_schemas.items()}
        self.names: dict[Target, str] = {}
        self.order: list[Target] = []

    def name(self, target: Target) -> str:
        known = self.names.get(target)
        if known is not None:
            return known
        schema_id, where = target
        event = self._events.get(schema_id)
        stem = pascal_case(self._schema_set.relative_name(schema_id).rsplit("/", 1)[-1].split(".")[0])
        if schema_id == ENVELOPE_ID:
            owner = "Envelope"
        elif event is not None:
            owner = pascal_case(event)
        else:
            owner = stem
        if where:
            entry = pascal_case(where.removeprefix("/$defs/"))
            candidates = [owner + entry] if event or schema_id == ENVELOPE_ID else [entry, owner + entry]
        else:
            candidates = [owner]
        taken = set(self.names.values())
        numbered = (f"{candidates[-1]}{number}" for number in range(2, len(taken) + 3))
        name = next(candidate for candidate in (*candidates, *numbered) if candidate not in taken)
        self.names[target] = name
        self.order.append(target)
        return name


class _Rewriter:
    """Copies one schema, pointing each ``$ref`` at the component it names."""

    def __init__(self, namer: _Namer, schema_set: SchemaSet, schema_id: str) -> None:
        self._namer = namer
        self._schema_set = schema_set
        self._schema_id = schema_id

    def schema(self, node: Any, where: str) -> Any:
        if isinstance(node, list):
            return [self.schema(item, f"{where}/{index}") for index, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if where and isinstance(node.get("$id"), str):
            raise self._error(
                where, "a schema embedded with its own $id cannot be exported; move it to a file"
            )
        for keyword in _UNSUPPORTED:
            if keyword in node:
                raise self._error(where, f"{keyword} cannot be exported; qase-contract schemas use $ref only")
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED:
                continue
            if key == "$ref" and isinstance(value, str):
                result[key] = COMPONENTS + self._namer.name(self._target(value, where))
            elif key in SCHEMA_MAPS and isinstance(value, dict):
                result[key] = {name: self.schema(sub, f"{where}/{key}/{name}") for name, sub in value.items()}
            elif key in DATA_KEYWORDS:
                result[key] = copy.deepcopy(value)
            else:
                result[key] = self.schema(value, f"{where}/{key}")
        return result

    def _target(self, ref: str, where: str) -> Target:
        document, fragment = urldefrag(urljoin(self._schema_id, ref))
        fragment = unquote(fragment)
        if document not in self._schema_set.resources:
            raise self._error(where, f"$ref {ref!r} points outside the schema set")
        if fragment and not re.fullmatch(r"/\$defs/[^/]+", fragment):
            raise self._error(
                where, f"$ref {ref!r} points inside a schema; only whole schemas and $defs entries are named"
            )
        return document, fragment

    def _error(self, where: str, reason: str) -> BundleError:
        return BundleError(f"{self._schema_set.relative_name(self._schema_id)}#{where}: {reason}")


def _at(schema: Any, where: str, name: str) -> Any:
    if not where:
        return schema
    entry = where.removeprefix("/$defs/").replace("~1", "/").replace("~0", "~")
    definitions = schema.get("$defs") if isinstance(schema, dict) else None
    if not isinstance(definitions, dict) or entry not in definitions:
        raise BundleError(f"{name}: $ref to #{where}, which the file does not define")
    return definitions[entry]
