"""qase-contract: the contract of Qase webhooks, and the tools to check deliveries against it.

The public names are imported on first access (PEP 562), so importing a submodule, such as
the pytest plugin that pytest loads in every session, does not pay for the whole library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qase_contract._util.lazy import lazy_exports
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

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "EVENTS": ".contract",
        "EventSpec": ".contract",
        "Finding": ".findings",
        "QaseContractError": ".errors",
        "Result": ".findings",
        "SchemaSet": ".contract",
        "SchemaSetError": ".errors",
        "UnknownEvent": ".errors",
        "Validator": ".validation",
        "assert_conforms": ".testing",
        "validate": ".validation",
    },
)
