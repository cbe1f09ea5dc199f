"""qase-contract: the contract of Qase webhooks, and the tools to check deliveries against it."""

from __future__ import annotations

from qase_contract.catalog import EVENTS, EventSpec
from qase_contract.findings import Finding, Result
from qase_contract.registry import SchemaSet, SchemaSetError
from qase_contract.validator import UnknownEvent, Validator, validate

__version__ = "0.1.0"

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
    "validate",
]
