"""The minimal ``qase-contract validate`` command: lines with locations, a summary, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qase_contract import __version__
from qase_contract.cli import main
from tests.helpers.data import ROOT
from tests.helpers.files import unreadable_file

EXAMPLES = ROOT / "examples"


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


def test_conforming_captures_exit_0_with_a_summary() -> None:
    code, output = run("validate", str(EXAMPLES / "conforming.jsonl"))
    assert code == 0
    assert "8 deliveries: 8 conforming, 0 with drift, 0 with violations, 0 unreadable" in output


def test_drift_warns_but_passes_and_fails_under_strict() -> None:
    code, output = run("validate", str(EXAMPLES / "drifted.jsonl"))
    assert code == 0
    assert "drifted.jsonl:4  result.created  drift unknown-event /event_name" in output
    assert run("validate", "--strict", str(EXAMPLES / "drifted.jsonl"))[0] == 1


def test_broken_captures_exit_1_with_file_line_and_reason() -> None:
    code, output = run("validate", str(EXAMPLES / "broken.jsonl"))
    assert code == 1
    assert "broken.jsonl:2  case.created  violation wrong-type /payload/priority" in output
    assert "broken.jsonl:3  (no event)  violation legacy-envelope /" in output
    assert "broken.jsonl:4  (no event)  violation unparsable /: the body is not valid JSON" in output
    assert "6 deliveries: 1 conforming, 0 with drift, 5 with violations" in output


def test_a_folder_is_read_recursively() -> None:
    code, output = run("validate", str(EXAMPLES))
    assert code == 1
    assert "19 deliveries: 10 conforming, 4 with drift, 5 with violations" in output


def test_a_json_array_gives_each_delivery_its_index(tmp_path: Path) -> None:
    good = json.loads((ROOT / "schemas/examples/run.deleted/canonical.json").read_text())
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps([good, {"event_name": "run.deleted"}]), encoding="utf-8")
    code, output = run("validate", str(dump))
    assert code == 1
    assert f"{dump}[1]  run.deleted  violation missing-field /payload" in output


def test_standard_input_is_read_with_a_dash() -> None:
    body = (ROOT / "schemas/examples/run.deleted/canonical.json").read_bytes()
    code, output = run("validate", "-", stdin=body)
    assert code == 0
    assert "PASSED  1 delivery: 1 conforming" in output


def test_a_missing_path_is_a_usage_error() -> None:
    code, output = run("validate", "does-not-exist.jsonl")
    assert code == 2
    assert "no such file or folder: does-not-exist.jsonl" in output


def test_a_broken_overlay_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "x.schema.json").write_text("{", encoding="utf-8")
    code, output = run("validate", "--schemas", str(tmp_path), str(EXAMPLES))
    assert code == 2
    assert "x.schema.json: cannot read schema" in output


def test_an_unreadable_file_is_reported_and_the_rest_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked.jsonl"
    locked.write_text("{}", encoding="utf-8")
    unreadable_file(locked, monkeypatch)
    code, output = run("validate", str(locked), str(EXAMPLES / "conforming.jsonl"))
    assert code == 1
    assert f"{locked}  (no event)  violation unreadable /: cannot read: Permission denied" in output
    assert "9 deliveries: 8 conforming, 0 with drift, 0 with violations, 1 unreadable" in output


def test_the_installed_command_runs_the_quick_start_and_reports_its_version() -> None:
    bin_dir = Path(sys.executable).parent
    completed = subprocess.run(
        [str(bin_dir / "qase-contract"), "validate", "examples/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert "19 deliveries" in completed.stdout
    version = subprocess.run(
        [sys.executable, "-m", "qase_contract", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    contract = (ROOT / "schemas" / "VERSION").read_text(encoding="utf-8").strip()
    assert version.stdout.strip() == f"qase-contract, version {__version__} (contract {contract})"
