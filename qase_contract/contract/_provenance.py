"""The contract's own version, and the line that says where a rendering of the schemas comes from.

The version lives in ``schemas/VERSION`` (plain text, readable without Python) and is bumped
when any schema changes meaning; ``schemas/CHANGELOG.md`` says what each version changed.
"""

from __future__ import annotations

import functools
from typing import Any

from qase_contract.contract._inventory import BUILTIN_SOURCE
from qase_contract.contract._resources import schemas_root
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.errors import SchemasNotFound


@functools.cache
def contract_version() -> str:
    """The version of the built-in contract, such as ``1.0.0``."""
    path = schemas_root() / "VERSION"
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise SchemasNotFound(f"{path}: cannot read the contract version: {error}") from None


def provenance(schema_set: SchemaSet) -> str:
    """One line naming the contract version, the overlays laid over it and the package that rendered it."""
    from qase_contract._version import __version__

    overlays = [source for source in schema_set.sources if source != BUILTIN_SOURCE]
    laid = f", with the overlay {', '.join(overlays)}" if overlays else ""
    return f"Qase webhook contract {contract_version()}{laid}; rendered by qase-contract {__version__}"


def with_provenance(schema: dict[str, Any], schema_set: SchemaSet) -> dict[str, Any]:
    """``schema`` with its provenance first in its root ``$comment`` (the only annotation a
    schema may carry for this without a custom keyword)."""
    comment = provenance(schema_set) + "."
    existing = schema.get("$comment")
    if isinstance(existing, str) and existing:
        comment += " " + existing
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$comment":
            continue
        result[key] = value
        if key == "$id":
            result["$comment"] = comment
    if "$comment" not in result:
        result = {"$comment": comment, **result}
    return result
