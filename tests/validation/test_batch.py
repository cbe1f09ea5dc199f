"""From deliveries to outcomes: the counting path gives what the listing path gives."""

from __future__ import annotations

from collections import Counter

from qase_contract import Validator
from qase_contract.sources._paths import read_paths
from qase_contract.validation._batch import ConformingRun, Outcome, check, check_counting_conforming
from tests.helpers.data import ROOT

EXAMPLES = ROOT / "examples"


def test_counting_conforming_deliveries_keeps_every_other_outcome_in_order() -> None:
    validator = Validator()
    listed = list(check(read_paths([EXAMPLES] * 3), validator))
    counted = list(check_counting_conforming(read_paths([EXAMPLES] * 3), validator, run_length=4))
    outcomes = [item for item in counted if isinstance(item, Outcome)]
    runs = [item for item in counted if isinstance(item, ConformingRun)]
    assert outcomes == [o for o in listed if o.status != "conforming"]
    assert all(sum(run.counts.values()) <= 4 for run in runs)
    by_event: Counter[str] = Counter()
    for run in runs:
        by_event.update(run.counts)
    assert by_event == Counter(o.event_name for o in listed if o.status == "conforming")
    assert sum(run.size for run in runs) == sum(o.size for o in listed if o.status == "conforming")
