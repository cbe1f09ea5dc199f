"""The schema set: every schema resource by its ``$id``, and which schema checks which event.

The set is immutable: overlaying a folder returns a new set (like
``referencing.Registry.with_resources``). Nothing here ever reaches the network: the
referencing registry has no retrieve function, and every ``$ref`` must land on a resource
of the set, which :func:`unresolved_refs` proves before a set is handed out.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterator, Mapping
from functools import cached_property
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

import orjson

from qase_contract._util.files import why_not_a_regular_file
from qase_contract._util.pointer import child, pointer
from qase_contract.contract._keywords import DATA_KEYWORDS, SCHEMA_MAPS
from qase_contract.contract._resources import schemas_root
from qase_contract.errors import SchemaSetError

if TYPE_CHECKING:
    import referencing

#: Base URI of every built-in schema. ``.invalid`` is a reserved top-level domain, so no
#: validator anywhere can fetch these identifiers from the network.
SCHEMA_BASE = "https://qase-contract.invalid/schemas/"
ENVELOPE_ID = SCHEMA_BASE + "envelope.schema.json"

Schema = Mapping[str, Any]


class SchemaSet:
    """Schema resources keyed by absolute ``$id``, and the event each event schema pins.

    Data only: the validation room compiles engines from it (and, for an overlay, proves that
    both engines accept every schema: ``validation.load_schema_set``). Compared by identity,
    not contents: engines are cached per set.
    """

    # A plain class, not a frozen dataclass: every run creates this class at start-up, and a
    # dataclass's generated methods cost about 0.8 ms to compile there.
    def __init__(
        self, resources: Mapping[str, Schema], event_schemas: Mapping[str, str], sources: tuple[str, ...]
    ) -> None:
        self.resources = resources
        self.event_schemas = event_schemas
        self.sources = sources

    def __repr__(self) -> str:
        return f"SchemaSet(sources={self.sources!r}, {len(self.resources)} resources)"

    @classmethod
    def builtin(cls) -> SchemaSet:
        return _builtin_schema_set()

    def with_overlay(self, folder: str | PathLike[str]) -> SchemaSet:
        """A new set in which the schemas of ``folder`` add or replace resources and events.

        A file's identity is its ``$id``, or, without one, its path below ``folder`` under the
        built-in base (so ``events/run/started.schema.json`` replaces the built-in one).
        """
        root = Path(folder)
        if not root.is_dir():
            raise SchemaSetError(f"{root}: schema overlay folder not found")
        overlay = dict(_load_folder(root, excluded=("examples",)))
        if not overlay:
            raise SchemaSetError(f"{root}: no *.json schema files in the overlay folder")
        resources = {**self.resources, **overlay}
        result = SchemaSet(resources, _event_schemas(resources), (*self.sources, str(root)))
        result.check()
        return result

    def schema_id_for(self, event_name: str) -> str | None:
        return self.event_schemas.get(event_name)

    def relative_name(self, schema_id: str) -> str:
        """``events/case/created.schema.json`` for a built-in id; the id itself otherwise."""
        return schema_id.removeprefix(SCHEMA_BASE)

    def check(self) -> None:
        """Raise :class:`SchemaSetError` naming the first schema that is invalid or refers outside the set."""
        from jsonschema.exceptions import SchemaError
        from jsonschema.validators import validator_for
        from referencing.jsonschema import UnknownDialect, specification_with

        for schema_id, schema in self.resources.items():
            dialect = schema.get("$schema")
            if dialect is not None:
                try:
                    specification_with(str(dialect))
                except UnknownDialect:
                    raise SchemaSetError(
                        f"{self.relative_name(schema_id)}: unknown $schema {dialect!r}; "
                        "use a JSON Schema draft such as https://json-schema.org/draft/2020-12/schema"
                    ) from None
            # Any: types-jsonschema's protocol lacks check_schema's format_checker argument.
            schema_class: Any = validator_for(schema, default=_draft202012())
            try:
                schema_class.check_schema(dict(schema), format_checker=_ecma_format_checker(schema_class))
            except RecursionError:
                raise SchemaSetError(
                    f"{self.relative_name(schema_id)}: nested too deep to be checked"
                ) from None
            except SchemaError as error:
                where = pointer(error.path) or "/"
                raise SchemaSetError(
                    f"{self.relative_name(schema_id)}: not a valid JSON Schema at {where}: {error.message}"
                ) from None
        problems = unresolved_refs(self)
        if problems:
            raise SchemaSetError(problems[0])

    @cached_property
    def registry(self) -> referencing.Registry[Any]:
        """An immutable, crawled ``referencing`` registry with no retrieve function."""
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        registry: referencing.Registry[Any] = Registry().with_resources(
            (schema_id, Resource.from_contents(schema, default_specification=DRAFT202012))
            for schema_id, schema in self.resources.items()
        )
        return registry.crawl()

    @cached_property
    def locations(self) -> dict[int, str]:
        """``id()`` of every schema object of the set -> where it stands (``file#/pointer``).

        Errors carry the subschema object that failed; this names its real place, even
        when it was reached through ``$ref`` from another file.
        """
        found: dict[int, str] = {}
        for schema_id, schema in self.resources.items():
            name = self.relative_name(schema_id)
            for where, node in _objects(schema, ""):
                found.setdefault(id(node), f"{name}#{where}")
        return found


def _ecma_format_checker(schema_class: Any) -> Any:
    """The metaschema's format checks, with ``regex`` meaning ECMA-262 (``^\\p{Lu}`` is a
    valid pattern; Python's ``re`` would refuse it)."""
    checker = copy.deepcopy(schema_class.FORMAT_CHECKER)
    from qase_contract.contract._patterns import is_pattern  # regress: only to check schemas

    checker.checks("regex")(is_pattern)
    return checker


def _draft202012() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator


@functools.cache
def _builtin_schema_set() -> SchemaSet:
    resources = dict(_load_folder(schemas_root(), excluded=("examples",)))
    return SchemaSet(resources, _event_schemas(resources), ("builtin",))


def _load_folder(root: Path, excluded: tuple[str, ...]) -> Iterator[tuple[str, Schema]]:
    for relative, entry in _json_files(str(root), (), excluded):
        path = Path(entry.path)
        problem = why_not_a_regular_file(entry)
        if problem is not None:
            raise SchemaSetError(f"{path}: {problem}")
        try:
            # orjson, not json: a file nested thousands deep is a parse error, not a RecursionError.
            with path.open("rb") as stream:
                schema = orjson.loads(stream.read())
        except (OSError, ValueError) as error:
            raise SchemaSetError(f"{path}: cannot read schema: {error}") from None
        if not isinstance(schema, dict):
            raise SchemaSetError(f"{path}: a schema file must hold a JSON object")
        default_id = SCHEMA_BASE + "/".join(relative)
        declared = schema.get("$id")
        if declared == default_id:  # the built-in files: their own path, nothing to resolve
            schema_id = default_id
        else:
            joined = urljoin(default_id, declared) if isinstance(declared, str) else default_id
            schema_id = urldefrag(joined).url
        # Both engines resolve relative $refs against the document's own $id, so every
        # resource carries its absolute one.
        yield schema_id, {**schema, "$id": schema_id}


def _json_files(
    folder: str, parts: tuple[str, ...], excluded: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], os.DirEntry[str]]]:
    """Every ``*.json`` file below ``folder``, with its path parts, in the order of their paths
    (as ``sorted(Path.rglob(...))`` gives them, without making a Path of each)."""
    entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    found: list[tuple[tuple[str, ...], os.DirEntry[str]]] = []
    for entry in entries:
        relative = (*parts, entry.name)
        if not parts and entry.name in excluded:
            continue
        if entry.is_dir():
            found.extend(_json_files(entry.path, relative, excluded))
        elif entry.name.endswith(".json"):
            found.append((relative, entry))
    found.sort(key=lambda item: item[0])
    return iter(found)


def _event_schemas(resources: Mapping[str, Schema]) -> dict[str, str]:
    """Event name -> schema id, read from each schema's ``properties.event_name.const``."""
    events: dict[str, str] = {}
    for schema_id, schema in resources.items():
        properties = schema.get("properties")
        event_name = properties.get("event_name") if isinstance(properties, dict) else None
        pinned = event_name.get("const") if isinstance(event_name, dict) else None
        if isinstance(pinned, str):
            if pinned in events:
                raise SchemaSetError(
                    f"{schema_id.removeprefix(SCHEMA_BASE)} and {events[pinned].removeprefix(SCHEMA_BASE)} "
                    f"both pin the event {pinned!r}; keep one"
                )
            events[pinned] = schema_id
    return events


def unresolved_refs(schema_set: SchemaSet) -> list[str]:
    """Every ``$ref`` of the set that does not resolve inside it, as readable lines."""
    from referencing.exceptions import Unresolvable

    registry = schema_set.registry
    problems = []
    for schema_id, schema in schema_set.resources.items():
        for base, keyword_at, ref in _refs(schema, schema_id, ""):
            target = urljoin(base, ref)
            try:
                registry.resolver(base_uri=base).lookup(ref)
            except Unresolvable:
                where = f"{schema_set.relative_name(schema_id)}#{keyword_at}"
                document = urldefrag(target).url
                if document not in schema_set.resources and document.startswith(("http://", "https://")):
                    problems.append(
                        f"{where}: $ref {ref!r} points at {document}, which is not among the schemas; "
                        "qase-contract never fetches schemas from the network"
                    )
                else:
                    problems.append(f"{where}: $ref {ref!r} does not resolve ({target})")
    return problems


def _objects(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _objects(value, child(where, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _objects(item, child(where, index))


def _refs(node: Any, base: str, where: str) -> Iterator[tuple[str, str, str]]:
    """(base URI in force, JSON pointer of the keyword, reference) for every $ref below ``node``."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _refs(item, base, child(where, index))
        return
    if not isinstance(node, dict):
        return
    declared = node.get("$id")
    if isinstance(declared, str) and where:
        base = urljoin(base, declared)
    for key, value in node.items():
        here = child(where, key)
        if key in ("$ref", "$dynamicRef") and isinstance(value, str):
            yield base, here, value
        elif key in SCHEMA_MAPS and isinstance(value, dict):
            for name, subschema in value.items():
                yield from _refs(subschema, base, child(here, name))
        elif key not in DATA_KEYWORDS:
            yield from _refs(value, base, here)
