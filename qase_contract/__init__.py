"""qase-contract: the contract of Qase webhooks, and the tools to check deliveries against it.

The public names are imported on first access (PEP 562), so importing a submodule, such as
the pytest plugin that pytest loads in every session, does not pay for the whole library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qase_contract.contract._catalog import EVENTS, EventSpec
    from qase_contract.contract._schema_set import SchemaSet
    from qase_contract.errors import SchemaSetError, UnknownEvent
    from qase_contract.findings import Finding, Result
    from qase_contract.testing._assertions import assert_conforms
    from qase_contract.validation._validator import Validator, validate

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_HOMES = {
    "EVENTS": "contract._catalog",
    "EventSpec": "contract._catalog",
    "Finding": "findings",
    "Result": "findings",
    "SchemaSet": "contract._schema_set",
    "SchemaSetError": "contract._schema_set",
    "UnknownEvent": "validation._validator",
    "Validator": "validation._validator",
    "assert_conforms": "testing._assertions",
    "validate": "validation._validator",
}

__all__ = [
    "EVENTS",
    "EventSpec",
    "Finding",
    "Result",
    "SchemaSet",
    "SchemaSetError",
    "UnknownEvent",
    "Validator",
    "__version__",
    "assert_conforms",
    "validate",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'qase_contract' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"qase_contract.{home}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
