"""What a schema set offers to browse: its events, their schema ids and their shipped examples.

The catalogue (``catalog.EVENTS``) names the built-in events; a set with overlays may pin
more, which are listed after them. ``envelope`` names the generic envelope schema wherever
an event name is expected, so it can be printed and bundled like an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from qase_contract.contract._catalog import EVENTS, EVENTS_BY_NAME
from qase_contract.contract._resources import examples_root
from qase_contract.contract._schema_set import ENVELOPE_ID, SchemaSet
from qase_contract.errors import UnknownEvent, UnknownExample

ENVELOPE = "envelope"
BUILTIN_SOURCE = "builtin"

Origin = Literal["builtin", "overlay"]


@dataclass(frozen=True, slots=True)
class EventEntry:
    """One event of a schema set; ``entity`` and ``label`` are None for an event only an overlay knows."""

    name: str
    entity: str | None
    label: str | None
    schema_path: str
    origin: Origin


def listed_events(schema_set: SchemaSet) -> list[EventEntry]:
    """Every event the set dispatches on: the catalogue's order, then overlay-only events by name."""
    builtin = SchemaSet.builtin().resources
    catalogued = [event.name for event in EVENTS if event.name in schema_set.event_schemas]
    added = sorted(set(schema_set.event_schemas) - set(catalogued))
    entries = []
    for name in (*catalogued, *added):
        schema_id = schema_set.event_schemas[name]
        spec = EVENTS_BY_NAME.get(name)
        origin: Origin = "builtin" if builtin.get(schema_id) is schema_set.resources[schema_id] else "overlay"
        entries.append(
            EventEntry(
                name=name,
                entity=spec.entity if spec else None,
                label=spec.label if spec else None,
                schema_path=schema_set.relative_name(schema_id),
                origin=origin,
            )
        )
    return entries


def schema_id_named(schema_set: SchemaSet, name: str) -> str:
    """The schema id of an event name, or of ``envelope``; raises :class:`UnknownEvent`."""
    if name == ENVELOPE:
        return ENVELOPE_ID
    schema_id = schema_set.schema_id_for(name)
    if schema_id is None:
        raise UnknownEvent(name, [*schema_set.event_schemas, ENVELOPE])
    return schema_id


def example_variants(schema_set: SchemaSet, event_name: str) -> dict[str, Path]:
    """Variant name -> example file for an event, sorted by name.

    The built-in examples come first; an overlay folder's ``examples/<event>/<variant>.json``
    adds variants and replaces those with the same name.
    """
    variants: dict[str, Path] = {}
    for source in schema_set.sources:
        root = examples_root() if source == BUILTIN_SOURCE else Path(source) / "examples"
        for path in sorted((root / event_name).glob("*.json")):
            variants[path.stem] = path
    return dict(sorted(variants.items()))


def example_path(schema_set: SchemaSet, event_name: str, variant: str = "canonical") -> Path:
    """The file of one example delivery of an event; raises :class:`UnknownEvent` for an event
    the set does not know and :class:`UnknownExample` for a variant it has no file for."""
    schema_id_named(schema_set, event_name)
    variants = example_variants(schema_set, event_name)
    path = variants.get(variant)
    if path is None:
        raise UnknownExample(event_name, variant, variants)
    return path
