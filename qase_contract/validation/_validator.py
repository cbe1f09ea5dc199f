"""Validate one delivery: parse, recognise the legacy envelope, dispatch on ``event_name``.

Dispatch, don't union (DESIGN decision 2): the envelope's ``event_name`` picks the one
event schema; an unknown name falls back to the generic envelope schema plus an
``unknown-event`` drift finding.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from os import PathLike
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from qase_contract.contract._reads import ReadSet

from qase_contract.contract._legacy import is_legacy_envelope
from qase_contract.contract._schema_set import ENVELOPE_ID, SCHEMA_BASE, SchemaSet
from qase_contract.errors import UnknownEvent
from qase_contract.findings import Finding, Result, make_finding
from qase_contract.sources._model import record_of
from qase_contract.validation._engines import SchemaEngine, load_schema_set
from qase_contract.validation._parsing import Parsed, parse_body

LEGACY_ENVELOPE_MESSAGE = (
    'obsolete 2021 Qase envelope: "event" instead of "event_name" (replaced on 2022-04-21)'
)


#: Events kept on the fast path: every known one, unknown ones up to this many in all.
MAX_FAST_PATHS = 1000


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
        self.reads = _read_set(reads)
        self._engines: dict[str, SchemaEngine] = {}
        # Event name -> its jsonschema-rs check and the conforming result, which every
        # conforming delivery of the event shares (results are immutable).
        self._fast_paths: dict[str, tuple[Callable[[object], bool], Result]] = {}

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.schema_set.event_schemas))

    def validate(self, delivery: object) -> Result:
        """The verdict on one delivery: a ``dict``, or its JSON text as ``str`` or ``bytes``."""
        # One frame for the path of almost every delivery read from a dump: JSON text of a
        # known event that passes its check (orjson refuses a byte order mark, so one never
        # passes here).
        if type(delivery) is bytes:
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
                        result = fast[1]
                        return result if not result.findings else self._judged(result)
                except (ValueError, TypeError, OverflowError):
                    pass  # not plain JSON data: the full path says why
            result = self._checked(body)
            return result if self.reads is None else self._judged(result)
        if isinstance(body, Finding):
            return self._judged(Result(None, (body,), self.strict))
        # Parsed data (checked to be JSON data), or JSON text that orjson parsed to a non-object.
        value = body.value if isinstance(body, Parsed) else body
        if not isinstance(value, dict):
            return self._judged(Result(None, (_not_an_object(value),), self.strict))
        return self._judged(self._checked(value))

    def check_lines(self, lines: list[bytes]) -> tuple[list[str], list[tuple[int, Result]]]:
        """The lines of a JSON Lines block (:class:`~qase_contract.sources._model.LineBatch`)
        checked in one loop: the event names of those that conform, and the index and verdict
        of every other (blank lines are neither).

        The verdicts are :meth:`validate`'s; a conforming delivery of a known event takes the
        same fast path as there, inlined, since a call per line costs a tenth of checking one.
        """
        conforming: list[str] = []
        others: list[tuple[int, Result]] = []
        loads, decode_error, fast_paths = orjson.loads, orjson.JSONDecodeError, self._fast_paths
        for index, line in enumerate(lines):
            if not line:
                continue  # a blank line
            try:
                body = loads(line)
            except decode_error:
                others.append((index, self.validate(record_of(line))))  # it says why
                continue
            if type(body) is not dict:
                others.append((index, self.validate(record_of(line))))
                continue
            name = body.get("event_name")
            fast = fast_paths.get(name) if type(name) is str else None
            if fast is not None:
                try:
                    passed = fast[0](body)
                except (ValueError, TypeError, OverflowError):
                    passed = False  # not plain JSON data: the full path says why
                if passed:
                    result = fast[1]
                    if result.findings:
                        others.append((index, self._judged(result)))
                    else:
                        conforming.append(name)  # type: ignore[arg-type]  # a str: it had a fast path
                    continue
            result = self._checked(body)
            if result.status == "conforming" and result.event_name is not None:
                conforming.append(result.event_name)
            else:
                others.append((index, result if self.reads is None else self._judged(result)))
        return conforming, others

    def _judged(self, result: Result) -> Result:
        """``result`` judged by the consumer's read-set, when one is in force."""
        if self.reads is not None and result.findings:
            return self.reads.judged(result)
        return result

    def _checked(self, body: dict[str, object]) -> Result:
        """The full path: legacy envelope, dispatch on ``event_name``, explained findings."""
        event_name = body.get("event_name")
        name = event_name if isinstance(event_name, str) else None
        if name is None and is_legacy_envelope(body):  # the 2021 envelope has no event_name
            return Result(None, (_legacy_envelope(body),), self.strict)
        findings: list[Finding] = []
        schema_id = self.schema_set.event_schemas.get(name) if name is not None else None
        if schema_id is None:
            schema_id = ENVELOPE_ID
            if name is not None:
                findings.append(self._unknown_event(name))
        engine = self._engines.get(schema_id) or self.engine(schema_id)
        # The first delivery of an event is checked before it is explained: when it passes, as
        # most do, its event takes the fast path and explaining never even loads. A delivery
        # the fast path refused is explained at once, without a second check.
        if name is not None and name not in self._fast_paths and engine.is_valid(body):
            return self._fast_path(name, engine, tuple(findings))
        explained = engine.explain(body)
        if name is None or explained:
            return Result(name, (*findings, *explained), self.strict)
        # Nothing but what the event name itself says: every delivery of this event whose
        # check passes gets this same result, so the next ones take the fast path.
        return self._fast_path(name, engine, tuple(findings))

    def _fast_path(self, name: str, engine: SchemaEngine, findings: tuple[Finding, ...]) -> Result:
        """The result of a delivery of ``name`` that passed its schema (its findings are the
        ``unknown-event`` drift or none), kept with the jsonschema-rs check that gives it; an
        unknown event only while few are kept, so invented names cannot grow memory."""
        result = Result(name, findings, self.strict)
        fast_check = engine.fast_check
        if fast_check is not None and (not findings or len(self._fast_paths) < MAX_FAST_PATHS):
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
        from qase_contract.validation._explain import shown  # explaining loads on first use

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


def _read_set(reads: ReadSet | str | PathLike[str] | None) -> ReadSet | None:
    if reads is None:
        return None  # most runs: the read-set module is not even imported
    from qase_contract.contract._reads import read_set_from

    return read_set_from(reads)
