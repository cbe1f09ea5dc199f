"""Drift across corpora: what a corpus of deliveries shows that the contract does not say.

``CorpusProfile.of(deliveries)`` folds deliveries into per-event observed profiles (flat
memory, no per-delivery validation); ``compare(profile)`` lists the differences with the
contract and ``report_data`` turns them into the documented JSON report; baselines store and
check observed shapes for CI; ``suggest_overlay`` writes overlay schemas that adopt changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qase_contract._util.lazy import lazy_exports

if TYPE_CHECKING:
    from qase_contract.drift._baseline import BaselineCheck, check_baseline, read_baseline, write_baseline
    from qase_contract.drift._compare import DriftReport, EventDrift, compare
    from qase_contract.drift._profile import CorpusProfile
    from qase_contract.drift._report import report_data
    from qase_contract.drift._shape import observed_schema
    from qase_contract.drift._suggest import suggest_overlay

__all__ = [
    "BaselineCheck",
    "CorpusProfile",
    "DriftReport",
    "EventDrift",
    "check_baseline",
    "compare",
    "observed_schema",
    "read_baseline",
    "report_data",
    "suggest_overlay",
    "write_baseline",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "BaselineCheck": "._baseline",
        "CorpusProfile": "._profile",
        "DriftReport": "._compare",
        "EventDrift": "._compare",
        "check_baseline": "._baseline",
        "compare": "._compare",
        "observed_schema": "._shape",
        "read_baseline": "._baseline",
        "report_data": "._report",
        "suggest_overlay": "._suggest",
        "write_baseline": "._baseline",
    },
)
