"""The contract as data: the catalogue of events, the schema set (built-in schemas plus
overlays, offline), consumers' read-sets, and renderings of an event's schema for other
validators. Nothing here compiles a validator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qase_contract._util.lazy import lazy_exports

if TYPE_CHECKING:
    from qase_contract.contract._bundle import bundled, opened
    from qase_contract.contract._catalog import EVENTS, EventSpec
    from qase_contract.contract._reads import ReadSet
    from qase_contract.contract._schema_set import SchemaSet

__all__ = [
    "EVENTS",
    "EventSpec",
    "ReadSet",
    "SchemaSet",
    "bundled",
    "opened",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "EVENTS": "._catalog",
        "EventSpec": "._catalog",
        "ReadSet": "._reads",
        "SchemaSet": "._schema_set",
        "bundled": "._bundle",
        "opened": "._bundle",
    },
)
