"""Recording a read-set from tests: deliveries that note which fields the consumer reads.

A tracked delivery is a ``dict`` (its objects ``dict``s, its arrays ``list``s) that notes what
is read from it. It stays a plain ``dict`` for everything else: ``isinstance``, ``==``,
``json.dumps`` and orjson write the same text, ``copy.copy`` and ``copy.deepcopy`` give tracked
copies that note into the same recording, ``pickle`` gives a plain ``dict``.

What counts as read:

* a value read by key or index (``d["id"]``, ``.get``, ``.pop``, ``.setdefault``, ``a[0]``, an
  array index written ``*``), and a key looked for (``"plan" in d``, ``d.get("x")``), also
  when it is absent: the consumer reads that field;
* an object or array read whole: iterated (``for``, ``.items()``, ``.keys()``, ``.values()``,
  ``dict(d)``), serialised with ``json.dumps`` (which iterates it) or pickled;
* not an object or array taken by key only to look inside it, and not a value read as null in
  one test where another test looked inside it (what was read inside stands for it).

What is not seen: code that reads the JSON text itself (a test that posts the delivery as JSON
records it as read whole, since the code that receives it cannot be followed), and serialisers
that read a dict's storage directly (orjson). Those paths are declared by hand.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, SupportsIndex

from qase_contract._util.files import folder_lock
from qase_contract._util.json_copy import copy_json
from qase_contract._util.pointer import escape, unescape
from qase_contract.contract._coverage import generalized
from qase_contract.contract._reads import ANY, ReadSet
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.testing._samples import sample_delivery
from qase_contract.validation._engines import load_schema_set

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

_MISSING = object()


class _Notes:
    """What one event's tracked deliveries were read for: values read by key, as (the pointer
    of the container, the key), and the pointers of objects and arrays read whole."""

    __slots__ = ("keyed", "whole")

    def __init__(self) -> None:
        self.keyed: set[tuple[str, str]] = set()
        self.whole: set[str] = set()


class TrackedDict(dict[str, Any]):
    """A JSON object of a tracked delivery."""

    __slots__ = ("_notes", "_path")
    _path: str
    _notes: _Notes

    def __getitem__(self, key: str) -> Any:
        try:
            value = dict.__getitem__(self, key)
        except KeyError:
            self._notes.keyed.add((self._path, key))
            raise
        return self._read(key, value)

    def get(self, key: str, default: Any = None) -> Any:
        value = dict.get(self, key, _MISSING)
        if value is _MISSING:
            self._notes.keyed.add((self._path, key))
            return default
        return self._read(key, value)

    def __contains__(self, key: object) -> bool:
        self._notes.keyed.add((self._path, str(key)))
        return dict.__contains__(self, key)

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        value = dict.pop(self, key, _MISSING)
        if value is _MISSING:
            self._notes.keyed.add((self._path, key))
            if default is _MISSING:
                raise KeyError(key)
            return default
        return self._read(key, value, keep=False)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return self._read(key, dict.setdefault(self, key, default))

    def _read(self, key: str, value: Any, keep: bool = True) -> Any:
        """A value read by key: noted when it is a scalar; an object or array is handed out
        tracked (a plain one a test put in is tracked from now on), its reads noted inside."""
        kind = type(value)
        if kind is TrackedDict or kind is TrackedList:
            return value
        if kind is dict or kind is list:
            tracked = _tracked(value, self._notes, _child(self._path, key))
            if keep:
                dict.__setitem__(self, key, tracked)
            return tracked
        self._notes.keyed.add((self._path, key))
        return value

    # Read whole: iterated (json.dumps iterates items()), or pickled.

    def __iter__(self) -> Iterator[str]:
        self._notes.whole.add(self._path)
        return dict.__iter__(self)

    def keys(self) -> dict_keys[str, Any]:
        self._notes.whole.add(self._path)
        return dict.keys(self)

    def values(self) -> dict_values[str, Any]:
        self._notes.whole.add(self._path)
        return dict.values(self)

    def items(self) -> dict_items[str, Any]:
        self._notes.whole.add(self._path)
        return dict.items(self)

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        self._notes.whole.add(self._path)
        return (dict, (plain(self),))

    # Copies are tracked and note into the same recording.

    def copy(self) -> TrackedDict:
        return self.__copy__()

    def __copy__(self) -> TrackedDict:
        new = _new_dict(self._path, self._notes)
        for key, value in dict.items(self):
            dict.__setitem__(new, key, value)
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> TrackedDict:
        new = memo[id(self)] = _new_dict(self._path, self._notes)
        for key, value in dict.items(self):
            dict.__setitem__(new, key, copy.deepcopy(value, memo))
        return new


class TrackedList(list[Any]):
    """A JSON array of a tracked delivery; an item read by index is noted as ``*``."""

    __slots__ = ("_notes", "_path")
    _path: str
    _notes: _Notes

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            self._notes.whole.add(self._path)
            return list.__getitem__(self, index)
        try:
            value = list.__getitem__(self, index)
        except IndexError:
            self._notes.keyed.add((self._path, ANY))
            raise
        kind = type(value)
        if kind is TrackedDict or kind is TrackedList:
            return value
        if kind is dict or kind is list:
            value = _tracked(value, self._notes, f"{self._path}/{ANY}")
            list.__setitem__(self, index, value)
            return value
        self._notes.keyed.add((self._path, ANY))
        return value

    def __iter__(self) -> Iterator[Any]:
        self._notes.whole.add(self._path)
        return list.__iter__(self)

    def __contains__(self, item: object) -> bool:
        self._notes.whole.add(self._path)
        return list.__contains__(self, item)

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        self._notes.whole.add(self._path)
        return (list, (plain(self),))

    def copy(self) -> TrackedList:
        return self.__copy__()

    def __copy__(self) -> TrackedList:
        new = _new_list(self._path, self._notes)
        list.extend(new, list.__iter__(self))
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> TrackedList:
        new = memo[id(self)] = _new_list(self._path, self._notes)
        list.extend(new, (copy.deepcopy(item, memo) for item in list.__iter__(self)))
        return new


def _new_dict(path: str, notes: _Notes) -> TrackedDict:
    new = TrackedDict()
    new._path, new._notes = path, notes
    return new


def _new_list(path: str, notes: _Notes) -> TrackedList:
    new = TrackedList()
    new._path, new._notes = path, notes
    return new


def _child(path: str, key: object) -> str:
    return f"{path}/{escape(str(key))}"


def _tracked(value: Any, notes: _Notes, path: str) -> Any:
    """A tracking copy of JSON data: its objects and arrays tracked, its scalars shared."""

    def tracking(source: Any, parent: Any, key: Any) -> Any:
        if parent is None:
            where = path
        else:
            where = f"{parent._path}/{ANY if isinstance(parent, list) else escape(str(key))}"
        return _new_dict(where, notes) if isinstance(source, dict) else _new_list(where, notes)

    return copy_json(value, tracking)


def plain(value: Any) -> Any:
    """A copy of (tracked) JSON data in plain dicts and lists, read without noting anything."""
    return copy_json(value)


class ReadRecorder:
    """Hands out tracked deliveries and collects what was read from them, per event.

    ``schemas`` (an overlay folder, or a ready schema set) is the contract used to write the
    map keys the deliveries had (case ids, custom field ids) as ``*`` in :attr:`read_set`.
    """

    def __init__(self, schemas: str | PathLike[str] | SchemaSet | None = None) -> None:
        self._schemas = schemas
        self._notes: dict[str, _Notes] = {}

    def track(self, delivery: Mapping[str, Any]) -> dict[str, Any]:
        """A tracking copy of ``delivery`` (a delivery without an ``event_name`` is tracked
        without recording: its reads belong to no event)."""
        data = delivery if isinstance(delivery, dict) else dict(delivery)
        event = dict.get(data, "event_name")
        notes = self._notes.setdefault(event, _Notes()) if isinstance(event, str) else _Notes()
        tracked: dict[str, Any] = _tracked(data, notes, "")
        return tracked

    def delivery(
        self, event_name: str, payload: Mapping[str, Any] | None = None, **envelope: Any
    ) -> dict[str, Any]:
        """A tracked :func:`~qase_contract.testing.sample_delivery` (same arguments)."""
        return self.track(sample_delivery(event_name, payload, **envelope))

    def recorded(self) -> dict[str, dict[str, list[str]]]:
        """Per event, the pointers read by key (``read``) and read whole (``whole``), as the
        deliveries had them: JSON data, so another process's recorder can :meth:`add` them."""
        return {
            event: {
                "read": sorted({_child(path, key) for path, key in notes.keyed}),
                "whole": sorted(notes.whole),
            }
            for event, notes in self._notes.items()
        }

    def add(self, recorded: Mapping[str, Mapping[str, list[str]]]) -> None:
        """Take in what another recorder :meth:`recorded` (a pytest-xdist worker's)."""
        for event, found in recorded.items():
            notes = self._notes.setdefault(event, _Notes())
            for path in found["read"]:
                parent, _, key = path.rpartition("/")
                notes.keyed.add((parent, unescape(key)))
            notes.whole.update(found["whole"])

    @property
    def read_set(self) -> ReadSet:
        """What the tracked deliveries were read for, per event, map keys written as ``*``: every
        object or array read whole, and every value read by key except those another read
        looked inside (a plan read as null here, its title read there: the title stands)."""
        events: dict[str, tuple[str, ...]] = {}
        for event, found in self.recorded().items():
            whole = [path for path in found["whole"] if not _below_any(path, found["whole"])]
            inside = {path[:cut] for path in (*found["read"], *whole) for cut in _cuts(path)}
            read = [
                path
                for path in found["read"]
                if path not in inside and path not in whole and not _below_any(path, whole)
            ]
            events[event] = (*read, *whole)
        return generalized(ReadSet.of(events), self._schema_set())

    def write(self, path: str | PathLike[str]) -> ReadSet:
        """Merge :attr:`read_set` into the read-set file ``path`` (made if absent); the result.
        Sessions that finish together each add theirs: the merge holds a lock on the folder."""
        merged = self.read_set
        with folder_lock(Path(path).resolve().parent):
            if Path(path).exists():
                merged = ReadSet.read(path).merged(merged)
            merged.write(path)
        return merged

    def _schema_set(self) -> SchemaSet:
        return load_schema_set(self._schemas)


def _below_any(path: str, parents: list[str]) -> bool:
    """Whether ``path`` lies strictly below one of ``parents`` (everything lies below ``""``)."""
    return any(path != parent and path.startswith(parent + "/") for parent in parents)


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
