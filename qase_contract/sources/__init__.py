"""Readers that stream deliveries out of captured dumps, each with its location, and the
capture file format that ``qase-contract listen`` writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qase_contract._util.lazy import lazy_exports

if TYPE_CHECKING:
    from qase_contract.sources._capture import CaptureRecord, CaptureWriter, iter_capture
    from qase_contract.sources._model import Delivery, Location, ReadFailure
    from qase_contract.sources._paths import read_paths

__all__ = [
    "CaptureRecord",
    "CaptureWriter",
    "Delivery",
    "Location",
    "ReadFailure",
    "iter_capture",
    "read_paths",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "CaptureRecord": "._capture",
        "CaptureWriter": "._capture",
        "Delivery": "._model",
        "Location": "._model",
        "ReadFailure": "._model",
        "iter_capture": "._capture",
        "read_paths": "._paths",
    },
)
