"""Read-sets: the fields a consumer reads, per event, and which findings touch them.

A read-set file (its JSON Schema ships beside this module, ``readset.schema.json``)::

    {"format": 1, "events": {"run.completed": ["/payload/id", "/payload/cases/*/status"],
                             "case.*": ["/payload/id"]}}

Keys are event names or shell patterns (``fnmatch``); values are JSON Pointers in which a
``*`` segment stands for any array index or map key. Files are written sorted, one path a
line, so they diff well in review. DESIGN decision 10: a finding affects the consumer when it
touches a read path (:meth:`ReadSet.read_path_of`) in a way :func:`affects_consumer` counts.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from qase_contract._util.files import read_json_file, write_text_atomically
from qase_contract._util.json_types import json_type
from qase_contract._util.pointer import escape
from qase_contract.errors import ReadSetError
from qase_contract.findings import VIOLATION, Kind, Result

READSET_FORMAT = 1
#: The JSON Schema of the file format, shipped in the package.
READSET_SCHEMA = Path(__file__).with_name("readset.schema.json")
#: A segment that stands for any array index or map key.
ANY = "*"
#: A JSON Pointer (RFC 6901): empty, or "/"-separated segments in which "~" only escapes.
_POINTER = re.compile(r"(/([^~/]|~[01])*)*")


def is_pointer(text: str) -> bool:
    return _POINTER.fullmatch(text) is not None


def segments(pointer: str) -> tuple[str, ...]:
    """``/payload/cases/*/status`` -> ``("payload", "cases", "*", "status")``, still escaped."""
    return tuple(pointer.split("/")[1:]) if pointer else ()


@dataclass(frozen=True)
class ReadSet:
    """What a consumer reads: event name or pattern -> its read paths, sorted and unique."""

    events: Mapping[str, tuple[str, ...]]
    #: Where it was read from, for reports ("reads.json"); empty when made in memory.
    source: str = field(default="", compare=False)
    #: Event name -> the read paths of every entry that matches it, split into segments.
    _by_event: dict[str | None, tuple[tuple[str, tuple[str, ...]], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def of(cls, events: Mapping[str, Iterable[str]]) -> ReadSet:
        """A read-set from event patterns and their paths; :class:`ReadSetError` says what is wrong."""
        return cls.from_data({"format": READSET_FORMAT, "events": {k: list(v) for k, v in events.items()}})

    @classmethod
    def from_data(cls, data: object, source: str = "") -> ReadSet:
        """A read-set from its JSON data; :class:`ReadSetError` names the place of any problem
        (in ``source``, the file it came from)."""
        where = source or "the read-set"
        if not isinstance(data, dict):
            raise ReadSetError(f"{where}: a read-set is a JSON object, got {json_type(data)}")
        unknown = sorted(set(data) - {"format", "events"})
        if unknown:
            raise ReadSetError(
                f'{where}: unknown key {unknown[0]!r}; a read-set has only "format" and "events"'
            )
        version = data.get("format")
        if isinstance(version, bool) or version != READSET_FORMAT:
            raise ReadSetError(
                f'{where}: expected "format": {READSET_FORMAT} (the read-set format this version '
                f"reads), got {json.dumps(version)}"
            )
        events = data.get("events")
        if not isinstance(events, dict):
            raise ReadSetError(f"{where}: /events must be an object of events, got {json_type(events)}")
        checked: dict[str, tuple[str, ...]] = {}
        for pattern, paths in events.items():
            place = f"/events/{escape(pattern)}"
            if not pattern:
                raise ReadSetError(f"{where}: /events: an event name or pattern cannot be empty")
            if not isinstance(paths, list):
                raise ReadSetError(
                    f"{where}: {place} must be a list of JSON Pointers, got {json_type(paths)}"
                )
            for index, path in enumerate(paths):
                if not isinstance(path, str):
                    raise ReadSetError(
                        f"{where}: {place}/{index} must be a JSON Pointer string, got {json_type(path)}"
                    )
                if not is_pointer(path):
                    raise ReadSetError(
                        f"{where}: {place}/{index}: {path!r} is not a JSON Pointer (empty, or starting "
                        'with "/", with "~" only as ~0 or ~1)'
                    )
            checked[pattern] = tuple(sorted(set(paths)))
        return cls(dict(sorted(checked.items())), source)

    @classmethod
    def read(cls, path: str | PathLike[str]) -> ReadSet:
        """The read-set of a file; :class:`ReadSetError` names the file and the place of any problem."""
        data = read_json_file(path, "read-set", ReadSetError)
        return cls.from_data(data, str(path))

    def to_data(self) -> dict[str, object]:
        return {
            "format": READSET_FORMAT,
            "events": {name: list(paths) for name, paths in self.events.items()},
        }

    def dumps(self) -> str:
        """The file's text: sorted, one path a line, so a change shows as the lines it changes."""
        return json.dumps(self.to_data(), indent=2, ensure_ascii=False) + "\n"

    def write(self, path: str | PathLike[str]) -> None:
        """Write the file in one step (a reader never sees half of it)."""
        write_text_atomically(Path(path), self.dumps())

    def merged(self, *others: ReadSet) -> ReadSet:
        """The union: every pattern of each, with every path any of them reads for it."""
        events: dict[str, set[str]] = {}
        for read_set in (self, *others):
            for pattern, paths in read_set.events.items():
                events.setdefault(pattern, set()).update(paths)
        merged = {pattern: tuple(sorted(paths)) for pattern, paths in sorted(events.items())}
        return ReadSet(merged, self.source)

    def __bool__(self) -> bool:
        return bool(self.events)

    def patterns_for(self, event_name: str) -> tuple[str, ...]:
        """The keys of the entries that apply to ``event_name`` (its own, and patterns matching it)."""
        return tuple(pattern for pattern in self.events if fnmatch.fnmatchcase(event_name, pattern))

    def paths_for(self, event_name: str | None) -> tuple[str, ...]:
        """The read paths for deliveries of ``event_name``; for a delivery with no event name
        (unparsable, not an object) those of every entry, since it could be any event."""
        return tuple(path for path, _ in self._split_paths(event_name))

    def _split_paths(self, event_name: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
        known = self._by_event.get(event_name)
        if known is None:
            patterns = self.events if event_name is None else self.patterns_for(event_name)
            paths = sorted({path for pattern in patterns for path in self.events[pattern]})
            known = self._by_event[event_name] = tuple((path, segments(path)) for path in paths)
        return known

    def read_path_of(self, event_name: str | None, pointer: str, kind: Kind) -> str | None:
        """The read path that a finding at ``pointer`` touches, or None.

        A finding touches a read path when it is at it or below it (the most specific such
        path is named); a violation also touches the read paths below it (a wrong type or a
        missing object on the way to what is read breaks the reading). ``*`` on either side
        matches any segment.
        """
        found = segments(pointer)
        below: str | None = None
        at: str | None = None
        at_length = -1
        for path, parts in self._split_paths(event_name):
            # zip stops at the shorter: a finding above a read path, or at or below it, both match.
            if not all(read in (part, ANY) or part == ANY for read, part in zip(parts, found, strict=False)):
                continue
            if len(parts) <= len(found):
                if len(parts) > at_length:
                    at, at_length = path, len(parts)
            elif below is None:
                below = path
        if at is not None:
            return at
        return below if kind == VIOLATION else None

    def judged(self, result: Result) -> Result:
        """``result`` with each finding judged against this read-set (``read_path``, ``affects``)."""
        if not result.findings:
            return result
        name = result.event_name
        findings = tuple(
            finding.judged_by_reads(self.read_path_of(name, finding.path, finding.kind), result.strict)
            for finding in result.findings
        )
        return Result(name, findings, result.strict)


def read_set_from(reads: ReadSet | str | PathLike[str] | None) -> ReadSet | None:
    """A ``reads`` argument as a read-set: a ready one, or the file to read it from."""
    if reads is None or isinstance(reads, ReadSet):
        return reads
    return ReadSet.read(reads)
