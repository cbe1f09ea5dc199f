"""The console script (``qase_contract.__main__:run``) holds the garbage collector back through
start-up and then leaves start-up's objects out of its walks; the click group itself, as
CliRunner and programs invoke it, never touches the collector."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

from qase_contract.__main__ import run
from tests.helpers.cli import invoke


def test_the_collector_waits_for_the_command_then_runs_without_start_ups_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = tmp_path / "one.json"
    delivery.write_bytes(b'{"event_name": "run.deleted"}')
    frozen: list[tuple[bool, bool]] = []

    def freeze() -> None:  # recorded, not done: this test process keeps its collector as it is
        frozen.append(("qase_contract.cli._validate" in sys.modules, gc.isenabled()))

    monkeypatch.setattr(gc, "freeze", freeze)
    monkeypatch.delitem(sys.modules, "qase_contract.cli._validate", raising=False)  # loaded by the run
    monkeypatch.setattr(sys, "argv", ["qase-contract", "validate", str(delivery)])
    with pytest.raises(SystemExit) as done:
        run()
    assert done.value.code == 1  # the delivery lacks its payload
    assert frozen == [(True, False)]  # once the command's modules were in, the collector still held
    assert gc.isenabled()


def test_invoking_the_group_leaves_the_collector_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> None:
        raise AssertionError("the collector was frozen")

    monkeypatch.setattr(gc, "freeze", refused)
    monkeypatch.setattr(gc, "disable", refused)
    assert invoke("events").code == 0
    assert gc.isenabled()
