"""Compare an observed profile with the contract, once, after the whole corpus was folded.

The result is plain data (:class:`DriftReport`): ``drift._report`` turns it into the
documented report data, ``drift._suggest`` adopts it into overlay schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qase_contract._util.json_types import TYPE_ORDER, json_type
from qase_contract._util.pointer import child as child_pointer
from qase_contract.contract._keywords import KEY_PATTERN
from qase_contract.contract._tree import ContractNode, Place
from qase_contract.drift._profile import WILDCARD, CorpusProfile, EventProfile, ObservedNode
from qase_contract.drift._shape import observed_schema
from qase_contract.findings import Kind


@dataclass(frozen=True)
class UndocumentedField:
    """A key the contract does not declare, where the contract closes the object."""

    path: str
    count: int
    of: int  # how many times the object holding it was seen
    types: dict[str, int]
    first_location: str
    examples: tuple[object, ...]
    redacted: bool
    node: ObservedNode = field(repr=False, compare=False)
    parent: ContractNode = field(repr=False, compare=False)


@dataclass(frozen=True)
class TypeChange:
    """Types seen at a path that the contract does not allow there (null apart)."""

    path: str
    expected: tuple[str, ...]
    seen: dict[str, int]
    unexpected: int
    first_location: str
    node: ObservedNode = field(repr=False, compare=False)


@dataclass(frozen=True)
class ForbiddenNull:
    path: str
    count: int
    of: int
    first_location: str
    node: ObservedNode = field(repr=False, compare=False)


@dataclass(frozen=True)
class UnknownValue:
    value: object
    count: int
    first_location: str


@dataclass(frozen=True)
class UnknownValues:
    """Values outside a closed set of the contract."""

    path: str
    allowed: tuple[object, ...]
    values: tuple[UnknownValue, ...]
    of: int
    complete: bool  # False when the field showed more distinct values than the profile keeps
    node: ObservedNode = field(repr=False, compare=False)


#: The validator's finding code for a break of each limit keyword.
LIMIT_CODES = {
    "minimum": "out-of-range",
    "exclusiveMinimum": "out-of-range",
    "maximum": "out-of-range",
    "exclusiveMaximum": "out-of-range",
    "multipleOf": "invalid-value",
    "minLength": "bad-format",
    "maxLength": "bad-format",
    "pattern": "bad-format",
    KEY_PATTERN: "bad-format",
}


@dataclass(frozen=True)
class LimitBreak:
    """Values that break a value limit of the contract: breaking, a violation for the validator.

    For ``propertyNames`` the path is the object's and the values are its keys.
    """

    path: str
    keyword: str
    limit: object
    count: int
    of: int  # values seen at the path (keys, for propertyNames)
    first_location: str
    examples: tuple[object, ...]
    redacted: bool
    #: The subschema that declares the limit (None when the set does not place it).
    place: Place | None = field(default=None, repr=False, compare=False)

    @property
    def code(self) -> str:
        return LIMIT_CODES[self.keyword]


@dataclass(frozen=True)
class MissingRequired:
    path: str
    missing: int
    of: int
    #: The contract of the object that requires the field.
    parent: ContractNode | None = field(default=None, repr=False, compare=False)


#: Each list of changes, with the kind and code the validator gives such a change.
CHANGE_CODES: dict[str, tuple[Kind, str | None]] = {
    "undocumented_fields": ("drift", "unknown-field"),
    "type_changes": ("violation", "wrong-type"),
    "forbidden_nulls": ("violation", "null-not-allowed"),
    "unknown_values": ("drift", "unknown-value"),
    "limit_breaks": ("violation", None),  # the item has its code
    "missing_required_fields": ("violation", "missing-field"),
}


@dataclass
class EventDrift:
    """How one event's deliveries differ from the contract."""

    name: str
    known: bool
    schema: str
    deliveries: int
    undocumented_fields: list[UndocumentedField] = field(default_factory=list)
    unseen_optional_fields: list[str] = field(default_factory=list)
    missing_required_fields: list[MissingRequired] = field(default_factory=list)
    type_changes: list[TypeChange] = field(default_factory=list)
    forbidden_nulls: list[ForbiddenNull] = field(default_factory=list)
    unknown_values: list[UnknownValues] = field(default_factory=list)
    limit_breaks: list[LimitBreak] = field(default_factory=list)
    observed_schema: dict[str, Any] | None = None  # unknown events: the shape of their payload
    notes: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        """Anything the contract does not describe (unseen optional fields are fine)."""
        return not self.known or bool(
            self.undocumented_fields
            or self.missing_required_fields
            or self.type_changes
            or self.forbidden_nulls
            or self.unknown_values
            or self.limit_breaks
        )


@dataclass
class SkippedRecords:
    reason: str
    count: int
    first_location: str
    message: str


@dataclass
class DriftReport:
    deliveries: int
    events: dict[str, EventDrift]
    unseen_events: list[str]
    skipped: list[SkippedRecords]
    notes: list[str]

    @property
    def unknown_events(self) -> list[str]:
        return [name for name, event in self.events.items() if not event.known]


def compare(profile: CorpusProfile) -> DriftReport:
    events = {name: _event_drift(profile, event) for name, event in sorted(profile.events.items())}
    unseen = sorted(set(profile.schema_set.event_schemas) - set(profile.events))
    skipped = [
        SkippedRecords(item.reason, item.count, str(item.first_location), item.message)
        for item in sorted(profile.skipped.values(), key=lambda item: item.reason)
    ]
    return DriftReport(profile.deliveries, events, unseen, skipped, list(profile.notes))


def _event_drift(profile: CorpusProfile, event: EventProfile) -> EventDrift:
    drift = EventDrift(
        event.name,
        event.known,
        profile.schema_set.relative_name(event.schema_id),
        event.deliveries,
        notes=list(event.notes),
    )
    _compare(drift, event.root, "")
    if not event.known:
        payload = event.root.children.get("payload")
        drift.observed_schema = observed_schema(payload) if payload is not None else {}
    for found in (
        drift.undocumented_fields,
        drift.missing_required_fields,
        drift.type_changes,
        drift.forbidden_nulls,
        drift.unknown_values,
        drift.limit_breaks,
    ):
        found.sort(key=lambda item: item.path)
    drift.unseen_optional_fields.sort()
    return drift


def _compare(drift: EventDrift, node: ObservedNode, path: str) -> None:
    contract = node.contract
    if contract is None:
        return
    types = node.types()
    _check_types(drift, node, contract, types, path)
    if contract.values is not None:
        _check_values(drift, node, contract, path)
    if node.broken_limits:
        _check_limits(drift, node, path)
    objects = types.get("object", 0)
    if objects:
        _check_keys(drift, node, contract, objects, path)
    if node.entries is not None:
        _compare(drift, node.entries, child_pointer(path, WILDCARD))
    if node.items is not None:
        _compare(drift, node.items, child_pointer(path, WILDCARD))


def _check_types(
    drift: EventDrift, node: ObservedNode, contract: ContractNode, types: dict[str, int], path: str
) -> None:
    total = sum(types.values())
    nulls = types.get("null", 0)
    if nulls and not contract.allows("null"):
        drift.forbidden_nulls.append(ForbiddenNull(path, nulls, total, str(node.first_seen_of("null")), node))
    unexpected = [name for name in types if name != "null" and not contract.allows(name)]
    if unexpected:
        first = next(where for kind, where in node.first_seen.items() if node.type_name(kind) in unexpected)
        drift.type_changes.append(
            TypeChange(
                path,
                expected=_ordered(contract.types or ()),
                seen={name: types[name] for name in _ordered(types)},
                unexpected=sum(types[name] for name in unexpected),
                first_location=str(first),
                node=node,
            )
        )


def _check_values(drift: EventDrift, node: ObservedNode, contract: ContractNode, path: str) -> None:
    allowed = contract.values or ()
    observed = node.values
    if observed is None:
        return
    unknown = tuple(
        UnknownValue(value, count, str(node.value_first_seen[value]))
        for value, count in observed.items()
        # A value of a type the contract does not allow is a type change already.
        if value not in allowed and contract.allows(_value_type(value))
    )
    if unknown:
        drift.unknown_values.append(
            UnknownValues(path, allowed, unknown, node.count, not node.values_capped, node)
        )


def _check_limits(drift: EventDrift, node: ObservedNode, path: str) -> None:
    for limit, broken in node.broken_limits.items():
        of = node.keys_checked if limit.keyword == KEY_PATTERN else node.count
        drift.limit_breaks.append(
            LimitBreak(
                path,
                limit.keyword,
                limit.limit,
                broken.count,
                of,
                str(broken.first_location),
                tuple(broken.examples),
                node.redacted,
                limit.place,
            )
        )


def _check_keys(
    drift: EventDrift, node: ObservedNode, contract: ContractNode, objects: int, path: str
) -> None:
    for key, below in node.children.items():
        here = child_pointer(path, key)
        if below.contract is None:
            if contract.closed:
                drift.undocumented_fields.append(
                    UndocumentedField(
                        here,
                        below.count,
                        objects,
                        below.types(),
                        str(below.first_location),
                        tuple(below.sample()),
                        below.redacted,
                        below,
                        contract,
                    )
                )
            continue
        present = below.count
        if key in contract.required and present < objects:
            drift.missing_required_fields.append(MissingRequired(here, objects - present, objects, contract))
        _compare(drift, below, here)
    for key in contract.properties:
        if key not in node.children and key not in contract.required:
            drift.unseen_optional_fields.append(child_pointer(path, key))
        elif key not in node.children:
            missing = MissingRequired(child_pointer(path, key), objects, objects, contract)
            drift.missing_required_fields.append(missing)


def _value_type(value: object) -> str:
    return "integer" if isinstance(value, float) and value.is_integer() else json_type(value)


def _ordered(names: Any) -> tuple[str, ...]:
    return tuple(name for name in TYPE_ORDER if name in names)
