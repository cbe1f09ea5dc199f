"""Recording a read-set from tests: deliveries that note which fields the consumer reads.

A tracked delivery is a ``dict`` (its nested objects ``dict``s, its arrays ``list``s) that
notes every field read from it by key: ``delivery["payload"]["id"]``, ``.get``, ``in``,
``.pop``, ``.setdefault``, an array's ``[i]``. It stays a plain ``dict`` for everything else:
``isinstance``, ``==``, ``json.dumps`` and orjson (which read the data without noting it),
``copy.copy`` and ``copy.deepcopy`` (tracked copies that note into the same recording), and
``pickle`` (a plain ``dict``: another process's reads are not seen).

What is noted: the path of every value read by key or index (an array index is written
``*``); an object or array read but never looked into counts as read whole; one that was
looked into counts through what was read inside it. Values reached only by iterating
(``.items()``, ``.values()``, ``for x in array``) are not noted one by one, nor is anything
read from JSON text the consumer parses itself: those paths are declared by hand.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Mapping
from os import PathLike
from pathlib import Path
from typing import Any, SupportsIndex

from qase_contract._util.pointer import escape, unescape
from qase_contract.contract._coverage import generalized
from qase_contract.contract._reads import ANY, ReadSet
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.testing._samples import sample_delivery
from qase_contract.validation._engines import load_schema_set

#: What one event's tracked deliveries read: (the pointer of a container, the key read in it).
Reads = set[tuple[str, str]]

_MISSING = object()
#: Plain containers, which a tracked one adopts when it finds them in itself.
_PLAIN = (dict, list)


class TrackedDict(dict[str, Any]):
    """A JSON object of a tracked delivery; notes the keys read from it into ``_reads``."""

    __slots__ = ("_path", "_reads")
    _path: str
    _reads: Reads

    def __getitem__(self, key: str) -> Any:
        self._reads.add((self._path, key))
        value = dict.__getitem__(self, key)
        return self._adopted(key, value) if type(value) in _PLAIN else value

    def get(self, key: str, default: Any = None) -> Any:
        self._reads.add((self._path, key))
        value = dict.get(self, key, default)
        return self._adopted(key, value) if type(value) in _PLAIN and key in self.keys() else value

    def __contains__(self, key: object) -> bool:
        self._reads.add((self._path, str(key)))
        return dict.__contains__(self, key)

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        self._reads.add((self._path, key))
        value = dict.pop(self, key) if default is _MISSING else dict.pop(self, key, default)
        return _tracked(value, self._reads, _child(self._path, key)) if type(value) in _PLAIN else value

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._reads.add((self._path, key))
        value = dict.setdefault(self, key, default)
        return self._adopted(key, value) if type(value) in _PLAIN else value

    def _adopted(self, key: str, value: Any) -> Any:
        """A plain object or array a test put in (``d[k] = {...}``, ``update``), tracked from now on."""
        tracked = _tracked(value, self._reads, _child(self._path, key))
        dict.__setitem__(self, key, tracked)
        return tracked

    def copy(self) -> TrackedDict:
        return self.__copy__()

    def __copy__(self) -> TrackedDict:
        new = _new_dict(self._path, self._reads)
        dict.update(new, self)
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> TrackedDict:
        new = memo[id(self)] = _new_dict(self._path, self._reads)
        for key, value in dict.items(self):
            dict.__setitem__(new, key, copy.deepcopy(value, memo))
        return new

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (dict, (plain(self),))


class TrackedList(list[Any]):
    """A JSON array of a tracked delivery; notes an item read by index as ``*``."""

    __slots__ = ("_path", "_reads")
    _path: str
    _reads: Reads

    def __getitem__(self, index: Any) -> Any:
        self._reads.add((self._path, ANY))
        value = list.__getitem__(self, index)
        if type(value) in _PLAIN and not isinstance(index, slice):
            value = _tracked(value, self._reads, f"{self._path}/{ANY}")
            list.__setitem__(self, index, value)
        return value

    def copy(self) -> TrackedList:
        return self.__copy__()

    def __copy__(self) -> TrackedList:
        new = _new_list(self._path, self._reads)
        list.extend(new, list.__iter__(self))
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> TrackedList:
        new = memo[id(self)] = _new_list(self._path, self._reads)
        list.extend(new, (copy.deepcopy(item, memo) for item in list.__iter__(self)))
        return new

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (list, (plain(self),))


def _new_dict(path: str, reads: Reads) -> TrackedDict:
    new = TrackedDict()
    new._path, new._reads = path, reads
    return new


def _new_list(path: str, reads: Reads) -> TrackedList:
    new = TrackedList()
    new._path, new._reads = path, reads
    return new


def _child(path: str, key: object) -> str:
    return f"{path}/{escape(str(key))}"


def _tracked(value: Any, reads: Reads, path: str) -> Any:
    """A tracking copy of JSON data (its objects and arrays; scalars are shared); iterative,
    so no depth of nesting exhausts the recursion limit."""
    if not isinstance(value, (dict, list)):
        return value
    root = _new_dict(path, reads) if isinstance(value, dict) else _new_list(path, reads)
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        pairs = dict.items(source) if isinstance(source, dict) else enumerate(list.__iter__(source))
        for key, item in pairs:
            new = item
            if isinstance(item, (dict, list)):
                below = target._path + "/" + (ANY if isinstance(source, list) else escape(str(key)))
                new = _new_dict(below, reads) if isinstance(item, dict) else _new_list(below, reads)
                stack.append((item, new))
            if isinstance(target, dict):
                dict.__setitem__(target, key, new)
            else:
                list.append(target, new)
    return root


def plain(value: Any) -> Any:
    """A copy of (tracked) JSON data in plain dicts and lists, read without noting anything."""
    if not isinstance(value, (dict, list)):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        pairs = dict.items(source) if isinstance(source, dict) else enumerate(list.__iter__(source))
        for key, item in pairs:
            new = item
            if isinstance(item, (dict, list)):
                new = {} if isinstance(item, dict) else []
                stack.append((item, new))
            if isinstance(target, dict):
                target[key] = new
            else:
                target.append(new)
    return root


class ReadRecorder:
    """Hands out tracked deliveries and collects what was read from them, per event.

    ``schemas`` (an overlay folder, or a ready schema set) is the contract used to write the
    map keys the deliveries had (case ids, custom field ids) as ``*`` in :attr:`read_set`.
    """

    def __init__(self, schemas: str | PathLike[str] | SchemaSet | None = None) -> None:
        self._schemas = schemas
        self._reads: dict[str, Reads] = {}

    def track(self, delivery: Mapping[str, Any]) -> dict[str, Any]:
        """A tracking copy of ``delivery`` (a delivery without an ``event_name`` is tracked
        without recording: its reads belong to no event)."""
        data = delivery if isinstance(delivery, dict) else dict(delivery)
        event = dict.get(data, "event_name")
        reads = self._reads.setdefault(event, set()) if isinstance(event, str) else set()
        tracked: dict[str, Any] = _tracked(data, reads, "")
        return tracked

    def delivery(
        self, event_name: str, payload: Mapping[str, Any] | None = None, **envelope: Any
    ) -> dict[str, Any]:
        """A tracked :func:`~qase_contract.testing.sample_delivery` (same arguments)."""
        return self.track(sample_delivery(event_name, payload, **envelope))

    def recorded(self) -> dict[str, list[str]]:
        """Per event, the paths read so far, as the deliveries had them (JSON data, so
        another process's recorder can :meth:`add` them)."""
        return {
            event: sorted({_child(path, key) for path, key in reads}) for event, reads in self._reads.items()
        }

    def add(self, recorded: Mapping[str, list[str]]) -> None:
        """Take in what another recorder :meth:`recorded` (a pytest-xdist worker's)."""
        for event, paths in recorded.items():
            reads = self._reads.setdefault(event, set())
            for path in paths:
                parent, _, key = path.rpartition("/")
                reads.add((parent, unescape(key)))

    @property
    def read_set(self) -> ReadSet:
        """What the tracked deliveries were read for, per event: every path read, except an
        object or array that was looked into (what was read inside it stands for it); map
        keys written as ``*``."""
        events: dict[str, tuple[str, ...]] = {}
        for event, paths in self.recorded().items():
            inside = {path[:cut] for path in paths for cut in _cuts(path)}
            events[event] = tuple(path for path in paths if path not in inside)
        return generalized(ReadSet.of(events), self._schema_set())

    def write(self, path: str | PathLike[str]) -> ReadSet:
        """Merge :attr:`read_set` into the read-set file ``path`` (made if absent); the result."""
        merged = self.read_set
        if Path(path).exists():
            merged = ReadSet.read(path).merged(merged)
        merged.write(path)
        return merged

    def _schema_set(self) -> SchemaSet:
        return load_schema_set(self._schemas)


def _cuts(path: str) -> Iterator[int]:
    """Where each ancestor of ``path`` ends (``/a/b/c``: after ``/a`` and ``/a/b``)."""
    start = 1
    while (cut := path.find("/", start)) != -1:
        yield cut
        start = cut + 1


@contextlib.contextmanager
def record_reads(
    into: str | PathLike[str] | None = None, *, schemas: str | PathLike[str] | SchemaSet | None = None
) -> Iterator[ReadRecorder]:
    """Record a read-set outside pytest: the recorder hands out tracked deliveries
    (``.delivery(event, ...)``, ``.track(dict)``) and, after the block, has the
    ``.read_set`` of what was read; ``into`` also merges it into that file."""
    recorder = ReadRecorder(schemas)
    yield recorder
    if into is not None:
        recorder.write(into)
