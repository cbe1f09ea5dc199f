"""A read-set against the contract: which read paths exist, which are risky, what is read.

Each read path is followed down the contract tree of every event its key matches
(:mod:`qase_contract.contract._tree`). :func:`check_reads` finds the mistakes (a path no event
has, a pattern that matches no event) and the risks (a field that can be absent or null, a
closed set a new value can arrive in); :func:`coverage` lists each event's documented fields
and which of them are read; :func:`generalized` turns the map keys a recording saw into ``*``.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from qase_contract._util.json_types import TYPE_ORDER
from qase_contract._util.names import close_names, did_you_mean
from qase_contract._util.pointer import child, unescape
from qase_contract.contract._reads import ANY, ReadSet, segments
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.contract._tree import ContractNode, Contracts

Level = Literal["error", "warning", "note"]
RiskKind = Literal["optional", "nullable", "closed-set"]


@dataclass(frozen=True)
class Step:
    """One segment of a read path followed down the contract: the pointer so far, its node,
    and whether the contract lets it be absent (a key its object does not require)."""

    pointer: str
    node: ContractNode
    optional: bool


@dataclass(frozen=True)
class Miss:
    """Where a read path leaves the contract: the pointer of the last place found, and the
    keys the contract declares there (for "did you mean")."""

    found: str
    known: tuple[str, ...]


@dataclass(frozen=True)
class Risk:
    """Why a read path may not hold what the consumer expects."""

    kind: RiskKind
    at: str  # the pointer of the step concerned: the read path itself or one above it
    description: str
    values: tuple[object, ...] = ()

    def says(self, path: str) -> str:
        """The risk in words, for the read path ``path``, with the contract's own description."""
        if self.kind == "closed-set":
            listed = ", ".join(json.dumps(value, ensure_ascii=False) for value in self.values)
            return (
                f"{path} is one of a closed set ({listed}): a value Qase adds arrives as "
                "unknown-value drift, which affects you"
            )
        state = "null" if self.kind == "nullable" else "absent (not required)"
        words = f"{path} can be {state}" if self.at == path else f"{path} is absent when {self.at} is {state}"
        return f'{words}: "{self.description}"' if self.description else words


def follow(tree: ContractNode, path: str) -> list[Step] | Miss:
    """The steps of ``path`` down ``tree``, or where it leaves the contract.

    A ``*`` segment follows an array's items or a map's entries; a key follows the declared
    property, or a map's entries; an index follows an array's items. Below a place the
    contract leaves open (no declared keys, items or entries), anything is accepted.
    """
    steps: list[Step] = []
    node, where = tree, ""
    for segment in segments(path):
        declared = None if segment == ANY else node.properties.get(unescape(segment))
        below: ContractNode | None
        optional = True
        if declared is not None:
            below, optional = declared, unescape(segment) not in node.required
        elif segment == ANY:
            below = node.items if node.items is not None else node.additional
        elif node.additional is not None:
            below = node.additional
        else:
            below = node.items if segment.isdigit() else None
        if below is None:
            if _open(node):
                return steps  # the contract says nothing below here
            return Miss(where, tuple(node.properties))
        where = f"{where}/{segment}"
        steps.append(Step(where, below, optional))
        node = below
    return steps


def _open(node: ContractNode) -> bool:
    """An object or array (or any value) whose contract declares nothing inside it."""
    if node.properties or node.additional is not None or node.items is not None or node.closed:
        return False
    return node.types is None or "object" in node.types or "array" in node.types


def risks_of(steps: list[Step]) -> list[Risk]:
    """The risks along a followed read path: optional or nullable steps, a closed set (an
    ``enum``) at its end. A ``*`` step (an array's items, a map's entries) is iteration, not a risk."""
    found: list[Risk] = []
    for step in steps:
        last = step.pointer.rsplit("/", 1)[-1]
        if step.optional and last != ANY and not last.isdigit():
            found.append(Risk("optional", step.pointer, step.node.description))
        if step.node.types is not None and "null" in step.node.types:
            found.append(Risk("nullable", step.pointer, step.node.description))
    values = steps[-1].node.values if steps else None
    if values is not None and len(values) > 1:  # a const (event_name) is no set to grow
        leaf = steps[-1]
        found.append(Risk("closed-set", leaf.pointer, leaf.node.description, values))
    return found


@dataclass(frozen=True)
class ReadsItem:
    """One line of ``reads check``: a mistake (error), a risk (warning) or a closed set (note)."""

    level: Level
    pattern: str
    path: str | None  # None: the entry itself (a pattern that matches no event)
    events: tuple[str, ...]  # the events it holds for
    message: str


def check_reads(read_set: ReadSet, schema_set: SchemaSet) -> list[ReadsItem]:
    """Every mistake and risk of ``read_set`` against the contract, in the read-set's order."""
    contracts = Contracts(schema_set)
    names = sorted(schema_set.event_schemas)
    items: list[ReadsItem] = []
    for pattern, paths in read_set.events.items():
        events = [name for name in names if fnmatch.fnmatchcase(name, pattern)]
        if not events:
            _, hint = did_you_mean(pattern, names)
            what = "event" if not _is_pattern(pattern) else "pattern"
            message = f"{what} {pattern!r} matches no event of the contract{hint}"
            items.append(ReadsItem("error", pattern, None, (), message))
            continue
        trees = {name: contracts.tree(schema_set.event_schemas[name]) for name in events}
        for path in paths:
            items.extend(_path_items(pattern, path, trees))
    return items


def _path_items(pattern: str, path: str, trees: dict[str, ContractNode]) -> Iterator[ReadsItem]:
    followed = {name: follow(tree, path) for name, tree in trees.items()}
    missing = {name: miss for name, miss in followed.items() if isinstance(miss, Miss)}
    if len(missing) == len(followed):
        hint = _suggestions(path, missing.values())
        events = tuple(missing)
        where = events[0] if len(events) == 1 else f"any of the {len(events)} events {pattern!r} matches"
        yield ReadsItem("error", pattern, path, events, f"{path or '/'}: no such field in {where}{hint}")
        return
    if missing:
        absent = tuple(missing)
        yield ReadsItem(
            "warning",
            pattern,
            path,
            absent,
            f"{path or '/'} is not in the contract of {', '.join(absent)}; it is absent from those events",
        )
    said: dict[tuple[Level, str], list[str]] = {}
    for name, steps in followed.items():
        if isinstance(steps, Miss):
            continue
        for risk in risks_of(steps):
            level: Level = "note" if risk.kind == "closed-set" else "warning"
            said.setdefault((level, risk.says(path or "/")), []).append(name)
    for (level, message), holding in said.items():
        yield ReadsItem(level, pattern, path, tuple(holding), message)


def _suggestions(path: str, misses: Iterable[Miss]) -> str:
    """``; did you mean /payload/status?``: the path with the segment that left the contract
    replaced by the declared keys that look like it."""
    parts = segments(path)
    suggested: dict[str, None] = {}
    for miss in misses:
        depth = len(segments(miss.found))
        rest = "".join(f"/{part}" for part in parts[depth + 1 :])
        for key in close_names(unescape(parts[depth]), miss.known):
            suggested[child(miss.found, key) + rest] = None
    return f"; did you mean {', '.join(suggested)}?" if suggested else ""


@dataclass(frozen=True)
class Field:
    """A documented field of an event (a leaf of its contract), and what the read-set says of it."""

    path: str
    types: str
    read: bool


@dataclass(frozen=True)
class EventCoverage:
    """One event a read-set reads: its documented fields, the read paths, and their risks."""

    event: str
    patterns: tuple[str, ...]
    fields: tuple[Field, ...]
    risky: dict[str, tuple[str, ...]]  # read path -> what makes it risky
    undocumented: tuple[str, ...]  # read paths the contract of this event does not have

    @property
    def read_count(self) -> int:
        return sum(field.read for field in self.fields)


@dataclass(frozen=True)
class Coverage:
    events: tuple[EventCoverage, ...]
    unread_events: tuple[str, ...]


def coverage(read_set: ReadSet, schema_set: SchemaSet) -> Coverage:
    """Per event the read-set reads: the documented fields, which are read, which read paths are risky."""
    contracts = Contracts(schema_set)
    covered: list[EventCoverage] = []
    unread: list[str] = []
    for name in sorted(schema_set.event_schemas):
        patterns = read_set.patterns_for(name)
        if not patterns:
            unread.append(name)
            continue
        tree = contracts.tree(schema_set.event_schemas[name])
        fields = tuple(
            Field(path, _types(node), read_set.read_path_of(name, path, "drift") is not None)
            for path, node in documented_fields(tree)
        )
        risky: dict[str, tuple[str, ...]] = {}
        undocumented: list[str] = []
        for path in read_set.paths_for(name):
            steps = follow(tree, path)
            if isinstance(steps, Miss):
                undocumented.append(path)
                continue
            said = tuple(risk.says(path or "/") for risk in risks_of(steps))
            if said:
                risky[path] = said
        covered.append(EventCoverage(name, patterns, fields, risky, tuple(undocumented)))
    return Coverage(tuple(covered), tuple(unread))


def documented_fields(tree: ContractNode, path: str = "") -> Iterator[tuple[str, ContractNode]]:
    """Every leaf of the contract: a value with no declared keys, items or entries below it."""
    below = [(child(path, key), node) for key, node in tree.properties.items()]
    if tree.additional is not None:
        below.append((f"{path}/{ANY}", tree.additional))
    if tree.items is not None:
        below.append((f"{path}/{ANY}", tree.items))
    if not below:
        yield path, tree
        return
    for pointer, node in below:
        yield from documented_fields(node, pointer)


def generalized(read_set: ReadSet, schema_set: SchemaSet) -> ReadSet:
    """The read-set with every map key written as ``*``: a recording sees the keys of the
    deliveries it tracked (case ids, custom field ids); the consumer reads any of them."""
    contracts = Contracts(schema_set)
    events: dict[str, tuple[str, ...]] = {}
    for pattern, paths in read_set.events.items():
        schema_id = schema_set.event_schemas.get(pattern)
        if schema_id is None:
            events[pattern] = paths
            continue
        tree = contracts.tree(schema_id)
        events[pattern] = tuple(_generalized(tree, path) for path in paths)
    return ReadSet.of(events)


def _generalized(tree: ContractNode, path: str) -> str:
    node: ContractNode | None = tree
    parts: list[str] = []
    for segment in segments(path):
        if node is None:
            parts.append(segment)
            continue
        declared = node.properties.get(unescape(segment))
        if declared is None and node.additional is not None:
            parts.append(ANY)
            node = node.additional
        elif declared is None and node.items is not None and segment.isdigit():
            parts.append(ANY)
            node = node.items
        else:
            parts.append(segment)
            node = declared if declared is not None else node.items if segment == ANY else None
    return "".join(f"/{part}" for part in parts)


def _types(node: ContractNode) -> str:
    if node.types is None:
        return "any"
    return " or ".join(name for name in TYPE_ORDER if name in node.types)


def _is_pattern(text: str) -> bool:
    return any(character in text for character in "*?[")
