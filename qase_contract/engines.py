"""Two engines, one verdict.

jsonschema-rs decides fast whether a delivery is valid; python-jsonschema explains the
invalid ones (full paths, keywords, branches). Without jsonschema-rs, python-jsonschema
decides too: slower, same verdict.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, NoReturn

from qase_contract.explain import SchemaPlaces, findings_from_errors
from qase_contract.findings import Finding, make_finding

if TYPE_CHECKING:
    from collections.abc import Iterable

    from jsonschema.exceptions import ValidationError

    from qase_contract.registry import SchemaSet


def import_fast_engine() -> Any | None:
    """The jsonschema_rs module, or None where it is not installed (or disabled in tests)."""
    try:
        return importlib.import_module("jsonschema_rs")
    except ImportError:
        return None


def refuse_retrieval(uri: str) -> NoReturn:
    raise LookupError(f"{uri}: qase-contract never fetches schemas from the network")


def build_fast_registry(schema_set: SchemaSet) -> Any | None:
    rs = import_fast_engine()
    if rs is None:
        return None
    return rs.Registry(list(schema_set.resources.items()), retriever=refuse_retrieval)


class SchemaEngine:
    """Everything needed to check deliveries against one schema of a set."""

    def __init__(self, schema_set: SchemaSet, schema_id: str) -> None:
        from jsonschema import Draft202012Validator
        from jsonschema.validators import validator_for

        schema = schema_set.resources[schema_id]
        self.schema_name = schema_set.relative_name(schema_id)
        self._places = SchemaPlaces(self.schema_name, schema_set.locations)
        explainer_class = validator_for(schema, default=Draft202012Validator)
        self._explainer = explainer_class(schema, registry=schema_set.registry)
        self._fast: Any | None = None
        fast_registry = schema_set.fast_registry
        if fast_registry is not None:
            rs = import_fast_engine()
            assert rs is not None  # the registry exists only when the module imports
            self._fast = rs.validator_for(dict(schema), registry=fast_registry, retriever=refuse_retrieval)

    @property
    def has_fast_path(self) -> bool:
        return self._fast is not None

    def is_valid(self, instance: object) -> bool:
        if self._fast is not None:
            try:
                return bool(self._fast.is_valid(instance))
            except (ValueError, TypeError, OverflowError):
                # Not plain JSON data (a Python-only type, an enormous integer): let the
                # explaining engine judge it.
                return False
        return bool(self._explainer.is_valid(instance))

    def explain(self, instance: object) -> list[Finding]:
        try:
            errors: Iterable[ValidationError] = list(self._explainer.iter_errors(instance))
        except RecursionError:
            return [
                make_finding(
                    "invalid-value",
                    "",
                    "the delivery is nested too deeply to be checked",
                    schema_path=f"{self.schema_name}#",
                )
            ]
        findings = findings_from_errors(errors, self._places)
        if not findings:
            # jsonschema-rs rejected what python-jsonschema accepts: never silently pass it.
            findings = [
                make_finding(
                    "engine-mismatch",
                    "",
                    "jsonschema-rs rejected this delivery but python-jsonschema found no error; "
                    "please report it with the delivery attached",
                    schema_path=f"{self.schema_name}#",
                )
            ]
        return findings
