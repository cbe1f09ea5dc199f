"""Validate one delivery: parse, recognise the legacy envelope, dispatch on ``event_name``.

Dispatch, don't union (DESIGN decision 2): the envelope's ``event_name`` picks the one
event schema; an unknown name falls back to the generic envelope schema plus an
``unknown-event`` drift finding.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from os import PathLike

import orjson

from qase_contract.contract._legacy import is_legacy_envelope
from qase_contract.contract._reads import ReadSet, read_set_from
from qase_contract.contract._schema_set import ENVELOPE_ID, SCHEMA_BASE, SchemaSet
from qase_contract.errors import UnknownEvent
from qase_contract.findings import Finding, Result, make_finding
from qase_contract.validation._engines import SchemaEngine, load_schema_set
from qase_contract.validation._explain import shown
from qase_contract.validation._parsing import Parsed, parse_body

LEGACY_ENVELOPE_MESSAGE = (
    'obsolete 2021 Qase envelope: "event" instead of "event_name" (replaced on 2022-04-21)'
)


class Validator:
    """Checks deliveries against the contract (the built-in schemas plus optional overlays).

    ``schemas`` is a folder of overlay schemas that add or replace events (or a ready
    :class:`SchemaSet`). ``reads`` is a consumer's read-set (a file, or a ready
    :class:`~qase_contract.contract.ReadSet`): every finding then says whether it affects the
    consumer, and a result is ``ok`` unless one does. Engines are compiled per event on first use.
    """

    def __init__(
        self,
        strict: bool = False,
        schemas: str | PathLike[str] | SchemaSet | None = None,
        reads: ReadSet | str | PathLike[str] | None = None,
    ) -> None:
        self.strict = strict
        self.schema_set = load_schema_set(schemas)
        self.reads = read_set_from(reads)
        self._engines: dict[str, SchemaEngine] = {}
        # Event name -> its jsonschema-rs check and the conforming result, which every
        # conforming delivery of the event shares (results are immutable).
        self._fast_paths: dict[str, tuple[Callable[[object], bool], Result]] = {}

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.schema_set.event_schemas))

    def validate(self, delivery: object) -> Result:
        """The verdict on one delivery: a ``dict``, or its JSON text as ``str`` or ``bytes``."""
        result = self._verdict(delivery)
        if self.reads is not None and result.findings:
            return self.reads.judged(result)
        return result

    def _verdict(self, delivery: object) -> Result:
        if type(delivery) is bytes:
            # The path of almost every delivery read from a dump, kept short: JSON text
            # (orjson refuses a byte order mark, so one never passes here).
            try:
                body = orjson.loads(delivery)
            except orjson.JSONDecodeError:
                body = parse_body(delivery)
        else:
            body = parse_body(delivery)
        if type(body) is dict:
            name = body.get("event_name")
            fast = self._fast_paths.get(name) if type(name) is str else None
            if fast is not None:
                try:
                    if fast[0](body):
                        return fast[1]
                except (ValueError, TypeError, OverflowError):
                    pass  # not plain JSON data: the full path says why
            return self._checked(body)
        if isinstance(body, Finding):
            return Result(None, (body,), self.strict)
        # Parsed data (checked to be JSON data), or JSON text that orjson parsed to a non-object.
        value = body.value if isinstance(body, Parsed) else body
        if not isinstance(value, dict):
            return Result(None, (_not_an_object(value),), self.strict)
        return self._checked(value)

    def _checked(self, body: dict[str, object]) -> Result:
        """The full path: legacy envelope, dispatch on ``event_name``, explained findings."""
        if is_legacy_envelope(body):
            return Result(None, (_legacy_envelope(body),), self.strict)
        event_name = body.get("event_name")
        name = event_name if isinstance(event_name, str) else None
        findings: list[Finding] = []
        schema_id = self.schema_set.schema_id_for(name) if name is not None else None
        if schema_id is None:
            schema_id = ENVELOPE_ID
            if name is not None:
                findings.append(self._unknown_event(name))
        # One pass: explaining a conforming delivery finds nothing, and its event then takes
        # the fast path; a delivery the fast path refused is explained without a second check.
        findings.extend(self.engine(schema_id).explain(body))
        if name is not None and not findings:
            return self._fast_path(name) or Result(name, (), self.strict)
        return Result(name, tuple(findings), self.strict)

    def _fast_path(self, name: str) -> Result | None:
        """Set up the fast path of a known event after its first conforming delivery: its
        jsonschema-rs check, and the conforming result its deliveries share."""
        schema_id = self.schema_set.schema_id_for(name)
        fast_check = self.engine(schema_id).fast_check if schema_id is not None else None
        if fast_check is None:
            return None
        result = Result(name, (), self.strict)
        self._fast_paths[name] = (fast_check, result)
        return result

    def engine(self, schema_id: str) -> SchemaEngine:
        engine = self._engines.get(schema_id)
        if engine is None:
            engine = self._engines[schema_id] = SchemaEngine(self.schema_set, schema_id)
        return engine

    def schema_for(self, event_name: str) -> dict[str, object]:
        """The event's schema document; raises :class:`UnknownEvent`."""
        schema_id = self.schema_set.schema_id_for(event_name)
        if schema_id is None:
            raise UnknownEvent(event_name, self.schema_set.event_schemas)
        return dict(self.schema_set.resources[schema_id])

    def _unknown_event(self, name: str) -> Finding:
        count = len(self.schema_set.event_schemas)
        return make_finding(
            "unknown-event",
            "/event_name",
            f'event_name "{name}" is not one of the {count} documented Qase webhook events',
            schema_path=f"{self.schema_set.relative_name(ENVELOPE_ID)}#/properties/event_name",
            expected="a catalogued event",
            actual=shown(name),
        )


def _not_an_object(body: object) -> Finding:
    from qase_contract._util.json_types import json_type

    return make_finding(
        "not-an-object",
        "",
        f"the delivery must be a JSON object, got {json_type(body)}",
        schema_path=ENVELOPE_ID.removeprefix(SCHEMA_BASE) + "#/type",
        expected="object",
        actual=json_type(body),
    )


def _legacy_envelope(body: dict[str, object]) -> Finding:
    event = body.get("event")
    return make_finding(
        "legacy-envelope",
        "",
        LEGACY_ENVELOPE_MESSAGE,
        expected="the current envelope with event_name",
        actual='the 2021 envelope with "event"',
        event=event if isinstance(event, str) else None,
    )


@functools.cache
def default_validator() -> Validator:
    return Validator()


def validate(delivery: object, *, strict: bool = False) -> Result:
    """Validate one delivery against the built-in contract."""
    return default_validator().validate(delivery).with_strict(strict)
