"""Profiling on several processes (drift --jobs): every event folded by one worker, the shares
merged by event, observes exactly what one process observes: the same profile, the same report."""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest

from qase_contract.contract import SchemaSet
from qase_contract.contract._tree import Limit
from qase_contract.drift import CorpusProfile
from qase_contract.drift import _parallel as parallel_module
from qase_contract.drift import _profile as profile_module
from qase_contract.drift._parallel import profile_in_parallel
from qase_contract.sources._paths import read_batched
from tests.drift.test_plans import corpus, facts
from tests.helpers.drift import run

#: Records with no event to profile, between the deliveries: every share counts them alike.
BROKEN = [b'{"event_name": "run.started", ', b"[1, 2]", b'{"payload": {}}', b"", b"\xff\xfe"]


def _write(path: Path, deliveries: list[object]) -> Path:
    lines = [orjson.dumps(delivery) for delivery in deliveries]
    for index, broken in enumerate(BROKEN):
        lines.insert(index * 97 % max(len(lines), 1), broken)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _in_parallel(paths: list[str], jobs: int) -> CorpusProfile:
    return profile_in_parallel(
        paths, jobs=jobs, overlay=None, schema_set=SchemaSet.builtin(), max_record=1 << 24
    )


@pytest.mark.parametrize("jobs", [2, 3])
@pytest.mark.parametrize("seed", [1, 2])
def test_shares_merged_observe_what_one_process_observes(tmp_path: Path, seed: int, jobs: int) -> None:
    paths = [
        str(_write(tmp_path / "a.jsonl", corpus(seed, 700))),
        str(_write(tmp_path / "b.jsonl", corpus(seed + 10, 300))),
    ]
    alone = CorpusProfile.of(read_batched(paths))
    assert facts(_in_parallel(paths, jobs)) == facts(alone)
    assert alone.skipped  # the broken records, counted alike by every share
    assert len(alone.events) > 5  # mutated names too: several fall to each share


def test_capped_events_are_the_same_whichever_share_would_fold_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers are forked: the lowered cap holds in them too.
    monkeypatch.setattr(profile_module, "MAX_EVENTS", 3)
    paths = [str(_write(tmp_path / "c.jsonl", corpus(3, 400)))]
    alone = CorpusProfile.of(read_batched(paths))
    together = _in_parallel(paths, 2)
    assert facts(together) == facts(alone)
    assert list(together.events) == list(alone.events)
    assert len(alone.events) == 3
    assert together.notes == alone.notes
    assert "more than 3 distinct event names" in alone.notes[0]


def test_drift_jobs_writes_the_report_one_process_writes(tmp_path: Path) -> None:
    corpus_file = str(_write(tmp_path / "d.jsonl", corpus(4, 600)))
    reports = {}
    for jobs in ("1", "2"):
        for format_ in ("json", "text"):
            code, out, _ = run(
                "drift", "--jobs", jobs, "--format", format_, "--fail-on", "never", corpus_file
            )
            reports[jobs, format_] = (code, out)
    assert reports["1", "json"] == reports["2", "json"]
    assert reports["1", "text"] == reports["2", "text"]


def test_small_input_and_standard_input_are_profiled_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workers: list[object] = []

    def recorded(*args: object, **kwargs: object) -> CorpusProfile:
        workers.append(kwargs["jobs"])
        return profile_in_parallel(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("qase_contract.drift._parallel.profile_in_parallel", recorded)
    corpus_file = str(_write(tmp_path / "e.jsonl", corpus(5, 50)))
    code, _, errors = run("drift", "--format", "json", "--fail-on", "never", corpus_file)
    assert code == 0, errors
    code, _, errors = run("drift", "--jobs", "2", "--format", "json", "--fail-on", "never", "-")
    assert code == 1
    assert "<stdin>: empty" in errors  # read by this process: nothing came
    assert workers == []
    code, _, errors = run("drift", "--jobs", "2", "--fail-on", "never", corpus_file)
    assert code == 0, errors
    assert workers == [2]


def test_a_limit_travels_between_processes_and_still_tests_values() -> None:
    pattern = Limit.of("pattern", "^[A-Z]+$")
    back = pickle.loads(pickle.dumps(pattern))
    assert back == pattern
    assert hash(back) == hash(pattern)
    assert back.broken_by("abc")
    assert not back.broken_by("ABC")
    maximum = pickle.loads(pickle.dumps(Limit.of("maximum", 10)))
    assert maximum.broken_by(11)
    assert not maximum.broken_by(10)


_REAL_SHARE = parallel_module._profile_share


def _share_that_read_more(paths: tuple[str, ...], share: tuple[int, int], *rest: Any) -> CorpusProfile:
    """A worker's share as if the file had grown before the first one read it."""
    profile = _REAL_SHARE(paths, share, *rest)
    profile.deliveries += 1 if share[0] == 0 else 0  # share 0, whose counts a merge takes
    return profile


def test_shares_that_read_different_records_give_way_to_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel_module, "_profile_share", _share_that_read_more)
    paths = [str(_write(tmp_path / "f.jsonl", corpus(6, 300)))]
    assert facts(_in_parallel(paths, 2)) == facts(CorpusProfile.of(read_batched(paths)))


def test_a_fifo_is_profiled_by_one_process_whatever_jobs_says(tmp_path: Path) -> None:
    corpus_file = _write(tmp_path / "g.jsonl", corpus(7, 200))
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(corpus_file.read_bytes()))
    writer.start()
    piped = run("drift", "--jobs", "2", "--format", "json", "--fail-on", "never", str(fifo))
    writer.join()
    alone = run("drift", "--jobs", "1", "--format", "json", "--fail-on", "never", str(corpus_file))
    assert piped[0] == alone[0] == 0
    assert piped[1].replace(str(fifo), str(corpus_file)) == alone[1]
