"""``qase-contract listen``: receive live Qase deliveries, check them, record them, forward them."""

from __future__ import annotations

import ipaddress
import secrets
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType

import click

from qase_contract._util.words import counted
from qase_contract.cli._common import (
    ExitCode,
    FiniteRange,
    color_option,
    schema_set_from,
    schemas_option,
    stop,
)
from qase_contract.cli._config import PolicyCommand
from qase_contract.cli._output import colour_wanted
from qase_contract.errors import BadTarget, MissingExtra, ServeError
from qase_contract.live._answers import FIRST_STATUS, LAST_STATUS, MAX_DELAY, AnswerPolicy
from qase_contract.live._forwarder import Forwarded, Forwarder
from qase_contract.live._inspector import THREADS as INSPECTOR_THREADS
from qase_contract.live._inspector import Inspector
from qase_contract.live._journal import Journal
from qase_contract.live._receiver import DEFAULT_MAX_BODY, Receipt, Receiver
from qase_contract.live._sender import Target
from qase_contract.reporters._live import live_json, live_line
from qase_contract.reporters._paint import STYLES, paint
from qase_contract.sources._capture import CaptureWriter
from qase_contract.validation._validator import Validator


@dataclass(frozen=True)
class _Run:
    """What a listening run was given, once checked."""

    host: str
    port: int
    path: str
    secret: str | None
    record: str | None
    target: Target | None
    max_body: int
    validator: Validator
    answers: AnswerPolicy
    json_lines: bool
    colour: bool
    ui: _Ui | None = None


@dataclass(frozen=True)
class _Ui:
    """Where the inspector is served (``--ui``)."""

    host: str
    port: int


@click.command(cls=PolicyCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="0: any free port."
)
@click.option("--path", default="/", show_default=True, help="The one path deliveries are accepted on.")
@click.option(
    "--secret",
    envvar="QASE_WEBHOOK_SECRET",
    show_envvar=True,
    help="Require this X-Qase-Secret (prefer the environment variable: options show in ps).",
)
@click.option(
    "--record",
    type=click.Path(dir_okay=False, writable=True),
    help="Append every delivery to this capture file (JSONL).",
)
@click.option("--forward-to", metavar="URL", help="Forward each delivery, secret included, to this URL.")
@click.option("--strict/--no-strict", default=False, help="Drift fails too (live verdict and exit code).")
@schemas_option
@click.option(
    "--max-body",
    default=DEFAULT_MAX_BODY,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest body accepted, in bytes (413 past it).",
)
@click.option("--fsync/--no-fsync", default=False, help="Sync the capture file to disk before each answer.")
@click.option(
    "--respond",
    metavar="STATUS",
    type=click.IntRange(FIRST_STATUS, LAST_STATUS),
    help=f"Answer every checked delivery with this status ({FIRST_STATUS}-{LAST_STATUS}); "
    "default 200, or 400 for a body that is not JSON.",
)
@click.option("--respond-body", metavar="TEXT", help="The body of those answers (JSON or text).")
@click.option(
    "--fail-rate",
    metavar="P",
    type=FiniteRange(0, 1),
    default=0.0,
    help="Answer 500 to this share of checked deliveries (0 to 1), drawn in arrival order from --seed.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the --fail-rate draws.")
@click.option(
    "--delay",
    metavar="SECONDS",
    type=FiniteRange(0, MAX_DELAY),
    default=0.0,
    help=f"Hold each answer to a checked delivery back this long (at most {MAX_DELAY:g} s).",
)
@click.option(
    "--json",
    "json_lines",
    is_flag=True,
    help="One JSON line per delivery (and per forwarding) on standard output; the rest on stderr.",
)
@color_option
@click.option(
    "--ui",
    is_flag=True,
    help="Serve the inspector: a page listing deliveries as they arrive, on its own port, "
    "guarded by a token printed at start.",
)
@click.option(
    "--ui-host",
    metavar="ADDRESS",
    help="Address of the inspector (default 127.0.0.1: this machine only).",
)
@click.option(
    "--ui-port",
    type=click.IntRange(0, 65535),
    help="Port of the inspector (default 0: any free port, printed at start).",
)
def listen(
    host: str,
    port: int,
    path: str,
    secret: str | None,
    record: str | None,
    forward_to: str | None,
    strict: bool,
    overlay: str | None,
    max_body: int,
    fsync: bool,
    respond: int | None,
    respond_body: str | None,
    fail_rate: float,
    seed: int,
    delay: float,
    json_lines: bool,
    color: str,
    ui: bool,
    ui_host: str | None,
    ui_port: int | None,
) -> None:
    """Receive live Qase webhook deliveries: check, record and acknowledge each one.

    Answers 200 by default; --respond, --fail-rate and --delay answer as told, to watch what
    Qase does when a consumer fails. --ui serves a page that shows each delivery as it arrives.
    Stops on Ctrl-C or SIGTERM with a summary per event; exits 1 when a delivery broke the
    contract (or drifted, under --strict), else 0.
    """
    try:
        from qase_contract.live import _server  # waitress: the [listen] extra
    except MissingExtra as error:
        stop(str(error), ExitCode.USAGE)
    if not path.startswith("/"):
        raise click.UsageError(f"--path must start with '/', got {path!r}")
    inspector = _ui(ui, ui_host, ui_port, port)
    try:
        target = Target.parse(forward_to) if forward_to else None
    except BadTarget as error:
        raise click.UsageError(f"--forward-to: {error}") from None
    validator = Validator(strict=strict, schemas=schema_set_from(overlay))
    answers = AnswerPolicy(
        respond=respond, respond_body=respond_body, fail_rate=fail_rate, seed=seed, delay=delay
    )
    try:
        writer = CaptureWriter(record, fsync=fsync) if record else None
    except OSError as error:
        raise click.UsageError(f"--record: cannot append to {record}: {error.strerror or error}") from None
    colour = not json_lines and colour_wanted(color, sys.stdout)
    run = _Run(
        host, port, path, secret, record, target, max_body, validator, answers, json_lines, colour, inspector
    )

    # Handlers first, so a Ctrl-C while starting up is a clean stop too; restored on the way out.
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous = {signum: signal.signal(signum, request_stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        _serve(_server, stop_requested, run, writer)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _ui(ui: bool, host: str | None, port: int | None, receiving_port: int) -> _Ui | None:
    """Where the inspector goes, once the options are checked."""
    if not ui:
        given = [name for name, value in (("--ui-host", host), ("--ui-port", port)) if value is not None]
        if given:
            raise click.UsageError(f"{' and '.join(given)} need{'s' if len(given) == 1 else ''} --ui")
        return None
    if port is not None and port != 0 and port == receiving_port:
        raise click.UsageError("--ui-port must differ from --port: the inspector never shares it")
    return _Ui(host or "127.0.0.1", port or 0)


def _serve(
    server_module: ModuleType,
    stop_requested: threading.Event,
    run: _Run,
    writer: CaptureWriter | None,
) -> None:
    echo_lock = threading.Lock()

    def echo(line: str, *, data: bool = False, style: str | None = None) -> None:
        """A line for the terminal; under --json only the data lines go to standard output."""
        if style is not None:
            line = paint(line, style, run.colour)
        with echo_lock:
            click.echo(line, err=run.json_lines and not data, color=run.colour or None)

    receiver: Receiver
    inspector = _inspector(run, echo) if run.ui is not None else None

    def on_delivery(receipt: Receipt) -> None:
        if inspector is not None:
            inspector.journal.add(receipt)
        if run.json_lines:
            echo(live_json(receipt), data=True)
        else:
            verdict = receipt.verdict
            echo(live_line(receipt), data=True, style=verdict if verdict in STYLES else None)

    def on_forwarded(forwarded: Forwarded) -> None:
        receiver.tally.count_forwarded(forwarded.result)
        if inspector is not None:
            inspector.forwarded(forwarded)
        echo(forwarded.as_json() if run.json_lines else forwarded.describe(), data=True)

    target = run.target
    forwarder = Forwarder(target, on_result=on_forwarded, secret=run.secret) if target is not None else None
    receiver = Receiver(
        validator=run.validator,
        writer=writer,
        secret=run.secret,
        path=run.path,
        max_body=run.max_body,
        on_delivery=on_delivery,
        forward=forwarder,
        answers=run.answers,
    ).warm_up()
    servers = []
    try:
        servers.append(
            server_module.Server(
                receiver, run.host, run.port, max_request_body=server_module.server_body_limit(run.max_body)
            )
        )
        if inspector is not None and run.ui is not None:
            servers.append(
                server_module.Server(
                    inspector,
                    run.ui.host,
                    run.ui.port,
                    max_request_body=UI_MAX_BODY,
                    threads=INSPECTOR_THREADS,
                    streaming=True,
                )
            )
    except ServeError as error:
        for started in servers:
            started.stop(wait=0)
        if writer is not None:
            writer.close()
        if forwarder is not None:
            forwarder.close(wait=0)
        stop(str(error), ExitCode.USAGE)

    ui_url = f"{servers[1].url}/?token={inspector.token}" if inspector is not None else None
    history = inspector.journal.history if inspector is not None else 0
    for line in _banner(servers[0].url + receiver.path, run, ui_url, history):
        echo(line)
    for server in servers:
        server.start()
    # Waiting in short slices keeps the main thread able to run the signal handlers.
    while not stop_requested.wait(0.2):
        pass
    echo("stopping: finishing the requests in flight")
    servers[0].stop()
    if inspector is not None:
        inspector.close()
        servers[1].stop()
    if forwarder is not None:
        unsent = forwarder.close()
        if unsent:
            echo(f"{counted(unsent, 'delivery')} not forwarded before the stop (in the capture file)")
    if writer is not None:
        writer.close()
    for line in receiver.tally.summary_lines():
        echo(line)
    if run.record:
        echo(f"capture file: {Path(run.record)}")
    sys.exit(ExitCode.FAILED if receiver.tally.failed else ExitCode.OK)


#: The inspector reads no body but a replay's (which is empty).
UI_MAX_BODY = 64 * 1024


def _inspector(run: _Run, echo: Callable[..., None]) -> Inspector:
    """The inspector of this run, its history read from the capture file before any delivery comes."""
    journal = Journal(run.validator, Path(run.record) if run.record else None)
    journal.load_history()
    return Inspector(
        journal,
        secrets.token_urlsafe(24),
        target=run.target,
        secret=run.secret,
        on_replayed=lambda line: echo(line),
    )


def _banner(url: str, run: _Run, ui_url: str | None, history: int = 0) -> list[str]:
    record = run.record
    lines = [
        f"listening on {url} (POST)",
        "secret: required in X-Qase-Secret" if run.secret else "secret: none; every delivery is accepted",
        f"recording to {record}" if record else "not recording (use --record FILE.jsonl to keep deliveries)",
        *([f"forwarding to {run.target.shown(run.secret)}"] if run.target is not None else []),
        *run.answers.describe(),
    ]
    if ui_url is not None and run.ui is not None:
        lines.append(f"inspector: {ui_url}")
        if history:
            lines.append(f"inspector history: the latest {history} deliveries of {record}")
        if not _loopback(run.ui.host):
            lines.append(
                f"warning: the inspector answers on {run.ui.host}, over plain HTTP: "
                "anyone with its address, token included, sees the payloads"
            )
    lines.append("Ctrl-C stops and prints a summary per event")
    return lines


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
