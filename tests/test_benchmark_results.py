"""benchmarks/_results.py: RESULTS.md keeps every section but the one a script rewrites, and
repeated runs are paired and summarised as min and median."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from benchmarks._results import (
    PREAMBLE,
    RESULTS,
    Report,
    Spread,
    add_options,
    interleaved,
    markers,
    ratio,
    replace_section,
    results_path,
    round_by_round,
    runs_of,
    write_section,
)


def section(key: str, body: str) -> str:
    begin, end = markers(key)
    return f"{begin}\n{body}\n{end}\n"


def test_a_new_file_starts_with_the_preamble_and_holds_the_section() -> None:
    text = replace_section("", "bench_a.py", "## A\n\nfigures")
    assert text == PREAMBLE.rstrip("\n") + "\n\n" + section("bench_a.py", "## A\n\nfigures")


def test_rewriting_a_section_keeps_the_others_byte_for_byte_and_in_place() -> None:
    text = replace_section("", "bench_a.py", "old a")
    text = replace_section(text, "bench_b.py", "b, untouched\n\n| x |\n| - |")
    text = replace_section(text, "bench_c.py", "c")
    rewritten = replace_section(text, "bench_b.py", "new b")
    assert rewritten == text.replace("b, untouched\n\n| x |\n| - |", "new b")
    assert rewritten.index("old a") < rewritten.index("new b") < rewritten.index("\nc\n")


def test_a_key_that_extends_another_is_a_section_of_its_own() -> None:
    text = replace_section("", "bench_cli.py", "peers")
    text = replace_section(text, "bench_cli.py --against", "before and after")
    text = replace_section(text, "bench_cli.py", "peers again")
    assert "peers again" in text
    assert "before and after" in text
    assert "peers\n" not in text


def test_a_section_missing_its_end_marker_is_refused_rather_than_truncated() -> None:
    begin, _ = markers("bench_a.py")
    with pytest.raises(ValueError, match=r"'bench_a\.py'.*no end marker"):
        replace_section(f"{PREAMBLE}\n{begin}\nhalf a section\n", "bench_a.py", "new")


def test_write_section_replaces_one_section_of_the_file_on_disk(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    write_section(results, "bench_a.py", "a")
    write_section(results, "bench_b.py", "b")
    write_section(results, "bench_a.py", "a again")
    text = results.read_text(encoding="utf-8")
    assert text.startswith(PREAMBLE)
    assert section("bench_a.py", "a again") in text
    assert section("bench_b.py", "b") in text
    assert sorted(path.name for path in tmp_path.iterdir()) == ["RESULTS.md"]  # no temporary left


def test_a_report_writes_its_provenance_and_tables_into_its_section(tmp_path: Path) -> None:
    report = Report("bench_a.py", "The title", packages=("pytest",))
    report.say("What was measured.")
    report.table(["what", "ms, min / median"], [["one", Spread.of([2.0, 1.0, 3.0]).format(".1f")]])
    results = tmp_path / "RESULTS.md"
    report.publish(results)
    text = results.read_text(encoding="utf-8")
    for expected in (
        "## The title",
        "- Command: `python ",
        "- Commit: ",
        "- Machine: ",
        "pytest ",
        "What was measured.",
        "| what | ms, min / median |\n| --- | --- |\n| one | 1.0 / 2.0 |",
    ):
        assert expected in text


def test_a_spread_is_the_min_and_the_median_of_its_runs() -> None:
    assert Spread.of([5.0, 1.0, 4.0, 2.0]) == Spread(1.0, 3.0, 4)
    assert Spread.of([3.0]).format() == "3.00 / 3.00"
    assert Spread.of([1.0, 3.0]).scaled(1000) == Spread(1000.0, 2000.0, 2)
    with pytest.raises(ValueError, match="at least one"):
        Spread.of([])


def test_ratio_divides_mins_by_mins_and_medians_by_medians() -> None:
    assert ratio(Spread(2.0, 6.0, 3), Spread(1.0, 2.0, 3)) == (2.0, 3.0)


def test_interleaved_runs_pair_the_measures_round_by_round() -> None:
    calls: list[str] = []

    def measure(name: str) -> float:
        calls.append(name)
        return float(len(calls))

    results = interleaved({"A": lambda: measure("A"), "B": lambda: measure("B")}, runs=3)
    assert calls == ["A", "B", "A", "B", "A", "B"]
    assert results == {"A": [1.0, 3.0, 5.0], "B": [2.0, 4.0, 6.0]}


def options(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_options(parser, runs=5)
    return parser.parse_args(argv)


def test_quick_runs_write_no_results_unless_told_where() -> None:
    assert results_path(options()) == RESULTS
    assert results_path(options("--quick")) is None
    assert results_path(options("--quick", "--results", "x.md")) == Path("x.md")


def test_runs_default_per_script_shrink_with_quick_and_yield_to_runs() -> None:
    assert runs_of(options()) == 5
    assert runs_of(options("--quick"), quick=2) == 2
    assert runs_of(options("--quick", "--runs", "7")) == 7
    with pytest.raises(SystemExit, match="at least 1"):
        runs_of(options("--runs", "0"))


def test_round_by_round_ratios_pair_each_rounds_measures() -> None:
    # A slow second round slows both measures: round by round, the ratio holds at 2; the
    # ratio of the medians mixes the rounds, and the ratio of the mins pairs round 1 with 3.
    limit = [1.0, 3.0, 1.2]
    command = [2.0, 6.0, 2.4]
    rounds = round_by_round(limit, command)
    assert (rounds.min, rounds.median, rounds.runs) == (pytest.approx(0.5), pytest.approx(0.5), 3)
    assert round_by_round([1.0, 2.0], [2.0, 1.0]).min == 0.5  # the worst round
    with pytest.raises(ValueError, match="same rounds"):
        round_by_round([1.0], [1.0, 2.0])
