"""Two engines, one verdict (DESIGN decision 3).

jsonschema-rs decides and explains: its errors are read from their structure into failures
(:mod:`._failures`), and findings are built from those (:mod:`._explain`). python-jsonschema
is the fallback where jsonschema-rs is not installed, and the oracle of the differential
tests, which prove that both give the same findings; it follows ECMA-262 for patterns too.
"""

from __future__ import annotations

import functools
import importlib
import weakref
from collections.abc import Callable, Iterator, Mapping
from os import PathLike
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, cast
from urllib.parse import urldefrag

from qase_contract._util.pointer import unescape
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import SchemaSetError
from qase_contract.findings import Finding, make_finding
from qase_contract.validation._parsing import clipped

if TYPE_CHECKING:
    from qase_contract.validation._failures import Failure, PythonErrors, RustErrors


def import_fast_engine() -> Any | None:
    """The jsonschema_rs module, or None where it is not installed (or disabled in tests)."""
    try:
        return importlib.import_module("jsonschema_rs")
    except ImportError:
        return None


def refuse_retrieval(uri: str) -> NoReturn:
    raise LookupError(f"{uri}: qase-contract never fetches schemas from the network")


class FastEngine(NamedTuple):  # not a dataclass: see tests/cli/test_start_up.py
    """jsonschema-rs, as imported when a schema set first needed it, with the set's registry."""

    module: Any
    registry: Any

    def compile(self, schema: Mapping[str, Any]) -> Any:
        # Masked: findings are built from the errors' structure, never their messages, so the
        # messages need not quote the delivery's values (which costs an eighth of an error).
        return self.module.validator_for(
            dict(schema), registry=self.registry, retriever=refuse_retrieval, mask="[value]"
        )


#: jsonschema-rs per schema set (or None where it is not installed), built once per set.
_FAST_ENGINES: weakref.WeakKeyDictionary[SchemaSet, FastEngine | None] = weakref.WeakKeyDictionary()


def fast_engine_for(schema_set: SchemaSet) -> FastEngine | None:
    """jsonschema-rs with the resources of ``schema_set``, or None where it is not installed."""
    try:
        return _FAST_ENGINES[schema_set]
    except KeyError:
        pass
    rs = import_fast_engine()
    engine = None
    if rs is not None:
        engine = FastEngine(rs, rs.Registry(list(schema_set.resources.items()), retriever=refuse_retrieval))
    _FAST_ENGINES[schema_set] = engine
    return engine


def load_schema_set(schemas: str | PathLike[str] | SchemaSet | None) -> SchemaSet:
    """The schema set a ``schemas`` argument names: the built-in set (``None``), a ready set, or
    the built-in set with an overlay folder laid over it, which both engines must accept now
    rather than fail on the first delivery; raises :class:`SchemaSetError` naming the file."""
    if schemas is None:
        return SchemaSet.builtin()
    if isinstance(schemas, SchemaSet):
        return schemas
    schema_set = SchemaSet.builtin().with_overlay(schemas)
    for schema_id in schema_set.resources:
        try:
            SchemaEngine(schema_set, schema_id, eager=True)
        except Exception as error:  # any engine failure means an unusable schema
            raise SchemaSetError(
                f"{schema_set.relative_name(schema_id)}: the validator cannot use it: {error}"
            ) from None
    return schema_set


#: Nesting below this depth is replaced by empty containers before python-jsonschema walks a
#: delivery it cannot walk whole; the contract's schemas reach less than 10 deep.
CLIP_DEPTH = 64


def declares(schema: Mapping[str, Any], key: str) -> bool:
    """Whether an object schema declares ``key``: by ``properties`` or an ECMA
    ``patternProperties`` pattern (what ``additionalProperties`` does not govern)."""
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and key in properties:
        return True
    declared = schema.get("patternProperties")
    if not isinstance(declared, Mapping):
        return False
    from qase_contract.contract._patterns import search

    return any(search(pattern, key) for pattern in declared)


class SchemaEngine:
    """Everything needed to check deliveries against one schema of a set."""

    def __init__(self, schema_set: SchemaSet, schema_id: str, *, eager: bool = False) -> None:
        self._schema_set = schema_set
        self._schema = schema_set.resources[schema_id]
        self.schema_name = schema_set.relative_name(schema_id)
        self._schema_objects: dict[str, object] = {}
        fast_engine = fast_engine_for(schema_set)
        self._fast: Any | None = fast_engine.compile(self._schema) if fast_engine is not None else None
        if eager or self._fast is None:
            self._python  # noqa: B018 - build it now: to check the schema, or to decide with it

    @functools.cached_property
    def _python(self) -> Any:
        """python-jsonschema with ECMA-262 patterns; built only where it decides (no
        jsonschema-rs), to check a schema, or for the oracle: importing it costs more than
        checking thousands of valid deliveries."""
        from jsonschema import Draft202012Validator
        from jsonschema.validators import validator_for

        python_class = _with_ecma_patterns(validator_for(self._schema, default=Draft202012Validator))
        return python_class(self._schema, registry=self._schema_set.registry)

    # The explaining machinery is imported on the first delivery to explain: a run of
    # conforming deliveries never needs it.
    @functools.cached_property
    def _rust_errors(self) -> RustErrors:
        from qase_contract.validation._failures import RustErrors

        return RustErrors(self._schema_set.relative_name, self._schema_at, declares)

    @functools.cached_property
    def _findings_from(self) -> Callable[[list[Failure]], list[Finding]]:
        from qase_contract.validation._explain import findings_from

        return findings_from

    @functools.cached_property
    def _python_errors(self) -> PythonErrors:
        from qase_contract.validation._failures import PythonErrors

        return PythonErrors(self.schema_name, self._schema_set.locations, declares)

    def _schema_at(self, location: str) -> object:
        """The schema object at an absolute location (``...defs.schema.json#/$defs/x``), each
        looked up once (the holders of ``additionalProperties`` are asked for again and again)."""
        try:
            return self._schema_objects[location]
        except KeyError:
            pass
        node = self._schema_objects[location] = self._look_up(location)
        return node

    def _look_up(self, location: str) -> object:
        document, fragment = urldefrag(location)
        node: object = self._schema_set.resources.get(document)
        for token in fragment.split("/")[1:]:
            node = node.get(unescape(token)) if isinstance(node, Mapping) else None
        return node

    @property
    def fast_check(self) -> Callable[[object], bool] | None:
        """jsonschema-rs's own ``is_valid``, for callers that handle its exceptions themselves."""
        return None if self._fast is None else cast("Callable[[object], bool]", self._fast.is_valid)

    def is_valid(self, instance: object) -> bool:
        if self._fast is not None:
            try:
                return bool(self._fast.is_valid(instance))
            except (ValueError, TypeError, OverflowError):
                return not self.python_failures(instance)  # not data jsonschema-rs takes
        return bool(self._python.is_valid(cast(Any, instance)))

    def explain(self, instance: object) -> list[Finding]:
        """The findings of a delivery, none when it conforms."""
        failures = None
        refused = False  # jsonschema-rs named errors: the delivery does not conform, whoever explains it
        if self._fast is not None:
            try:
                errors = list(self._fast.iter_errors(instance))
                refused = bool(errors)
                failures = self._rust_errors.failures(errors, instance)
            except (ValueError, TypeError, OverflowError):
                failures = None  # not data jsonschema-rs takes (parsing keeps this from happening)
        if failures is None:
            failures = self.python_failures(instance)
        findings = self._findings_from(failures)
        if (failures or refused) and not findings:
            # Failures that name nothing (an empty anyOf branch list): never pass them silently.
            findings = [
                make_finding(
                    "engine-mismatch",
                    "",
                    "the schema engine refused this delivery without naming why; "
                    "please report it with the delivery attached",
                    schema_path=f"{self.schema_name}#",
                )
            ]
        return findings

    def python_failures(self, instance: object) -> list[Failure]:
        """python-jsonschema's failures: the fallback, and the differential tests' oracle."""
        try:
            errors = list(self._python.iter_errors(cast(Any, instance)))
        except RecursionError:
            # python-jsonschema recurses (and reprs) through the whole value of an unknown
            # field; no schema of the contract looks that deep, so judge a clipped copy.
            errors = list(self._python.iter_errors(cast(Any, clipped(instance, CLIP_DEPTH))))
        return self._python_errors.failures(errors)


@functools.cache
def _with_ecma_patterns(validator_class: Any) -> Any:
    """``validator_class`` whose pattern keywords follow ECMA-262, as jsonschema-rs's do."""
    from jsonschema import validators

    extend: Any = validators.extend  # untyped in types-jsonschema
    return extend(
        validator_class,
        {
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
        },
    )


def _pattern(validator: Any, pattern: str, instance: object, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    from qase_contract.contract._patterns import search

    if validator.is_type(instance, "string") and not search(pattern, str(instance)):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    from qase_contract.contract._patterns import search

    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    extras = [key for key in instance if not declares(schema, key)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        # The keys are read from the schema (_failures.PythonErrors), not from this message.
        yield ValidationError(f"additional properties are not allowed: {sorted(extras)!r}")
