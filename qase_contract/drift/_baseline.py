"""Baselines: each event's observed shape stored as a file, and a corpus checked against it in CI.

A baseline holds, per event, every path seen with its JSON types, the values seen of the
contract's closed sets (``enum``/``const``) and the names of the limit keywords broken there
(``maximum``, ``pattern``, ...). It holds no counts, no locations and no other values (so no
free text and no personal data), and it is written in a stable order, so it diffs well under
version control. A corpus fails its baseline when it shows a new event, a new path, a new type
at a path, a new value of a closed set or a limit broken where it was not; baseline entries
the corpus never showed are warnings. A baseline written before limits were profiled (no
``breaks``) reads as one where no limit was broken.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

from qase_contract._util.files import read_json_file
from qase_contract._util.json_types import TYPE_ORDER, json_type
from qase_contract._util.pointer import escape
from qase_contract.contract._reads import ReadSet
from qase_contract.drift._profile import CorpusProfile, ObservedNode
from qase_contract.errors import BaselineError
from qase_contract.findings import VIOLATION

BASELINE_FORMAT = "qase-contract drift baseline"
BASELINE_VERSION = 1


@dataclass(frozen=True)
class PathShape:
    """What a baseline knows of one path: its types, the values of a closed set, broken limits."""

    types: frozenset[str]
    values: tuple[object, ...] | None = None
    breaks: frozenset[str] = frozenset()  # names of the limit keywords broken here


Shapes = dict[str, dict[str, PathShape]]


@dataclass(frozen=True)
class NewShape:
    """Something the corpus showed that the baseline lacks."""

    event: str
    path: str  # "" for a whole new event
    what: str  # "event", "field", "type", "value" or "break"
    detail: object  # the types of a new field, the new type, the new value, the keyword broken;
    # deliveries of an event
    first_location: str
    #: With a read-set: the read path this shape touches (at, below or above it), or None.
    read_path: str | None = None
    #: A shape validate calls a violation: a type the contract does not allow there (null
    #: included), or a broken limit. New events, fields of allowed types and values are drift.
    breaking: bool = False


@dataclass(frozen=True)
class UnseenShape:
    """A baseline entry the corpus never showed."""

    event: str
    path: str
    what: str
    detail: object


@dataclass
class BaselineCheck:
    source: str
    new: list[NewShape] = field(default_factory=list)
    unseen: list[UnseenShape] = field(default_factory=list)
    #: The read-set the new shapes were judged by (its file), or None.
    reads: str | None = None

    @property
    def passed(self) -> bool:
        """No new shape; with a read-set, no new shape that touches a read path."""
        if self.reads is not None:
            return not any(shape.read_path is not None for shape in self.new)
        return not self.new


def shapes_of(profile: CorpusProfile) -> Shapes:
    """Every event's paths with their types and closed-set values, as a baseline stores them."""
    return {
        name: {path: shape for path, shape, _ in _paths(event.root)}
        for name, event in sorted(profile.events.items())
    }


def _paths(root: ObservedNode) -> list[tuple[str, PathShape, tuple[ObservedNode, ...]]]:
    """Every path below ``root`` with its shape and the nodes behind it: one, or two where an
    array and a map (the contract's, and what came instead) share the wildcard."""
    found: dict[str, tuple[PathShape, tuple[ObservedNode, ...]]] = {}
    for path, node in root.walk():
        if not path or not node.count:
            continue
        values = None
        if node.closed_set and node.values is not None:
            values = tuple(node.values)
        breaks = frozenset(limit.keyword for limit in node.broken_limits)
        shape = PathShape(frozenset(node.types()), values, breaks)
        nodes: tuple[ObservedNode, ...] = (node,)
        if path in found:  # an array and a map at the same path share the wildcard
            known, nodes = found[path]
            shape = PathShape(known.types | shape.types, _merged(known.values, values), known.breaks | breaks)
            nodes = (*nodes, node)
        found[path] = (shape, nodes)
    return [(path, shape, nodes) for path, (shape, nodes) in sorted(found.items())]


def _seen_by(nodes: tuple[ObservedNode, ...], type_name: str) -> ObservedNode:
    """The first of ``nodes`` that saw ``type_name`` (one did: the path's shape joins theirs)."""
    return next(node for node in nodes if type_name in node.types())


def _merged(a: tuple[object, ...] | None, b: tuple[object, ...] | None) -> tuple[object, ...] | None:
    if a is None or b is None:
        return a or b
    return tuple(dict.fromkeys(a + b))


def baseline_data(profile: CorpusProfile) -> dict[str, Any]:
    events: dict[str, Any] = {}
    for name, paths in shapes_of(profile).items():
        events[name] = {}
        for path, shape in paths.items():
            entry: dict[str, Any] = {"types": [name for name in TYPE_ORDER if name in shape.types]}
            if shape.values is not None:
                entry["values"] = sorted(shape.values, key=_value_order)
            if shape.breaks:
                entry["breaks"] = sorted(shape.breaks)
            events[name][path] = entry
    return {"format": BASELINE_FORMAT, "version": BASELINE_VERSION, "events": events}


def _value_order(value: object) -> tuple[str, str]:
    return (type(value).__name__, json.dumps(value))


def write_baseline(profile: CorpusProfile, path: str | PathLike[str]) -> None:
    text = json.dumps(baseline_data(profile), indent=2, ensure_ascii=False) + "\n"
    Path(path).write_text(text, encoding="utf-8")


def read_baseline(path: str | PathLike[str]) -> Shapes:
    """The shapes of a baseline file; :class:`BaselineError` names the place of any problem."""
    data = read_json_file(path, "baseline", BaselineError, missing=" (write one with --write-baseline)")
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        raise BaselineError(f'{path}: not a drift baseline (expected "format": "{BASELINE_FORMAT}")')
    if type(data.get("version")) is not int or data.get("version") != BASELINE_VERSION:  # true == 1
        raise BaselineError(
            f"{path}: baseline version {data.get('version')!r} is not supported (this version reads "
            f"{BASELINE_VERSION}); write it again with --write-baseline"
        )
    events = data.get("events")
    if not isinstance(events, dict):
        raise BaselineError(f"{path}: /events must be an object of events, got {json_type(events)}")
    shapes: Shapes = {}
    for name, paths in events.items():
        where = f"/events/{escape(name)}"
        if not isinstance(paths, dict):
            raise BaselineError(f"{path}: {where} must be an object of paths, got {json_type(paths)}")
        shapes[name] = {
            key: _path_shape(path, f"{where}/{escape(key)}", entry) for key, entry in paths.items()
        }
    return shapes


def _path_shape(file: str | PathLike[str], where: str, entry: object) -> PathShape:
    if not isinstance(entry, dict):
        raise BaselineError(f"{file}: {where} must be an object with types, got {json_type(entry)}")
    types = entry.get("types")
    if not isinstance(types, list) or not types or any(name not in TYPE_ORDER for name in types):
        raise BaselineError(f"{file}: {where}/types must be a list of JSON type names, got {types!r}")
    values = entry.get("values")
    if values is not None and (
        not isinstance(values, list) or any(isinstance(value, (dict, list)) for value in values)
    ):
        raise BaselineError(f"{file}: {where}/values must be a list of scalar values")
    breaks = entry.get("breaks", [])
    if not isinstance(breaks, list) or any(not isinstance(keyword, str) for keyword in breaks):
        raise BaselineError(f"{file}: {where}/breaks must be a list of keyword names, got {breaks!r}")
    return PathShape(frozenset(types), tuple(values) if values is not None else None, frozenset(breaks))


def check_baseline(
    profile: CorpusProfile, baseline: Shapes, source: str, reads: ReadSet | None = None
) -> BaselineCheck:
    """What the corpus shows beyond the baseline (fails CI), and what it never showed (warnings).

    With a consumer's ``reads``, only the new shapes that touch a read path fail: at it,
    below it, or above it (a new type of an object on the way to what is read).
    """
    check = _shapes_beyond(profile, baseline, source)
    if reads is None:
        return check
    touching = [
        replace(shape, read_path=reads.read_path_of(shape.event, shape.path, VIOLATION))
        for shape in check.new
    ]
    return BaselineCheck(source, touching, check.unseen, reads.source or "the read-set")


def _shapes_beyond(profile: CorpusProfile, baseline: Shapes, source: str) -> BaselineCheck:
    check = BaselineCheck(source)
    for name, event in sorted(profile.events.items()):
        known = baseline.get(name)
        if known is None:
            check.new.append(NewShape(name, "", "event", event.deliveries, str(event.root.first_location)))
            continue
        new_paths: list[str] = []
        for path, shape, nodes in _paths(event.root):
            node = nodes[0]
            if _below_any(path, new_paths):
                continue
            before = known.get(path)
            if before is None:
                new_paths.append(path)
                types = [type_name for type_name in TYPE_ORDER if type_name in shape.types]
                breaking = any(_forbidden(_seen_by(nodes, type_name), type_name) for type_name in types)
                check.new.append(
                    NewShape(name, path, "field", types, str(node.first_location), breaking=breaking)
                )
                continue
            for type_name in TYPE_ORDER:
                if type_name in shape.types and type_name not in before.types:
                    seeing = _seen_by(nodes, type_name)
                    where = str(seeing.first_seen_of(type_name))
                    breaking = _forbidden(seeing, type_name)
                    check.new.append(NewShape(name, path, "type", type_name, where, breaking=breaking))
            if shape.values is not None and before.values is not None:
                for value in shape.values:
                    if value not in before.values:
                        firsts = (n.value_first_seen[value] for n in nodes if value in n.value_first_seen)
                        where = str(next(firsts, node.first_location))
                        check.new.append(NewShape(name, path, "value", value, where))
            check.new.extend(_new_breaks(name, path, shape, nodes, before))
        check.unseen.extend(_unseen(name, known, {path: shape for path, shape, _ in _paths(event.root)}))
    for name in sorted(set(baseline) - set(profile.events)):
        check.unseen.append(UnseenShape(name, "", "event", None))
    return check


def _new_breaks(
    event: str, path: str, shape: PathShape, nodes: tuple[ObservedNode, ...], before: PathShape
) -> list[NewShape]:
    """Limit keywords broken at ``path`` that the baseline did not record as broken there."""
    node = nodes[0]
    first_seen: dict[str, object] = {}
    for each in nodes:
        for limit, broken in each.broken_limits.items():
            first_seen.setdefault(limit.keyword, broken.first_location)
    return [
        NewShape(
            event, path, "break", keyword, str(first_seen.get(keyword, node.first_location)), breaking=True
        )
        for keyword in sorted(shape.breaks - before.breaks)
    ]


def _forbidden(node: ObservedNode, type_name: str) -> bool:
    """Whether the contract declares the path and does not allow this type there."""
    return node.contract is not None and not node.contract.allows(type_name)


def _unseen(event: str, known: dict[str, PathShape], seen: dict[str, PathShape]) -> list[UnseenShape]:
    unseen: list[UnseenShape] = []
    missing: list[str] = []
    for path, before in sorted(known.items()):
        now = seen.get(path)
        if now is None:
            if not _below_any(path, missing):
                unseen.append(UnseenShape(event, path, "field", None))
            missing.append(path)
            continue
        unseen.extend(
            UnseenShape(event, path, "type", type_name)
            for type_name in TYPE_ORDER
            if type_name in before.types and type_name not in now.types
        )
        if before.values is not None and now.values is not None:
            unseen.extend(
                UnseenShape(event, path, "value", value) for value in before.values if value not in now.values
            )
        unseen.extend(
            UnseenShape(event, path, "break", keyword) for keyword in sorted(before.breaks - now.breaks)
        )
    return unseen


def _below_any(path: str, parents: list[str]) -> bool:
    return any(path.startswith(parent + "/") for parent in parents)
