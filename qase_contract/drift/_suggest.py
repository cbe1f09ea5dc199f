"""Suggested overlay schemas that adopt what a corpus showed, ready for ``--schemas DIR``.

* a new field is declared where the object is closed (the subschema holding
  ``additionalProperties: false`` or ``unevaluatedProperties: false``), with its observed shape;
* a new type, a null or a new value of a closed set widens the subschema that declares the
  path: ``{"anyOf": [<as it was>, {"type": ...}, {"enum": [...]}]}``;
* a new event gets its own file, ``events/<entity>/<action>.schema.json``, built on the
  envelope with ``event_name`` pinned and the observed payload.

Only additive changes are adopted by default: new fields, new closed-set values, new events.
A breaking change (a type the contract does not allow, a null where it forbids one, a broken
value limit, a required field gone missing) is listed as not adopted, with the reason, so one
bad delivery in a corpus cannot hide a break from ``validate --schemas``. Adopting them is a
decision for a person: ``adopt_breaking`` (``--adopt-breaking``) widens the type, allows the
null, removes the broken limit keyword and makes the missing field optional.

Edits land in the file that declares the path, so a change to a shared definition in
``common/defs.schema.json`` is adopted by every event that uses it. The folder written is a
complete overlay: it also carries the overlay schemas the profile was made with. Observed
value sets become ``examples``, never ``enum``: a suggestion does not close a set on a guess.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from qase_contract._util.json_types import TYPE_ORDER
from qase_contract._util.pointer import pointer as render_pointer
from qase_contract.contract._keywords import KEY_PATTERN
from qase_contract.contract._schema_set import ENVELOPE_ID, SCHEMA_BASE, SchemaSet
from qase_contract.contract._tree import Place
from qase_contract.drift._compare import DriftReport, EventDrift, LimitBreak
from qase_contract.drift._profile import CorpusProfile, ObservedNode
from qase_contract.drift._shape import observed_schema

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
#: A part of a new event's file path: no hidden or dot-only names, and short enough for any disk.
_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


@dataclass
class Suggestion:
    """What a suggestion adopted, in which files, and what it could not adopt."""

    folder: str
    files: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    not_adopted: list[str] = field(default_factory=list)


@dataclass
class _Widening:
    types: list[str] = field(default_factory=list)
    values: list[object] = field(default_factory=list)
    branch: dict[str, Any] = field(default_factory=dict)  # observed shape of new container types


class _Edits:
    def __init__(self, schema_set: SchemaSet) -> None:
        self.schema_set = schema_set
        self.documents: dict[str, Any] = {}
        self.new_properties: dict[tuple[Place, str], dict[str, Any]] = {}
        self.widenings: dict[Place, _Widening] = {}
        self.loosened: set[tuple[Place, str]] = set()  # (subschema, limit keyword removed)
        self.optional: set[tuple[Place, str]] = set()  # (subschema, key dropped from required)

    def document(self, schema_id: str) -> Any:
        if schema_id not in self.documents:
            self.documents[schema_id] = copy.deepcopy(dict(self.schema_set.resources[schema_id]))
        return self.documents[schema_id]

    def apply(self) -> None:
        for (place, key), schema in self.new_properties.items():
            target = _at(self.document(place.schema_id), place.pointer)
            target.setdefault("properties", {})[key] = schema
        # Before the widenings below, which move the subschemas they wrap.
        for place, keyword in self.loosened:
            target = _at(self.document(place.schema_id), place.pointer)
            if keyword == KEY_PATTERN:
                names = target.get("propertyNames")
                if isinstance(names, dict):
                    names.pop("pattern", None)
                    if not names:
                        del target["propertyNames"]
            else:
                target.pop(keyword, None)
        for place, key in self.optional:
            target = _at(self.document(place.schema_id), place.pointer)
            required = target.get("required")
            if isinstance(required, list) and key in required:
                required.remove(key)
                if not required:
                    del target["required"]
        # Deepest first: wrapping a subschema moves everything below it.
        for place in sorted(self.widenings, key=lambda place: -place.pointer.count("/")):
            widening = self.widenings[place]
            document = self.document(place.schema_id)
            branches: list[Any] = [_at(document, place.pointer)]
            if widening.types:
                names = [name for name in TYPE_ORDER if name in widening.types]
                branches.append({"type": names[0] if len(names) == 1 else names, **widening.branch})
            if widening.values:
                branches.append({"enum": widening.values})
            _replace(document, place.pointer, {"anyOf": branches})


def suggest_overlay(
    profile: CorpusProfile,
    report: DriftReport,
    folder: str | PathLike[str],
    *,
    adopt_breaking: bool = False,
) -> Suggestion:
    """Write overlay schemas adopting the report's additive changes into ``folder`` (and its
    breaking ones with ``adopt_breaking``); say what was adopted and what was not, and why."""
    schema_set = profile.schema_set
    edits = _Edits(schema_set)
    suggestion = Suggestion(str(folder))
    new_files: dict[str, Any] = {}
    for event in report.events.values():
        if not event.known:
            _adopt_event(profile, event, new_files, suggestion, schema_set)
        _adopt_additive(event, edits, suggestion)
        if adopt_breaking:
            _adopt_breaking(event, edits, suggestion)
        else:
            _list_breaking(event, suggestion)
    edits.apply()
    documents = {**_overlay_documents(schema_set), **edits.documents, **new_files}
    root = Path(os.path.normpath(folder))
    for schema_id, document in sorted(documents.items()):
        relative = schema_set.relative_name(schema_id)
        if relative == schema_id:
            suggestion.not_adopted.append(
                f"{schema_id}: has no path under the built-in base, so it is not written"
            )
            continue
        target = Path(os.path.normpath(root / relative))
        if relative.startswith("/") or not target.is_relative_to(root):
            # An overlay's $id decides its path: never a file outside the folder asked for.
            suggestion.not_adopted.append(
                f"{schema_id}: its path leads outside {folder}, so it is not written"
            )
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        suggestion.files.append(relative)
    return suggestion


def _adopt_additive(event: EventDrift, edits: _Edits, suggestion: Suggestion) -> None:
    """New fields and new closed-set values: what consumers survive (drift)."""
    name = event.name
    for undocumented in event.undocumented_fields:
        closers = undocumented.parent.closers
        if not closers:
            suggestion.not_adopted.append(f"{name} {undocumented.path}: no schema closes this object")
            continue
        key = undocumented.path.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        schema = observed_schema(undocumented.node, value_sets="examples")
        for place in closers:
            earlier = edits.new_properties.get((place, key))
            edits.new_properties[(place, key)] = (
                schema if earlier in (None, schema) else {"anyOf": [earlier, schema]}
            )
        suggestion.adopted.append(
            f"{name} {undocumented.path}: new field declared in {_where(edits, closers)}"
        )
    for unknown in event.unknown_values:
        values = [item.value for item in unknown.values]
        if _widen(edits, unknown.node, unknown.path, name, suggestion, values=values):
            shown = ", ".join(json.dumps(value, ensure_ascii=False) for value in values)
            suggestion.adopted.append(f"{name} {unknown.path}: values {shown} added to the closed set")
        if not unknown.complete:
            suggestion.not_adopted.append(
                f"{name} {unknown.path}: more distinct values than the profile keeps; the rest are not added"
            )


#: Why a breaking change is not adopted by default, and what adopting it takes.
_BREAKING = "breaking: deliveries like these fail validate; --adopt-breaking adopts it"


def _list_breaking(event: EventDrift, suggestion: Suggestion) -> None:
    """The breaking changes, each with the reason it is not adopted."""
    name = event.name
    for change in event.type_changes:
        new = [type_name for type_name in change.seen if type_name not in change.expected]
        expected = " or ".join(change.expected) or "nothing"
        suggestion.not_adopted.append(
            f"{name} {change.path}: {' or '.join(new)} where the contract allows {expected} ({_BREAKING})"
        )
    for null in event.forbidden_nulls:
        suggestion.not_adopted.append(f"{name} {null.path}: null where the contract forbids it ({_BREAKING})")
    for broken in event.limit_breaks:
        suggestion.not_adopted.append(
            f"{name} {broken.path}: {_limit(broken)} broken in {broken.count} of {broken.of} ({_BREAKING})"
        )
    for missing in event.missing_required_fields:
        suggestion.not_adopted.append(
            f"{name} {missing.path}: a required field missing in {missing.missing} of {missing.of} "
            f"({_BREAKING})"
        )


def _adopt_breaking(event: EventDrift, edits: _Edits, suggestion: Suggestion) -> None:
    """``--adopt-breaking``: widen the types, allow the nulls, remove the broken limits and make
    the missing fields optional, where the contract declares them."""
    name = event.name
    for change in event.type_changes:
        new = [type_name for type_name in change.seen if type_name not in change.expected]
        if _widen(edits, change.node, change.path, name, suggestion, types=new):
            suggestion.adopted.append(
                f"{name} {change.path}: type widened with {' or '.join(new)} (breaking)"
            )
    for null in event.forbidden_nulls:
        if _widen(edits, null.node, null.path, name, suggestion, types=["null"]):
            suggestion.adopted.append(f"{name} {null.path}: null allowed (breaking)")
    for broken in event.limit_breaks:
        if broken.place is None:
            suggestion.not_adopted.append(f"{name} {broken.path}: no subschema declares {_limit(broken)}")
            continue
        edits.loosened.add((broken.place, broken.keyword))
        where = _where(edits, (broken.place,))
        suggestion.adopted.append(f"{name} {broken.path}: {_limit(broken)} removed from {where} (breaking)")
    for missing in event.missing_required_fields:
        places = missing.parent.requirers if missing.parent is not None else ()
        if not places:
            suggestion.not_adopted.append(f"{name} {missing.path}: no subschema requires this field")
            continue
        key = missing.path.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        edits.optional.update((place, key) for place in places)
        suggestion.adopted.append(
            f"{name} {missing.path}: made optional in {_where(edits, places)} (breaking)"
        )


def _limit(broken: LimitBreak) -> str:
    keyword = "propertyNames pattern" if broken.keyword == KEY_PATTERN else broken.keyword
    return f"{keyword} {json.dumps(broken.limit, ensure_ascii=False)}"


def _widen(
    edits: _Edits,
    node: ObservedNode,
    path: str,
    event: str,
    suggestion: Suggestion,
    types: list[str] | None = None,
    values: list[object] | None = None,
) -> bool:
    contract = node.contract
    origins = contract.origins if contract is not None else ()
    if not origins:
        suggestion.not_adopted.append(f"{event} {path}: no subschema declares this path")
        return False
    branch = _container_branch(node, types or [])
    for place in origins:
        widening = edits.widenings.setdefault(place, _Widening())
        widening.types.extend(name for name in types or [] if name not in widening.types)
        widening.values.extend(value for value in values or [] if value not in widening.values)
        widening.branch.update(branch)
    return True


def _container_branch(node: ObservedNode, types: list[str]) -> dict[str, Any]:
    """The observed keys or items of a new object or array type (nothing for scalars)."""
    observed = observed_schema(node, value_sets="examples")
    keep = set()
    if "object" in types:
        keep |= {"properties", "required", "additionalProperties"}
    if "array" in types:
        keep.add("items")
    return {keyword: value for keyword, value in observed.items() if keyword in keep}


def _adopt_event(
    profile: CorpusProfile,
    event: EventDrift,
    new_files: dict[str, Any],
    suggestion: Suggestion,
    schema_set: SchemaSet,
) -> None:
    entity, _, action = event.name.partition(".")
    if not action:
        entity, action = "other", entity
    parts = [_UNSAFE.sub("_", part) for part in (entity, action)]
    if not all(_FILE_NAME.fullmatch(part) for part in parts):
        suggestion.not_adopted.append(
            f"{event.name}: this event name makes no file name; write its schema by hand"
        )
        return
    relative = f"events/{parts[0]}/{parts[1]}.schema.json"
    schema_id = SCHEMA_BASE + relative
    if schema_id in schema_set.resources or schema_id in new_files:
        suggestion.not_adopted.append(f"{event.name}: {relative} already exists; write its schema by hand")
        return
    payload = profile.events[event.name].root.children.get("payload")
    new_files[schema_id] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": f"Qase webhook delivery: {event.name}",
        "description": (
            f"Suggested by qase-contract drift from {event.deliveries} observed "
            f"{'delivery' if event.deliveries == 1 else 'deliveries'}; review it before adopting."
        ),
        "$ref": "../../" + schema_set.relative_name(ENVELOPE_ID),
        "properties": {
            "event_name": {"type": "string", "const": event.name},
            "payload": observed_schema(payload, value_sets="examples") if payload is not None else {},
        },
    }
    suggestion.adopted.append(f"{event.name}: new event in {relative}")


def _overlay_documents(schema_set: SchemaSet) -> dict[str, Any]:
    """The schemas of the set that differ from the built-in ones (the overlays in use)."""
    builtin = SchemaSet.builtin().resources
    return {
        schema_id: dict(schema)
        for schema_id, schema in schema_set.resources.items()
        if builtin.get(schema_id) != schema
    }


def _where(edits: _Edits, places: tuple[Place, ...]) -> str:
    return ", ".join(f"{edits.schema_set.relative_name(place.schema_id)}#{place.pointer}" for place in places)


def _tokens(pointer: str) -> list[str]:
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def _at(document: Any, pointer: str) -> Any:
    for token in _tokens(pointer):
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def _replace(document: Any, pointer: str, value: Any) -> None:
    *parents, last = _tokens(pointer)
    parent = _at(document, render_pointer(parents))
    if isinstance(parent, list):
        parent[int(last)] = value
    else:
        parent[last] = value
