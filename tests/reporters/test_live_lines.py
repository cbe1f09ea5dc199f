"""The summaries ``send`` and ``listen`` print, rendered from plain counts."""

from __future__ import annotations

from collections import Counter

from qase_contract.reporters._live import NAMED_REFUSALS, live_summary, send_summary


def test_the_send_summary_names_the_refused_deliveries_up_to_a_bound_and_counts_the_rest() -> None:
    refused = [(f"dump.jsonl:{n}  run.completed", "500") for n in range(1, NAMED_REFUSALS + 4)]
    answers = {"500": len(refused), "200": 2}
    lines = send_summary("http://consumer/", answers, refused, unreadable=1, left_out=4)
    count = len(refused)
    assert (
        lines[0]
        == f"{count + 2} sent to http://consumer/: 2 answered 2xx, {count} did not ({count} × 500, 2 × 200)"
    )
    assert lines[1].startswith(
        "not 2xx: dump.jsonl:1  run.completed: 500; dump.jsonl:2  run.completed: 500; "
    )
    assert lines[1].endswith(f"dump.jsonl:{NAMED_REFUSALS}  run.completed: 500; and 3 more")
    assert lines[2:] == ["1 record unreadable, not sent", "4 deliveries left out by --event"]


def test_the_listen_summary_counts_answers_and_forwarding_results_by_status() -> None:
    lines = live_summary(
        {"case.created": Counter(conforming=3)},
        {},
        3,
        answered={"200": 2, "500 (--fail-rate)": 1},
        forwarded={"202": 2, "no answer": 1},
    )
    assert lines[-2:] == ["answered: 2 × 200, 1 × 500 (--fail-rate)", "3 forwarded: 2 × 202, 1 × no answer"]
