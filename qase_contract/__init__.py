"""qase-contract: the contract of Qase webhooks, and the tools to check deliveries against it.

The public names are imported on first access (PEP 562), so importing a submodule, such as
the pytest plugin that pytest loads in every session, does not pay for the whole library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from qase_contract._version import __version__

if TYPE_CHECKING:
    from qase_contract.contract import EVENTS, EventSpec, SchemaSet
    from qase_contract.errors import QaseContractError, SchemaSetError, UnknownEvent
    from qase_contract.findings import Finding, Result
    from qase_contract.testing import assert_conforms
    from qase_contract.validation import Validator, validate


__all__ = [
    "EVENTS",
    "EventSpec",
    "Finding",
    "QaseContractError",
    "Result",
    "SchemaSet",
    "SchemaSetError",
    "UnknownEvent",
    "Validator",
    "__version__",
    "assert_conforms",
    "validate",
]

#: Public name -> the room that exports it; imported on first access.
_HOMES = {
    "EVENTS": "contract",
    "EventSpec": "contract",
    "Finding": "findings",
    "QaseContractError": "errors",
    "Result": "findings",
    "SchemaSet": "contract",
    "SchemaSetError": "errors",
    "UnknownEvent": "errors",
    "Validator": "validation",
    "assert_conforms": "testing",
    "validate": "validation",
}


# Written out rather than taken from _util.lazy like the rooms' packages: the pytest plugin
# loads this package in every pytest session, and each module imported costs start-up time.
def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'qase_contract' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"qase_contract.{home}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
