"""The observed profile of a corpus: per event, what was seen at each path, in bounded memory.

Each delivery is parsed once and folded into its event's tree of :class:`ObservedNode`
(types with counts and the first place each was seen, a small set of scalar values, a few
examples). Nothing is validated per delivery; :mod:`qase_contract.drift._compare` compares the
trees with the contract once at the end. Memory stays flat however long the corpus: the
number of events, of nodes per event, of keys per object, of values per node and the depth
are capped, and every cap that bites leaves a note in the report.

Array items share one node (path segment ``*``); so do the values of a map the contract
declares with ``additionalProperties`` (plan ``cases``, keyed by case id). Header values are
never profiled, and fields whose name looks like a credential keep no value at all.

Where the contract limits values (``maximum``, ``pattern``, a ``propertyNames`` pattern, ...),
the node also counts the values (or keys) that break each limit, with the first location and
a few clipped examples; nodes without limits pay nothing for it.

Most objects of a corpus repeat the shape of earlier ones (the same keys with values of the same
types), and many repeat their short values too. An object of a shape seen before at its node is
folded by that shape's :class:`_Plan`: its children's type counts are counted once per object
and added at the end, and the values its children keep (or check against limits) are looked up
as one tuple, folded value by value only the first time that tuple is seen. What is added at
the end is what folding each object key by key would have added: a repeated object can only
count again what its first fold recorded (see :func:`_fold_scalar`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import orjson

from qase_contract._util.credentials import is_credential_name
from qase_contract._util.json_types import TYPE_OF_CLASS
from qase_contract._util.pointer import child as child_pointer
from qase_contract._util.words import counted
from qase_contract.contract._legacy import is_legacy_envelope
from qase_contract.contract._schema_set import ENVELOPE_ID, SchemaSet
from qase_contract.contract._tree import ContractNode, Contracts, Limit, Limits
from qase_contract.findings import Finding
from qase_contract.sources._model import Delivery, LineBatch, Location, ReadFailure, record_of
from qase_contract.validation._parsing import parse_body

#: Path segment standing for every item of an array and every value of a map.
WILDCARD = "*"

MAX_EVENTS = 500
MAX_NODES_PER_EVENT = 5_000
MAX_KEYS_PER_OBJECT = 500
MAX_DEPTH = 32
#: The longest event name or key kept: each is held once per event and printed in the report.
MAX_NAME_LENGTH = 256
#: Distinct values kept for a field that is not a closed set of the contract: past this
#: (or with a value longer than ``MAX_VALUE_LENGTH``) the field is free text and keeps none.
OPEN_VALUE_CAP = 12
#: Distinct values kept for a closed set of the contract, so every unknown one is reported.
CLOSED_VALUE_CAP = 100
MAX_VALUE_LENGTH = 64
MAX_EXAMPLES = 3
#: Shapes of object given a plan at one node, and tuples of kept values remembered per plan:
#: both bound the memory of the fast path; past them objects are folded key by key (or the
#: remembered tuples are counted and forgotten), with the same result.
MAX_PLANS_PER_NODE = 64
MAX_SEEN_PER_PLAN = 512
#: The longest JSON text of a kept tuple remembered (objects and arrays make it long).
MAX_SEEN_BYTES = 2048

_NONE = type(None)


class BrokenLimit:
    """The values (or keys) seen at one path that break one limit of the contract."""

    __slots__ = ("count", "examples", "first_location")

    def __init__(self, location: Location) -> None:
        self.count = 0
        self.first_location = location
        self.examples: list[object] = []


class ObservedNode:
    """What was seen at one path of one event."""

    __slots__ = (
        "broken_limits",
        "children",
        "closed_set",
        "contract",
        "entries",
        "examples",
        "first_seen",
        "items",
        "keys_checked",
        "limits",
        "plans",
        "redacted",
        "type_counts",
        "value_first_seen",
        "values",
        "values_capped",
    )

    def __init__(
        self, contract: ContractNode | None, name: str = "", *, below_credential: bool = False
    ) -> None:
        self.contract = contract
        self.type_counts: dict[type, int] = {}
        self.first_seen: dict[type, Location] = {}
        self.children: dict[str, ObservedNode] = {}
        self.items: ObservedNode | None = None
        #: Everything below a credential-named field is as secret as the field itself.
        self.redacted = below_credential or is_credential_name(name)
        #: Values of a map the contract declares (``additionalProperties`` schema), in one node.
        self.entries = (
            ObservedNode(contract.additional, below_credential=self.redacted)
            if contract is not None and contract.is_map
            else None
        )
        #: A closed set of the contract keeps its values (up to a cap) to report every unknown one.
        self.closed_set = contract is not None and contract.values is not None
        #: scalar value -> count, or None once the field proved to be free text.
        self.values: dict[object, int] | None = None if self.redacted else {}
        self.values_capped = False
        self.value_first_seen: dict[object, Location] = {}
        self.examples: list[object] = []
        #: The contract's limits here, or None when it has none (the hot loop tests only that).
        self.limits: Limits | None = contract.limits if contract is not None and contract.limits else None
        self.broken_limits: dict[Limit, BrokenLimit] = {}
        self.keys_checked = 0  # keys held up to a ``propertyNames`` pattern
        #: shape of an object (its keys, then its values' types) -> its plan; None where
        #: objects are always folded key by key (a map, keys held up to a pattern).
        self.plans: dict[tuple[object, ...], _Plan] | None = (
            None if self.entries is not None or (self.limits is not None and self.limits.keys) else {}
        )

    @property
    def count(self) -> int:
        return sum(self.type_counts.values())

    def types(self) -> dict[str, int]:
        """JSON type name -> how many times it was seen here."""
        return {TYPE_OF_CLASS[kind]: count for kind, count in self.type_counts.items()}

    @staticmethod
    def type_name(kind: type) -> str:
        return TYPE_OF_CLASS[kind]

    def first_seen_of(self, type_name: str) -> Location:
        return next(where for kind, where in self.first_seen.items() if TYPE_OF_CLASS[kind] == type_name)

    @property
    def first_location(self) -> Location:
        return next(iter(self.first_seen.values()))

    def sample(self) -> list[object]:
        """A few values seen here (never for a field named like a credential)."""
        if self.values is not None:
            return list(self.values)[:MAX_EXAMPLES]
        return list(self.examples)

    def walk(self, path: str = "") -> Iterator[tuple[str, ObservedNode]]:
        """(path, node) for every node below this one, this one first; wildcards as ``*``."""
        yield path, self
        for key, below in self.children.items():
            yield from below.walk(child_pointer(path, key))
        for every in (self.entries, self.items):
            if every is not None:
                yield from every.walk(child_pointer(path, WILDCARD))

    def keeps_all_values(self) -> bool:
        """Whether this node and every node below keep their values (none is free text or
        redacted): then an object or array here repeats as a whole, and is remembered so."""
        if self.values is None:
            return False
        below = [*self.children.values(), self.entries, self.items]
        return all(node is None or node.keeps_all_values() for node in below)

    def check_value(self, limits: Limits, value: str | float, location: Location, times: int = 1) -> None:
        """Count ``value`` (seen ``times`` times) under each limit it breaks (bools and nulls
        never come here)."""
        for limit in limits.strings if type(value) is str else limits.numbers:
            if limit.broken_by(value):
                self._note_break(limit, value, location, times)

    def check_keys(self, limits: Limits, keys: Iterable[str], location: Location, times: int = 1) -> None:
        """Count the keys of an object (seen ``times`` times) that break a ``propertyNames`` pattern."""
        for key in keys:
            self.keys_checked += times
            for limit in limits.keys:
                if limit.broken_by(key):
                    self._note_break(limit, key, location, times)

    def _note_break(self, limit: Limit, value: object, location: Location, times: int = 1) -> None:
        broken = self.broken_limits.get(limit)
        if broken is None:
            broken = self.broken_limits[limit] = BrokenLimit(location)
        broken.count += times
        example = clip(value)
        if not self.redacted and len(broken.examples) < MAX_EXAMPLES and example not in broken.examples:
            broken.examples.append(example)

    def _new_value(self, value: object, location: Location, times: int = 1) -> None:
        values = self.values
        assert values is not None
        if self.closed_set:
            # No closed set holds long texts: keep such a value cut short, it is unknown anyway.
            key = clip(value, 4 * MAX_VALUE_LENGTH)
            if key in values:
                values[key] += times
            elif len(values) < CLOSED_VALUE_CAP:
                values[key] = times
                self.value_first_seen[key] = location
            else:
                self.values_capped = True
            return
        too_long = isinstance(value, str) and len(value) > MAX_VALUE_LENGTH
        if too_long or len(values) >= OPEN_VALUE_CAP:
            # Free text (or too many values to be a closed set): keep a few examples, no more values.
            self.examples = [*list(values)[:MAX_EXAMPLES], clip(value)][:MAX_EXAMPLES]
            self.values = None
            self.value_first_seen = {}
        else:
            values[value] = times
            self.value_first_seen[value] = location


@dataclass
class EventProfile:
    """Everything observed for one event name."""

    name: str
    known: bool
    schema_id: str
    root: ObservedNode
    deliveries: int = 0
    nodes: int = 1
    notes: list[str] = field(default_factory=list)
    _capped_at: set[str] = field(default_factory=set)
    #: Every plan made for this event's nodes, to add what they counted at the end.
    plans: list[_Plan] = field(default_factory=list, repr=False, compare=False)

    def note_once(self, where: str, note: str) -> None:
        if where not in self._capped_at:
            self._capped_at.add(where)
            self.notes.append(note)


@dataclass
class Skipped:
    """Records that have no event to profile: unreadable, not JSON, not an object, legacy envelope."""

    reason: str
    message: str
    first_location: Location
    count: int = 0


class CorpusProfile:
    """The observed profile of a whole corpus, folded one delivery at a time.

    ``share`` (``(index, count)``) makes this the profile of one of ``count`` processes that
    read the same corpus: every event is folded by one of them, so each event's profile is the
    one a single process makes, and :meth:`merged` puts the shares together (drift's
    ``--jobs``). Each process still counts every record, and sees every event name in the
    order they come, so all agree on which events are profiled and whose each is.
    """

    def __init__(self, schema_set: SchemaSet | None = None, share: tuple[int, int] | None = None) -> None:
        self.contracts = Contracts(schema_set if schema_set is not None else SchemaSet.builtin())
        self.events: dict[str, EventProfile] = {}
        self.skipped: dict[str, Skipped] = {}
        self.deliveries = 0
        self.notes: list[str] = []
        self._events_capped = 0
        #: Every event name profiled (by this share or another), in the order first seen.
        self.event_order: list[str] = []
        self._share = share
        self._of_other_shares: set[str] = set()

    @property
    def schema_set(self) -> SchemaSet:
        return self.contracts.schema_set

    @classmethod
    def of(
        cls, deliveries: Iterable[Delivery | LineBatch], schema_set: SchemaSet | None = None
    ) -> CorpusProfile:
        """The profile of ``deliveries``, which may come in :class:`LineBatch` blocks
        (:func:`~qase_contract.sources._paths.read_batched`)."""
        profile = cls(schema_set)
        for item in deliveries:
            profile.add_item(item)
        profile.finish()
        return profile

    def add_item(self, item: Delivery | LineBatch) -> None:
        """One delivery, or a block of JSON Lines records."""
        if isinstance(item, LineBatch):
            self.add_lines(item)
        else:
            self.add(item)

    def add(self, delivery: Delivery) -> None:
        self.deliveries += 1
        location = delivery.location
        body = delivery.body
        if isinstance(body, ReadFailure):
            self._skip("unreadable", body.reason, location)
            return
        parsed = parse_body(body)
        if isinstance(parsed, Finding):
            self._skip("unparsable", parsed.message, location)
            return
        self._add_data(parsed.value, location)

    def add_lines(self, batch: LineBatch) -> None:
        """The records of a block of JSON Lines, as :meth:`add` would fold them one by one.

        Each record is an object line (the batch holds no other), so ``orjson.loads`` alone
        reads it as :func:`parse_body` would, without a delivery, a parse result and the
        checks for bodies of other kinds; a line it refuses goes through :meth:`add`, which
        says why.
        """
        source, first, lines, _ = batch
        loads = orjson.loads
        new = tuple.__new__
        others = self._of_other_shares
        for offset, line in enumerate(lines):
            if not line:
                continue  # a blank line
            try:
                data = loads(line)
            except orjson.JSONDecodeError:
                self.add(Delivery(record_of(line), new(Location, (source, first + offset, None, ""))))
                continue
            self.deliveries += 1
            if others and type(data) is dict:
                name = data.get("event_name")
                if type(name) is str and name in others:
                    continue  # another share folds it (see _add_data): most lines, with many shares
            self._add_data(data, new(Location, (source, first + offset, None, "")))

    def _add_data(self, data: object, location: Location) -> None:
        """Fold one parsed delivery into its event's profile, or count why it has none."""
        if type(data) is not dict:
            self._skip("not-an-object", "the delivery is not a JSON object", location)
            return
        name = data.get("event_name")
        if type(name) is not str:
            if is_legacy_envelope(data):
                self._skip("legacy-envelope", 'the obsolete 2021 envelope with "event"', location)
            else:
                self._skip("no-event-name", "the delivery has no string event_name", location)
            return
        if len(name) > MAX_NAME_LENGTH:
            # Kept in memory and in the report per event: a name of megabytes is no event.
            self._skip("event-name-too-long", f"an event_name over {MAX_NAME_LENGTH} characters", location)
            return
        event = self.events.get(name)
        if event is None:
            if name in self._of_other_shares:
                return  # another share folds it
            event = self._new_event(name, location)
            if event is None:
                return
        event.deliveries += 1
        # What _fold does for a value, short: the root is an object, at depth 0.
        root = event.root
        root.type_counts[dict] += 1
        _fold_object(event, root, data, location, 0)

    def finish(self) -> None:
        """Add what the plans counted to the nodes: the profile is complete once this ran."""
        # Adding what a plan remembered folds objects below by their plans, which then have
        # counts to add in turn: a plan below is made before the one above, so a pass from
        # the last made to the first adds nearly all, and the last pass finds nothing left.
        while sum(plan.flush() for event in self.events.values() for plan in reversed(event.plans)):
            pass
        if self._events_capped:
            self.notes.append(
                f"more than {MAX_EVENTS} distinct event names: {counted(self._events_capped, 'delivery')} of "
                "further events were counted but not profiled"
            )

    def _new_event(self, name: str, location: Location) -> EventProfile | None:
        """The profile of a new event, whose first delivery (an object) is at ``location``;
        None for an event over the cap, or one that another share folds."""
        if len(self.event_order) >= MAX_EVENTS:
            self._events_capped += 1
            return None
        self.event_order.append(name)
        if self._share is not None and (len(self.event_order) - 1) % self._share[1] != self._share[0]:
            self._of_other_shares.add(name)
            return None
        schema_id = self.contracts.schema_id_for(name)
        known = schema_id is not None
        schema_id = schema_id or ENVELOPE_ID
        root = ObservedNode(self.contracts.tree(schema_id))
        root.type_counts[dict] = 0
        root.first_seen[dict] = location
        event = self.events[name] = EventProfile(name, known, schema_id, root)
        return event

    @classmethod
    def merged(cls, shares: list[CorpusProfile], schema_set: SchemaSet | None = None) -> CorpusProfile:
        """The profile of a corpus from the finished profiles of its shares (see ``share``):
        the events of all, in the order the corpus first showed them; what every share
        counted alike (records, skipped ones, capped events, notes) from the first."""
        first = shares[0]
        profile = cls(schema_set)
        events = {name: event for share in shares for name, event in share.events.items()}
        profile.events = {name: events[name] for name in first.event_order}
        profile.event_order = first.event_order
        profile.skipped = first.skipped
        profile.deliveries = first.deliveries
        profile.notes = first.notes
        profile._events_capped = first._events_capped
        return profile

    def __getstate__(self) -> dict[str, object]:
        # Sent from a worker without its contracts: the receiver has its own (see merged).
        # Unpickling then fills __dict__ with the rest, as pickle does by default.
        state = dict(self.__dict__)
        del state["contracts"]
        return state

    def counted_alike(self, other: CorpusProfile) -> bool:
        """Whether two shares read the same records: the same counts, skipped records and event
        names in the same order (a file that grew between their reads gives different ones)."""
        return (
            self.deliveries == other.deliveries
            and self.event_order == other.event_order
            and self._events_capped == other._events_capped
            and [(s.reason, s.count) for s in self.skipped.values()]
            == [(s.reason, s.count) for s in other.skipped.values()]
        )

    def without_plans(self) -> CorpusProfile:
        """This finished profile without its plans (all counted by :meth:`finish`), to be sent
        to another process: they are of no more use, and would make the message large."""
        for event in self.events.values():
            event.plans = []
            for _, node in event.root.walk():
                if node.plans:
                    node.plans = {}
        return self

    def _skip(self, reason: str, message: str, location: Location) -> None:
        skipped = self.skipped.get(reason)
        if skipped is None:
            skipped = self.skipped[reason] = Skipped(reason, message, location)
        skipped.count += 1


def clip(value: object, length: int = MAX_VALUE_LENGTH) -> object:
    """A string cut to ``length`` characters (an ellipsis marks the cut); other values unchanged."""
    if isinstance(value, str) and len(value) > length:
        return value[: length - 1] + "…"
    return value


def _fold(
    event: EventProfile, node: ObservedNode, value: Any, location: Location, depth: int, times: int = 1
) -> None:
    """Add one value (seen ``times`` times) to the node of its path, then its contents to the
    nodes below (the hot loop).

    Scalars are folded inline by their container's loop, not by a call of their own: most
    values of a delivery are scalars, and a call costs more than the counting it does.
    """
    kind = type(value)
    if kind is float and value.is_integer():
        kind = int  # JSON Schema counts 1.0 as an integer
    counts = node.type_counts
    seen = counts.get(kind)
    if seen is None:
        counts[kind] = times
        node.first_seen[kind] = location
    else:
        counts[kind] = seen + times
    if kind is dict or kind is list:
        _fold_container(event, node, value, location, depth, times)
    elif kind is not bool and kind is not _NONE:
        _fold_scalar(node, value, location, times)


def _fold_container(
    event: EventProfile, node: ObservedNode, value: Any, location: Location, depth: int, times: int
) -> None:
    """The contents of an object or an array (its own type counted by the caller)."""
    if depth >= MAX_DEPTH:
        event.note_once(
            "depth", f"{event.name}: values nested deeper than {MAX_DEPTH} levels are not profiled"
        )
    elif type(value) is dict:
        _fold_object(event, node, value, location, depth, times)
    else:
        _fold_items(event, node, value, location, depth, times)


def _fold_object(
    event: EventProfile,
    node: ObservedNode,
    value: dict[str, Any],
    location: Location,
    depth: int,
    times: int = 1,
) -> None:
    """An object by the plan of its shape at ``node``; key by key (then planned) if it has none.

    The object's own type is counted by the caller; the plan counts its children's types."""
    plans = node.plans
    if plans is None:
        _fold_keys(event, node, value, location, depth, times)
        return
    # Keys, then the types of the values: a key is a string, never a type, so no two shapes
    # share a tuple. Built in C, it costs less than one dict update per key.
    shape = (*value, *map(type, value.values()))
    plan = plans.get(shape)
    if plan is None:
        _fold_keys(event, node, value, location, depth, times)
        if len(plans) < MAX_PLANS_PER_NODE:
            plan = plans[shape] = _Plan(event, node, value, location, depth)
            event.plans.append(plan)
        return
    plan.objects += times
    for key, below in plan.checked:
        below.check_value(below.limits, value[key], location, times)  # type: ignore[arg-type]  # see _keep
    for key, below in plan.floats:
        _fold(event, below, value[key], location, depth + 1, times)
    take = plan.take
    if take is not None:
        kept = take(value)
        remembered = plan.seen.get(plan.key_of(kept) if plan.dumped else kept)
        if remembered is None:
            plan.fold_new(value, kept, location, times)  # the walked objects and arrays too
            return
        remembered[1] += times
    for key, below, is_object in plan.walked:
        if is_object:
            _fold_object(event, below, value[key], location, depth + 1, times)
        else:
            _fold_items(event, below, value[key], location, depth + 1, times)


def _fold_keys(
    event: EventProfile, node: ObservedNode, value: dict[str, Any], location: Location, depth: int, times: int
) -> None:
    """An object key by key: every child counted and folded here and now."""
    limits = node.limits
    if limits is not None and limits.keys:
        node.check_keys(limits, value, location, times)
    entries = node.entries
    if entries is not None:
        _fold_all(event, entries, value.values(), location, depth + 1, times)
        return
    children = node.children
    for key, item in value.items():
        below = children.get(key)
        if below is None:
            below = _new_child(event, node, key)
            if below is None:
                continue
        kind = type(item)
        if kind is dict or kind is list or (kind is float and item.is_integer()):
            _fold(event, below, item, location, depth + 1, times)
            continue
        counts = below.type_counts
        seen = counts.get(kind)
        if seen is None:
            counts[kind] = times
            below.first_seen[kind] = location
        else:
            counts[kind] = seen + times
        if kind is not bool and kind is not _NONE and (below.values is not None or below.limits is not None):
            _fold_scalar(below, item, location, times)


def _fold_items(
    event: EventProfile, node: ObservedNode, value: list[Any], location: Location, depth: int, times: int = 1
) -> None:
    """The items of an array into the node they share (the array's own type counted by the caller)."""
    items = node.items
    if items is None:
        contract = node.contract.items if node.contract is not None else None
        items = node.items = ObservedNode(contract, below_credential=node.redacted)
        event.nodes += 1
    _fold_all(event, items, value, location, depth + 1, times)


def _fold_all(
    event: EventProfile, node: ObservedNode, values: Iterable[Any], location: Location, depth: int, times: int
) -> None:
    """Every item of an array (or value of a map) into their one shared node."""
    for item in values:
        _fold(event, node, item, location, depth, times)


def _fold_scalar(node: ObservedNode, value: Any, location: Location, times: int = 1) -> None:
    """Count a scalar ``times`` times under its node's limits and values (as many folds of it
    would: only the first can add a value or a broken limit, the rest only count)."""
    limits = node.limits
    if limits is not None:
        node.check_value(limits, value, location, times)
    values = node.values
    if values is not None:
        count = values.get(value)
        if count is None:
            node._new_value(value, location, times)
        else:
            values[value] = count + times


def _new_child(event: EventProfile, parent: ObservedNode, key: str) -> ObservedNode | None:
    contract = parent.contract
    if len(key) > MAX_NAME_LENGTH:
        event.note_once("long-keys", f"{event.name}: keys over {MAX_NAME_LENGTH} characters are not profiled")
        return None
    if len(parent.children) >= MAX_KEYS_PER_OBJECT or event.nodes >= MAX_NODES_PER_EVENT:
        event.note_once(
            "keys",
            f"{event.name}: more than {MAX_KEYS_PER_OBJECT} keys in one object or {MAX_NODES_PER_EVENT} "
            "paths in all; further keys are not profiled",
        )
        return None
    event.nodes += 1
    below = parent.children[key] = ObservedNode(
        contract.child(key) if contract is not None else None, key, below_credential=parent.redacted
    )
    return below


class _Plan:
    """How the objects of one shape (keys, and the types of their values) fold at one node.

    Made after the first object of the shape was folded key by key, so every child it names
    exists and has seen each type of the shape: a later object of the shape only adds counts.
    Its children's type counts are counted as ``objects`` and added by :meth:`flush`.

    What the children hold is taken as one tuple (``kept``): the scalars of the children that
    keep values, and the objects and arrays whose every path below keeps values (a priority
    object, the steps of a case). A tuple is folded the first time it is seen and remembered
    in ``seen``, with the times seen since, which :meth:`flush` folds at once: folding the same
    values again only counts them again. Where a child keeps no values (free text, ids),
    that child is folded on its own each time: a scalar checked against its limits if it has
    any (``checked``), an object or array by its own plans (``walked``); floats are folded one
    by one (1.0 counts as an integer).

    Memory stays bounded: ``seen`` remembers at most ``MAX_SEEN_PER_PLAN`` tuples, short ones;
    when objects and arrays make too many, they are walked instead.
    """

    __slots__ = (
        "checked",
        "containers",
        "counted",
        "depth",
        "dumped",
        "event",
        "floats",
        "kept",
        "location",
        "objects",
        "scalars",
        "seen",
        "take",
        "walked",
        "with_containers",
    )

    def __init__(
        self, event: EventProfile, node: ObservedNode, value: dict[str, Any], location: Location, depth: int
    ) -> None:
        self.event = event
        self.depth = depth
        self.objects = 0
        #: The place of the object the plan was made from: a fold of values already seen
        #: records no place, but needs one to pass.
        self.location = location
        self.counted: list[tuple[dict[type, int], type]] = []
        self.floats: list[tuple[str, ObservedNode]] = []
        self.scalars: list[tuple[str, ObservedNode]] = []
        self.containers: list[tuple[str, ObservedNode, bool]] = []
        children = node.children
        for key, item in value.items():
            below = children.get(key)
            if below is None:
                continue  # not profiled (a cap or a long key), and never will be
            kind = type(item)
            if kind is float:
                self.floats.append((key, below))
                continue
            self.counted.append((below.type_counts, kind))
            if kind is dict or kind is list:
                if depth + 1 < MAX_DEPTH:  # deeper, the first fold noted it is not profiled
                    self.containers.append((key, below, kind is dict))
            elif kind is not bool and kind is not _NONE:
                self.scalars.append((key, below))
        self.with_containers = True
        self.kept: tuple[tuple[ObservedNode, type | None], ...] = ()
        self.checked: list[tuple[str, ObservedNode]] = []
        self.walked: list[tuple[str, ObservedNode, bool]] = []
        self.take: Callable[[dict[str, Any]], object] | None = None
        self.dumped = False
        #: key of a kept tuple -> [the tuple, times seen since it was folded (not yet folded)].
        self.seen: dict[object, list[Any]] = {}
        self._keep()

    def _keep(self) -> None:
        """Choose what is taken as the kept tuple, and what is folded on its own each time."""
        kept: list[tuple[str, ObservedNode, type | None]] = []
        self.checked = []
        for key, below in self.scalars:
            if below.values is not None:
                kept.append((key, below, None))
            elif below.limits is not None:
                self.checked.append((key, below))
        self.walked = []
        for key, below, is_object in self.containers:
            if self.with_containers and below.keeps_all_values():
                kept.append((key, below, dict if is_object else list))
            else:
                self.walked.append((key, below, is_object))
        self.kept = tuple((below, kind) for _, below, kind in kept)
        # itemgetter gives a lone value for one key and a tuple for more: both serve as keys of
        # ``seen`` (objects and arrays as their JSON text), and :meth:`_values` gives them back
        # as tuples.
        self.take = itemgetter(*(key for key, _, _ in kept)) if kept else None
        self.dumped = any(kind is not None for _, _, kind in kept)
        self.seen = {}

    def _values(self, kept: object) -> tuple[Any, ...]:
        return kept if len(self.kept) > 1 else (kept,)  # type: ignore[return-value]  # see _keep

    @staticmethod
    def key_of(kept: object) -> bytes:
        """A tuple holding objects or arrays, as a key: its JSON text, which tells apart what
        Python's equality mixes up (``1``, ``1.0`` and ``true``)."""
        try:
            return orjson.dumps(kept)
        except orjson.JSONEncodeError:  # nested too deep for orjson: never remembered
            return b""

    def fold_new(self, value: dict[str, Any], kept: object, location: Location, times: int) -> None:
        """An object whose kept values were not seen together here before: folded as key by key
        (recording what is new), then its kept tuple remembered.

        Its objects and arrays, kept or walked, are folded in the order of their keys: a new
        path is made, or a cap noted, in the order that folding key by key makes them."""
        values = self._values(kept)
        for (below, kind), item in zip(self.kept, values, strict=True):
            if kind is None:
                _fold_scalar(below, item, location, times)
        for key, below, is_object in self.containers:
            if is_object:
                _fold_object(self.event, below, value[key], location, self.depth + 1, times)
            else:
                _fold_items(self.event, below, value[key], location, self.depth + 1, times)
        if any(
            below.values is None or (kind is not None and not below.keeps_all_values())
            for below, kind in self.kept
        ):
            # A child's values proved free text: it leaves the tuple, or every object would
            # bring a tuple never seen before.
            self.flush()
            self._keep()
        else:
            self._remember(kept, values)

    def _remember(self, kept: object, values: tuple[Any, ...]) -> None:
        """Remember a kept tuple just folded, so the next objects holding it only count it."""
        key: object = kept
        if self.dumped:
            text = self.key_of(kept)
            key = text
            too_long = not text or len(text) > MAX_SEEN_BYTES
        else:
            too_long = any(type(item) is str and len(item) > 4 * MAX_VALUE_LENGTH for item in values)
        if too_long or len(self.seen) >= MAX_SEEN_PER_PLAN:
            # Remembered, long values would hold memory; too many tuples are no repeat.
            self.flush()
            if self.with_containers and self.dumped:
                self.with_containers = False  # objects and arrays below are walked from now on
                self._keep()
                return
            self.seen.clear()
            if too_long:
                return
        self.seen[key] = [kept, 0]

    def _fold_values(self, values: tuple[Any, ...], location: Location, times: int) -> None:
        depth = self.depth + 1
        for (below, kind), value in zip(self.kept, values, strict=True):
            if kind is None:
                _fold_scalar(below, value, location, times)
            else:
                _fold_container(self.event, below, value, location, depth, times)

    def flush(self) -> bool:
        """Add what was counted since the last flush to the nodes, as folding each object would
        have; whether there was anything to add."""
        added = False
        objects = self.objects
        if objects:
            added = True
            for counts, kind in self.counted:
                counts[kind] += objects
            self.objects = 0
        for remembered in self.seen.values():
            times = remembered[1]
            if times:
                added = True
                remembered[1] = 0
                self._fold_values(self._values(remembered[0]), self.location, times)
        return added
