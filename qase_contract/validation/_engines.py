"""Two engines, one verdict.

jsonschema-rs decides fast whether a delivery is valid; python-jsonschema explains the
invalid ones (full paths, keywords, branches). Without jsonschema-rs, python-jsonschema
decides too: slower, same verdict.
"""

from __future__ import annotations

import functools
import importlib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any, NoReturn, cast

from qase_contract._util.ecma_regex import pattern_keyword
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import SchemaSetError
from qase_contract.findings import Finding, make_finding
from qase_contract.validation._explain import SchemaPlaces, drift_findings, findings_from_errors
from qase_contract.validation._parsing import clipped

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from jsonschema.exceptions import ValidationError


def import_fast_engine() -> Any | None:
    """The jsonschema_rs module, or None where it is not installed (or disabled in tests)."""
    try:
        return importlib.import_module("jsonschema_rs")
    except ImportError:
        return None


def refuse_retrieval(uri: str) -> NoReturn:
    raise LookupError(f"{uri}: qase-contract never fetches schemas from the network")


@dataclass(frozen=True)
class FastEngine:
    """jsonschema-rs, as imported when a schema set first needed it, with the set's registry."""

    module: Any
    registry: Any

    def compile(self, schema: Mapping[str, Any]) -> Any:
        return self.module.validator_for(dict(schema), registry=self.registry, retriever=refuse_retrieval)


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


#: Nesting below this depth is replaced by empty containers before explaining a delivery
#: that python-jsonschema cannot walk; the contract's schemas reach less than 10 deep.
CLIP_DEPTH = 64


@functools.cache
def _with_ecma_patterns(validator_class: Any) -> Any:
    from jsonschema import validators

    extend: Any = validators.extend  # untyped in types-jsonschema
    return extend(validator_class, {"pattern": pattern_keyword})


class SchemaEngine:
    """Everything needed to check deliveries against one schema of a set."""

    def __init__(self, schema_set: SchemaSet, schema_id: str, *, eager: bool = False) -> None:
        self._schema_set = schema_set
        self._schema = schema_set.resources[schema_id]
        self.schema_name = schema_set.relative_name(schema_id)
        fast_engine = fast_engine_for(schema_set)
        self._fast: Any | None = fast_engine.compile(self._schema) if fast_engine is not None else None
        if eager or self._fast is None:
            self._explainer  # noqa: B018 - build it now: to check the schema, or to decide with it

    @functools.cached_property
    def _explainer(self) -> Any:
        """python-jsonschema, built on the first delivery to explain: most runs never need it,
        and importing it costs more than checking thousands of valid deliveries."""
        from jsonschema import Draft202012Validator
        from jsonschema.validators import validator_for

        explainer_class = _with_ecma_patterns(validator_for(self._schema, default=Draft202012Validator))
        return explainer_class(self._schema, registry=self._schema_set.registry)

    @functools.cached_property
    def _places(self) -> SchemaPlaces:
        return SchemaPlaces(self.schema_name, self._schema_set.locations)

    @property
    def has_fast_path(self) -> bool:
        return self._fast is not None

    @property
    def fast_check(self) -> Callable[[object], bool] | None:
        """jsonschema-rs's own ``is_valid``, for callers that handle its exceptions themselves."""
        return None if self._fast is None else cast("Callable[[object], bool]", self._fast.is_valid)

    def is_valid(self, instance: object) -> bool:
        if self._fast is not None:
            try:
                return bool(self._fast.is_valid(instance))
            except (ValueError, TypeError, OverflowError):
                # Not plain JSON data (a Python-only type, an enormous integer): let the
                # explaining engine judge it.
                return False
        return bool(self._explainer.is_valid(cast(Any, instance)))

    def verdicts(self, instance: object) -> dict[str, bool]:
        """Each engine's own valid/invalid verdict, for the differential tests."""
        verdicts = {
            "python-jsonschema": not any(True for _ in self._explainer.iter_errors(cast(Any, instance)))
        }
        if self._fast is not None:
            verdicts["jsonschema-rs"] = bool(self._fast.is_valid(instance))
        return verdicts

    def explain(self, instance: object) -> list[Finding]:
        """The findings of an invalid delivery: from jsonschema-rs when they are all drift,
        else from python-jsonschema, which explains every keyword and branch."""
        if self._fast is not None:
            try:
                drift = drift_findings(self._fast.iter_errors(instance), self._schema_set.relative_name)
            except (ValueError, TypeError, OverflowError):
                drift = None
            if drift:
                return drift
        return self.explain_fully(instance)

    def explain_fully(self, instance: object) -> list[Finding]:
        """python-jsonschema's explanation, whatever the errors are."""
        try:
            errors: Iterable[ValidationError] = list(self._explainer.iter_errors(cast(Any, instance)))
        except RecursionError:
            # python-jsonschema recurses (and reprs) through the whole value of an unknown
            # field; no schema of the contract looks that deep, so judge a clipped copy.
            errors = list(self._explainer.iter_errors(cast(Any, clipped(instance, CLIP_DEPTH))))
        findings = findings_from_errors(errors, self._places)
        if not findings:
            # jsonschema-rs did not accept what python-jsonschema accepts: never silently pass it.
            findings = [
                make_finding(
                    "engine-mismatch",
                    "",
                    "jsonschema-rs did not accept this delivery but python-jsonschema found no error; "
                    "please report it with the delivery attached",
                    schema_path=f"{self.schema_name}#",
                )
            ]
        return findings
