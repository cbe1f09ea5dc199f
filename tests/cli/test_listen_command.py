"""``qase-contract listen`` refuses unusable options before it listens (signals: test_listen_process)."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from qase_contract.cli import main


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--path", "hooks"], "--path must start with '/'"),
        (
            ["--forward-to", "ftp://consumer/"],
            "--forward-to: 'ftp://consumer/' is not an http:// or https:// URL",
        ),
        (["--max-body", "0"], "--max-body"),
        (["--port", "70000"], "--port"),
        (["--respond", "99"], "'--respond': 99 is not in the range 200<=x<=599"),
        (["--respond", "600"], "'--respond': 600 is not in the range 200<=x<=599"),
        (["--respond", "150"], "'--respond': 150 is not in the range 200<=x<=599"),
        (["--respond", "OK"], "'--respond': 'OK' is not a valid integer"),
        (["--fail-rate", "1.5"], "'--fail-rate': 1.5 is not in the range 0<=x<=1"),
        (["--fail-rate", "-0.1"], "'--fail-rate': -0.1 is not in the range 0<=x<=1"),
        (["--fail-rate", "nan"], "'--fail-rate': 'nan' is not a number"),
        (["--fail-rate", "half"], "'--fail-rate': 'half' is not a valid float"),
        (["--delay", "-1"], "'--delay': -1.0 is not in the range 0<=x<=600"),
        (["--delay", "inf"], "'--delay': inf is not in the range 0<=x<=600"),
        (["--seed", "x"], "'--seed': 'x' is not a valid integer"),
        (["--schemas", "no-such-folder"], "--schemas: "),
        (["--ui-port", "8001"], "--ui-port needs --ui"),
        (["--ui-host", "0.0.0.0", "--ui-port", "8001"], "--ui-host and --ui-port need --ui"),
        (["--ui", "--port", "8001", "--ui-port", "8001"], "--ui-port must differ from --port"),
        (["--ui", "--ui-port", "65536"], "--ui-port"),
    ],
)
def test_unusable_options_exit_2_saying_why(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["listen", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_an_overlay_that_is_not_json_schema_exits_2_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "broken.schema.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["listen", "--schemas", str(tmp_path)])
    assert result.exit_code == 2
    assert "--schemas: " in result.output
    assert "broken.schema.json" in result.output


def test_a_capture_file_that_cannot_be_opened_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["listen", "--record", str(tmp_path / "missing-folder" / "c.jsonl")])
    assert result.exit_code == 2
    assert "--record: cannot append to" in result.output


def test_a_port_in_use_exits_2_saying_so_and_gives_back_the_signal_handlers() -> None:
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            main, ["listen", "--port", str(port), "--forward-to", "http://127.0.0.1:9/"]
        )
    assert result.exit_code == 2
    assert f"Error: cannot listen on 127.0.0.1:{port}" in result.output
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_an_inspector_port_in_use_exits_2_and_lets_the_receiving_port_go() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["listen", "--port", "0", "--ui", "--ui-port", str(port)])
    assert result.exit_code == 2
    assert f"Error: cannot listen on 127.0.0.1:{port}" in result.output
