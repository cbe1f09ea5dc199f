"""Options of ``qase-contract validate``: filters, verbosity, jobs, colour, inputs by kind."""

from __future__ import annotations

import importlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from qase_contract.cli._workers import PARALLEL_MIN_BYTES, workers
from qase_contract.sources._capture import CaptureRecord
from tests.helpers.cli import invoke
from tests.helpers.data import ROOT

EXAMPLES = ROOT / "examples"
# The package exports the click command under the module's own name; fetch the module itself.
validate_module = importlib.import_module("qase_contract.cli._validate")


def test_event_filters_by_name_and_pattern_and_counts_what_it_leaves_out() -> None:
    run = invoke("validate", "--event", "run.*", "--event", "plan.updated", str(EXAMPLES))
    assert run.code == 1
    assert "plan.updated  violation wrong-type" in run.stdout
    assert "case.created" not in run.stdout
    # Records without an event (unparsable, legacy) could be anything: they are never filtered out.
    assert "broken.jsonl:4  (no event)  violation unparsable" in run.stdout
    summary = run.stdout.splitlines()
    assert (
        "19 deliveries: 3 conforming, 1 with drift, 3 with violations, 0 unreadable, "
        "12 filtered out by --event" in (next(line for line in summary if "deliveries:" in line))
    )


def test_an_event_pattern_that_matches_nothing_is_warned_about_and_fails_when_nothing_was_checked() -> None:
    run = invoke("validate", "--event", "run.complete", str(EXAMPLES / "conforming.jsonl"))
    assert (
        "warning: --event 'run.complete' matches no catalogued event; did you mean run.completed"
        in run.stderr
    )
    assert "Error: --event left out all 8 deliveries: nothing was checked" in run.stderr
    assert run.code == 1


@pytest.mark.parametrize("format_", ["json", "sarif", "junit"])
def test_a_filter_that_left_nothing_to_check_says_so_in_the_report_too(format_: str) -> None:
    run = invoke("validate", "-f", format_, "--event", "nope", str(EXAMPLES / "conforming.jsonl"))
    assert run.code == 1
    assert "--event left out all 8 deliveries: nothing was checked" in run.stdout


def test_an_event_filter_that_leaves_something_to_check_keeps_the_usual_exit_code() -> None:
    run = invoke(
        "validate", "--event", "run.*", "--event", "result.created", str(EXAMPLES / "conforming.jsonl")
    )
    assert "warning: --event 'result.created' matches no catalogued event" in run.stderr
    assert run.code == 0


def test_quiet_shows_only_failing_deliveries_and_the_summary_line() -> None:
    run = invoke("validate", "--quiet", str(EXAMPLES))
    lines = run.stdout.splitlines()
    assert len(lines) == 6
    assert all(" violation " in line for line in lines[:5])
    assert lines[5].startswith("FAILED  19 deliveries:")


def test_verbose_shows_every_finding_with_expected_actual_and_schema() -> None:
    run = invoke("validate", "-v", str(EXAMPLES / "broken.jsonl"))
    assert "broken.jsonl:2  case.created  violation\n" in run.stdout
    assert (
        "    violation out-of-range /timestamp: 1650530190000 is above the maximum 9999999999\n" in run.stdout
    )
    # Expected and actual are in the message already: the detail line adds only the schema place.
    assert "        schema common/defs.schema.json#/$defs/unixSeconds/maximum\n" in run.stdout
    assert "expected maximum 9999999999; got 1650530190000" not in run.stdout
    assert "    violation legacy-envelope /: obsolete 2021 Qase envelope" in run.stdout
    assert '        expected the current envelope with event_name; got the 2021 envelope with "event"\n' in (
        run.stdout
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--jobs", "99999999999999999999999", "not in the range 0<=x<=256"),
        ("--max-record-size", "9223372036854775807", "not in the range 1<=x<=536870912"),
    ],
)
def test_numbers_past_what_a_machine_can_use_are_usage_errors(option: str, value: str, message: str) -> None:
    run = invoke("validate", option, value, str(EXAMPLES))
    assert run.code == 2
    assert message in run.stderr


def test_quiet_and_verbose_together_are_a_usage_error() -> None:
    run = invoke("validate", "-q", "-v", str(EXAMPLES))
    assert run.code == 2
    assert run.stdout == ""
    assert "--quiet and --verbose exclude each other" in run.stderr


def test_all_lists_conforming_deliveries_too() -> None:
    run = invoke("validate", "--all", str(EXAMPLES / "conforming.jsonl"))
    assert run.stdout.count("  ok\n") == 8


def test_strict_says_drift_is_what_failed() -> None:
    run = invoke("validate", "--strict", str(EXAMPLES / "drifted.jsonl"))
    assert run.code == 1
    assert "drift fails this run because of --strict" in run.stdout


def test_two_jobs_give_the_same_report_in_the_same_order() -> None:
    args = ("validate", "--format", "json", "--all", str(EXAMPLES))
    single, parallel = invoke(*args), invoke(*args, "--jobs", "2")
    assert parallel.code == single.code == 1
    assert json.loads(parallel.stdout) == json.loads(single.stdout)


def test_large_input_uses_every_free_core_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("qase_contract.validation._parallel.default_jobs", lambda: 4)
    monkeypatch.setattr("qase_contract.validation._parallel.free_cores", lambda: 3)
    assert workers(None, PARALLEL_MIN_BYTES) == 1
    assert workers(None, PARALLEL_MIN_BYTES + 1) == 3
    assert workers(1, 10**12) == 1
    assert workers(0, 10) == 4
    assert workers(3, 10) == 3
    monkeypatch.setattr("qase_contract.validation._parallel.free_cores", lambda: 1)
    assert workers(None, 10**12) == 1


@pytest.mark.parametrize(
    ("loadavg", "free"),
    [
        ("0.50 0.40 0.30 1/300 4242\n", 4),  # only this process runs
        ("1.90 1.50 1.00 3/300 4242\n", 2),  # two others run
        ("9.00 9.00 9.00 12/300 4242\n", 1),  # more than every core: still one
        ("garbled\n", 4),  # unreadable: every usable core
    ],
)
def test_free_cores_are_the_usable_ones_less_the_tasks_running_now(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, loadavg: str, free: int
) -> None:
    from qase_contract.validation import _parallel

    fake = tmp_path / "loadavg"
    fake.write_text(loadavg, encoding="ascii")
    monkeypatch.setattr(_parallel, "default_jobs", lambda: 4)
    monkeypatch.setattr(_parallel.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(_parallel, "LOADAVG", fake)
    assert _parallel.free_cores() == free


def test_free_cores_ignore_the_machines_load_when_this_process_has_only_some_cores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A container given 4 cores of a 64-core host: the host's runnable tasks say nothing of them."""
    from qase_contract.validation import _parallel

    fake = tmp_path / "loadavg"
    fake.write_text("40.0 40.0 40.0 41/900 4242\n", encoding="ascii")
    monkeypatch.setattr(_parallel, "default_jobs", lambda: 4)
    monkeypatch.setattr(_parallel.os, "cpu_count", lambda: 64)
    monkeypatch.setattr(_parallel, "LOADAVG", fake)
    assert _parallel.free_cores() == 4


def test_free_cores_take_the_least_of_several_readings(monkeypatch: pytest.MonkeyPatch) -> None:
    from qase_contract.validation import _parallel

    readings = iter(["0 0 0 4/9 1", "0 0 0 2/9 1", "0 0 0 3/9 1"])

    class Changing:
        def read_text(self, encoding: str) -> str:
            return next(readings)

    monkeypatch.setattr(_parallel, "default_jobs", lambda: 4)
    monkeypatch.setattr(_parallel.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(_parallel, "LOADAVG", Changing())
    assert _parallel.free_cores() == 3


def test_jobs_keep_the_order_across_batches(tmp_path: Path) -> None:
    lines = (EXAMPLES / "conforming.jsonl").read_bytes().splitlines() * 150
    dump = tmp_path / "many.jsonl"
    dump.write_bytes(b"\n".join([*lines, b"{broken"]) + b"\n")
    run = invoke("validate", "--jobs", "2", "--format", "json", str(dump))
    report = json.loads(run.stdout)
    assert report["summary"]["deliveries"] == 1201
    assert [r["location"]["line"] for r in report["results"]] == [1201]


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        (("--color", "always"), {}, True),
        (("--color", "never"), {}, False),
        ((), {}, False),  # piped: not a terminal
        (("--color", "auto"), {"NO_COLOR": "1"}, False),
    ],
)
def test_colour_only_when_asked_or_on_a_terminal(
    args: tuple[str, ...], env: dict[str, str], coloured: bool
) -> None:
    run = invoke("validate", *args, str(EXAMPLES / "broken.jsonl"), env=env)
    assert ("\033[" in run.stdout) is coloured


def test_no_color_is_honoured_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from qase_contract.cli._output import colour_wanted

    terminal = io.StringIO()
    monkeypatch.setattr(terminal, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert colour_wanted("auto", terminal)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted("auto", terminal)


def test_standard_input_can_be_json_lines_or_a_capture_or_a_har() -> None:
    conforming = (EXAMPLES / "conforming.jsonl").read_bytes()
    assert "8 deliveries: 8 conforming" in invoke("validate", "-", stdin=conforming).stdout
    first = conforming.splitlines()[0]
    capture = CaptureRecord(body=first, headers={"X-Qase-Secret": "s"}).to_line() * 2
    assert "2 deliveries: 2 conforming" in invoke("validate", "-", stdin=capture).stdout
    har = {
        "log": {
            "entries": [{"request": {"method": "POST", "headers": [], "postData": {"text": first.decode()}}}]
        }
    }
    assert "1 delivery: 1 conforming" in invoke("validate", "-", stdin=orjson.dumps(har)).stdout


def test_a_capture_file_is_checked_with_line_locations(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    body = b'{"event_name": "run.deleted"}'
    capture.write_bytes(CaptureRecord(body=b"{}").to_line() + CaptureRecord(body=body).to_line())
    run = invoke("validate", str(capture))
    assert f"{capture}:2  run.deleted  violation missing-field" in run.stdout


def test_the_progress_bar_is_for_terminals_only_and_imported_only_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(validate_module, "PROGRESS_MIN_BYTES", 1)
    monkeypatch.delitem(sys.modules, "qase_contract.cli._progress", raising=False)
    assert validate_module._progress(3) is None  # pytest's stderr is no terminal
    assert "qase_contract.cli._progress" not in sys.modules
    terminal = io.StringIO()
    monkeypatch.setattr(terminal, "isatty", lambda: True)
    monkeypatch.setattr(sys, "stderr", terminal)
    bar = validate_module._progress(3)
    assert bar is not None
    bar.update(3)
    bar.close()
    monkeypatch.setenv("CI", "true")
    assert validate_module._progress(3) is None


def test_a_large_input_shows_a_progress_bar_on_a_terminal_stderr(tmp_path: Path) -> None:
    import os
    import pty

    dump = tmp_path / "big.jsonl"
    line = (EXAMPLES / "conforming.jsonl").read_bytes().splitlines()[0] + b"\n"
    dump.write_bytes(line * (validate_module.PROGRESS_MIN_BYTES // len(line) + 1))
    parent, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    completed = subprocess.run(
        [sys.executable, "-m", "qase_contract", "validate", "--quiet", str(dump)],
        stdout=subprocess.PIPE,
        stderr=child,
        env=env,
        timeout=300,
        check=False,
    )
    os.close(child)
    shown = b""
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(parent)
    assert completed.returncode == 0
    assert b"checking" in shown
    assert b"100%" in shown
    assert b"checking" not in completed.stdout


def test_the_summary_leads_with_the_verdict_and_lists_only_the_events_that_differ() -> None:
    lines = invoke("validate", str(EXAMPLES)).stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if not line.startswith(str(EXAMPLES)))
    assert lines[start:] == [
        "FAILED  19 deliveries: 10 conforming, 4 with drift, 5 with violations, 0 unreadable",
        "  (no event): 2 deliveries (2 with violations), records without a usable event_name",
        "  case.created: 3 deliveries (1 conforming, 1 with drift, 1 with violations)",
        "  custom_field.created: 2 deliveries (1 conforming, 1 with violations)",
        "  plan.updated: 1 delivery (1 with violations)",
        "  result.created: 1 delivery (1 with drift)",
        "  review.approval_status_changed: 2 deliveries (1 conforming, 1 with drift)",
        "  run.completed: 2 deliveries (1 conforming, 1 with drift)",
        "  5 other events, every delivery conforming (-v lists them)",
    ]


@pytest.mark.parametrize("option", ["-v", "--all"])
def test_verbose_or_all_lists_the_events_where_every_delivery_conforms_too(option: str) -> None:
    lines = invoke("validate", option, str(EXAMPLES / "conforming.jsonl")).stdout.splitlines()
    assert lines[-9:] == [
        "PASSED  8 deliveries: 8 conforming, 0 with drift, 0 with violations, 0 unreadable",
        "  case.created: 1 delivery (1 conforming)",
        "  custom_field.created: 1 delivery (1 conforming)",
        "  defect.created: 1 delivery (1 conforming)",
        "  plan.created: 1 delivery (1 conforming)",
        "  review.approval_status_changed: 1 delivery (1 conforming)",
        "  run.completed: 1 delivery (1 conforming)",
        "  run.started: 1 delivery (1 conforming)",
        "  shared_step.created: 1 delivery (1 conforming)",
    ]


def test_a_conforming_run_says_so_in_two_lines() -> None:
    run = invoke("validate", str(EXAMPLES / "conforming.jsonl"))
    assert run.stdout.splitlines() == [
        "PASSED  8 deliveries: 8 conforming, 0 with drift, 0 with violations, 0 unreadable",
        "  8 events, every delivery conforming (-v lists them)",
    ]


def test_a_delivery_with_more_findings_says_that_verbose_shows_them() -> None:
    first = invoke("validate", str(EXAMPLES / "broken.jsonl")).stdout.splitlines()[0]
    assert first.endswith('expected object, got string "high"  (+1 more, shown with -v)')


@pytest.mark.parametrize("format_", ["text", "json", "junit", "sarif", "github"])
def test_with_an_output_file_the_summary_line_still_reaches_standard_error(
    tmp_path: Path, format_: str
) -> None:
    target = tmp_path / "report"
    run = invoke("validate", "-f", format_, "-o", str(target), str(EXAMPLES / "broken.jsonl"))
    assert run.code == 1
    assert run.stdout == ""
    summary = "FAILED  6 deliveries: 1 conforming, 0 with drift, 5 with violations, 0 unreadable"
    assert run.stderr == f"{summary} (report in {target})\n"


def test_a_folder_is_walked_once_unless_a_progress_bar_needs_its_size_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default --jobs lists the folder to size it and reads from that listing; --jobs 1
    # reads as it lists. Only a progress bar for --jobs 1 sizes it before.
    scans: list[str] = []
    scandir = os.scandir

    def counted_scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if os.fspath(path) == str(tmp_path):  # not the schemas'
            scans.append(os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", counted_scandir)
    (tmp_path / "one.json").write_bytes(b'{"event_name": "run.deleted"}')
    (tmp_path / "two.json").write_bytes(b'{"event_name": "run.deleted"}')
    for jobs in (("--jobs", "1"), ()):
        scans.clear()
        run = invoke("validate", *jobs, str(tmp_path))
        assert run.stdout.count("run.deleted  violation missing-field") == 2
        assert scans == [str(tmp_path)], jobs
    monkeypatch.setattr(validate_module, "_shows_progress", lambda: True)  # at a terminal
    for jobs, walks in ((("--jobs", "1"), 2), ((), 1)):
        scans.clear()
        invoke("validate", *jobs, str(tmp_path))
        assert scans == [str(tmp_path)] * walks, jobs
