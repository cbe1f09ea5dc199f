"""``qase-contract listen``: receive live Qase deliveries, check them, record them, forward them."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType, ModuleType

import click

from qase_contract._util.words import counted
from qase_contract.cli._common import ExitCode, stop
from qase_contract.errors import BadTarget, MissingExtra, ServeError
from qase_contract.live._forwarder import Forwarded, Forwarder
from qase_contract.live._receiver import DEFAULT_MAX_BODY, Receipt, Receiver
from qase_contract.live._sender import Target
from qase_contract.reporters._live import live_line
from qase_contract.sources._capture import CaptureWriter
from qase_contract.validation._validator import Validator


@click.command()
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
@click.option("--strict", is_flag=True, help="Drift fails too (live verdict and exit code).")
@click.option(
    "--max-body",
    default=DEFAULT_MAX_BODY,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest body accepted, in bytes (413 past it).",
)
@click.option("--fsync", is_flag=True, help="Sync the capture file to disk before each answer.")
def listen(
    host: str,
    port: int,
    path: str,
    secret: str | None,
    record: str | None,
    forward_to: str | None,
    strict: bool,
    max_body: int,
    fsync: bool,
) -> None:
    """Receive live Qase webhook deliveries: check, record and acknowledge each one.

    Stops on Ctrl-C or SIGTERM with a summary per event; exits 1 when a delivery broke the
    contract (or drifted, under --strict), else 0.
    """
    try:
        from qase_contract.live import _server  # waitress: the [listen] extra
    except MissingExtra as error:
        stop(str(error), ExitCode.USAGE)
    if not path.startswith("/"):
        raise click.UsageError(f"--path must start with '/', got {path!r}")
    try:
        target = Target.parse(forward_to) if forward_to else None
    except BadTarget as error:
        raise click.UsageError(f"--forward-to: {error}") from None
    try:
        writer = CaptureWriter(record, fsync=fsync) if record else None
    except OSError as error:
        raise click.UsageError(f"--record: cannot append to {record}: {error.strerror or error}") from None

    # Handlers first, so a Ctrl-C while starting up is a clean stop too; restored on the way out.
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous = {signum: signal.signal(signum, request_stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        _run(_server, stop_requested, host, port, path, secret, record, target, strict, max_body, writer)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(
    server_module: ModuleType,
    stop_requested: threading.Event,
    host: str,
    port: int,
    path: str,
    secret: str | None,
    record: str | None,
    target: Target | None,
    strict: bool,
    max_body: int,
    writer: CaptureWriter | None,
) -> None:
    echo_lock = threading.Lock()

    def echo(line: str) -> None:
        with echo_lock:
            click.echo(line)

    def on_delivery(receipt: Receipt) -> None:
        echo(live_line(receipt))

    def on_forwarded(forwarded: Forwarded) -> None:
        echo(forwarded.describe())

    forwarder = Forwarder(target, on_result=on_forwarded) if target is not None else None
    receiver = Receiver(
        validator=Validator(strict=strict),
        writer=writer,
        secret=secret,
        path=path,
        max_body=max_body,
        on_delivery=on_delivery,
        forward=forwarder,
    ).warm_up()
    try:
        server = server_module.Server(
            receiver, host, port, max_request_body=server_module.server_body_limit(max_body)
        )
    except ServeError as error:
        if writer is not None:
            writer.close()
        if forwarder is not None:
            forwarder.close(wait=0)
        stop(str(error), ExitCode.USAGE)

    for line in _banner(server.url + receiver.path, secret, record, target):
        echo(line)
    server.start()
    # Waiting in short slices keeps the main thread able to run the signal handlers.
    while not stop_requested.wait(0.2):
        pass
    echo("stopping: finishing the requests in flight")
    server.stop()
    if forwarder is not None:
        unsent = forwarder.close()
        if unsent:
            echo(f"{counted(unsent, 'delivery')} not forwarded before the stop (in the capture file)")
    if writer is not None:
        writer.close()
    for line in receiver.tally.summary_lines():
        echo(line)
    if record:
        echo(f"capture file: {Path(record)}")
    sys.exit(ExitCode.FAILED if receiver.tally.failed else ExitCode.OK)


def _banner(url: str, secret: str | None, record: str | None, target: Target | None) -> list[str]:
    return [
        f"listening on {url} (POST)",
        "secret: required in X-Qase-Secret" if secret else "secret: none; every delivery is accepted",
        f"recording to {record}" if record else "not recording (use --record FILE.jsonl to keep deliveries)",
        *([f"forwarding to {target}"] if target is not None else []),
        "Ctrl-C stops and prints a summary per event",
    ]
