"""For consumers' test suites, with or without pytest: assertions, sample deliveries, a live
receiver for code that sends deliveries, read-set recording, and (in :mod:`qase_contract.testing.strategies`)
Hypothesis strategies. Nothing here imports pytest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qase_contract._util.lazy import lazy_exports

if TYPE_CHECKING:
    from qase_contract.testing._assertions import assert_conforms
    from qase_contract.testing._reads import record_reads
    from qase_contract.testing._receiver import LiveReceiver, ReceivedDelivery
    from qase_contract.testing._samples import sample_delivery

__all__ = [
    "LiveReceiver",
    "ReceivedDelivery",
    "assert_conforms",
    "record_reads",
    "sample_delivery",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "LiveReceiver": "._receiver",
        "ReceivedDelivery": "._receiver",
        "assert_conforms": "._assertions",
        "record_reads": "._reads",
        "sample_delivery": "._samples",
    },
)
