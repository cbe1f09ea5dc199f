"""Drift across corpora: what a corpus of deliveries shows that the contract does not say.

``CorpusProfile.of(deliveries)`` folds deliveries into per-event observed profiles (flat
memory, no per-delivery validation); ``compare(profile)`` lists the differences with the
contract; :mod:`~qase_contract.drift._baseline` stores and checks observed shapes for CI;
:mod:`~qase_contract.drift._suggest` writes overlay schemas that adopt the changes.
"""

from __future__ import annotations

from qase_contract.drift._compare import DriftReport, EventDrift, compare
from qase_contract.drift._profile import CorpusProfile

__all__ = ["CorpusProfile", "DriftReport", "EventDrift", "compare"]
