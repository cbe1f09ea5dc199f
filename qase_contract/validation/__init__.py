"""Checking deliveries: parsing, the two schema engines, findings from their errors, the
validator, and batch and parallel checks of whole dumps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qase_contract._util.lazy import lazy_exports

if TYPE_CHECKING:
    from qase_contract.validation._validator import Validator, validate

__all__ = [
    "Validator",
    "validate",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "Validator": "._validator",
        "validate": "._validator",
    },
)
