"""The input plan of ``validate``: how many workers, and what one process reads from the listing
made to size the input; whatever the plan, every file is read once, in order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qase_contract.cli import _workers
from qase_contract.cli._workers import plan_input
from qase_contract.sources._model import ListedFile
from qase_contract.sources._paths import STDIN, list_inputs

RECORD = b'{"event_name": "run.deleted"}\n'


@pytest.fixture
def corpus(tmp_path: Path) -> list[str]:
    """A folder of five files of ten records, and a file named on its own."""
    folder = tmp_path / "dumps"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.jsonl", "b.jsonl", "sub/c.jsonl", "sub/d.jsonl", "e.json"):
        (folder / name).write_bytes(RECORD * 10)
    alone = tmp_path / "alone.jsonl"
    alone.write_bytes(RECORD * 10)
    return [str(folder), str(alone)]


@pytest.fixture
def free_cores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    cores = [3]
    monkeypatch.setattr("qase_contract.validation._parallel.free_cores", lambda: cores[0])
    return cores


def sizes(listed: object) -> int:
    return sum(item.size or 0 for item in listed if isinstance(item, ListedFile))  # type: ignore[attr-defined]


def test_a_small_input_is_read_on_one_process_from_the_listing_that_sized_it(
    corpus: list[str], free_cores: list[int]
) -> None:
    plan = plan_input(corpus, None)
    assert plan.workers == 1
    assert isinstance(plan.listed, list)  # listed once, not walked again
    assert plan.listed == list(list_inputs(corpus))
    assert plan.size == sizes(plan.listed) == 6 * len(RECORD * 10)


@pytest.mark.parametrize("waiting", ["stdin", "fifo"])
def test_what_follows_an_input_that_can_wait_is_listed_when_its_turn_comes(
    corpus: list[str], free_cores: list[int], tmp_path: Path, waiting: str
) -> None:
    # Standard input or a FIFO may hold the run for minutes: the files after it are listed
    # then, as --jobs 1 lists them, not read as they were when the run started.
    if waiting == "fifo":
        fifo = tmp_path / "pipe.jsonl"
        os.mkfifo(fifo)
        first = str(fifo)
    else:
        first = STDIN
    plan = plan_input([first, *corpus], None)
    assert plan.workers == 1
    assert plan.size == 6 * len(RECORD * 10)
    assert not isinstance(plan.listed, list)
    assert list(plan.listed) == list(list_inputs([first, *corpus]))


def test_a_large_input_goes_to_the_free_cores(
    corpus: list[str], free_cores: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_workers, "PARALLEL_MIN_BYTES", 2 * len(RECORD * 10))
    plan = plan_input(corpus, None)
    assert (plan.workers, plan.size) == (3, None)


def test_a_large_input_with_one_free_core_reads_what_was_listed_then_the_rest(
    corpus: list[str], free_cores: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_workers, "PARALLEL_MIN_BYTES", 2 * len(RECORD * 10))
    free_cores[0] = 1
    plan = plan_input(corpus, None)
    assert plan.workers == 1
    assert list(plan.listed) == list(list_inputs(corpus))


@pytest.mark.parametrize("parallel_above", [10**9, 2 * len(RECORD * 10)])
def test_past_the_listing_bound_the_input_is_counted_on_and_walked_again(
    corpus: list[str], free_cores: list[int], monkeypatch: pytest.MonkeyPatch, parallel_above: int
) -> None:
    monkeypatch.setattr(_workers, "LISTED_AHEAD", 1)
    monkeypatch.setattr(_workers, "PARALLEL_MIN_BYTES", parallel_above)
    free_cores[0] = 1
    plan = plan_input(corpus, None)
    assert plan.workers == 1
    assert not isinstance(plan.listed, list)  # not kept: memory stays flat
    assert list(plan.listed) == list(list_inputs(corpus))
    if parallel_above == 10**9:
        assert plan.size == 6 * len(RECORD * 10)  # every file counted


def test_jobs_given_plan_without_sizing(corpus: list[str], free_cores: list[int]) -> None:
    one = plan_input(corpus, 1)
    assert (one.workers, one.size) == (1, None)
    assert list(one.listed) == list(list_inputs(corpus))
    assert plan_input(corpus, 2)[::2] == (2, None)
