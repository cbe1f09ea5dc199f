"""The receiver under load against its peers, in one run over loopback.

32 concurrent senders post 5,000 deliveries (cycling through the examples, each one told
apart by its timestamp), one connection per delivery as Qase sends them, to:
  * ``qase-contract listen --record``: the real command (waitress, validation, capture, live lines),
    and a bare app on the same waitress server that only reads the body (the server's ceiling);
  * ``create_app()`` recording to one capture file on gunicorn (gthread, 8 threads a worker,
    ``--preload``) with 1, 2 and 4 worker processes, each against the bare app on the same
    gunicorn settings (skipped when gunicorn is not installed);
  * the same receiver on stdlib ``wsgiref`` with ``socketserver.ThreadingMixIn``, and on
    werkzeug's threaded development server (when werkzeug is installed): the alternatives
    measured before choosing waitress;
each in its own process. Each round runs every server once, interleaved; reports deliveries
per second, p50 and p99 latency (min and median over ``--runs`` rounds), the receiver's speed
as a share of the bare app's on the same server, and checks that nothing is lost: the capture
holds exactly the acknowledged deliveries, each once. Writes its section of
``benchmarks/RESULTS.md``. Goal (issue 5): at least 1,000 deliveries/s and p99 under 50 ms on
2 cores. Usage: ``python benchmarks/bench_receiver.py [--count N] [--senders N] [--runs N] [--quick]``.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import os
import re
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import orjson
from _process import AS_INSTALLED
from _results import (
    ROOT,
    Report,
    Spread,
    add_options,
    format_ratio,
    interleaved,
    ratio,
    results_path,
    runs_of,
)

from qase_contract.live import Receiver

# The sender and the server have no public path (only the commands use them).
from qase_contract.live._sender import Target, post
from qase_contract.live._server import Server
from qase_contract.sources import CaptureWriter, iter_capture

EXAMPLES = ROOT / "schemas" / "examples"
PACKAGES = ("waitress", "gunicorn", "werkzeug", "jsonschema-rs", "orjson")
HERE = Path(__file__).resolve().parent
GUNICORN_WORKERS = (1, 2, 4)
GUNICORN_THREADS = 8
HEADERS = {"Content-Type": "application/json", "X-Qase-Secret": "bench-secret"}


def deliveries(count: int) -> list[bytes]:
    examples = [orjson.loads(path.read_bytes()) for path in sorted(EXAMPLES.glob("*/canonical.json"))]
    return [
        orjson.dumps({**examples[n % len(examples)], "timestamp": 1_700_000_000 + n}) for n in range(count)
    ]


@dataclass(frozen=True)
class Run:
    seconds: float
    p50_ms: float
    p99_ms: float
    acknowledged: int
    lost: int | None


def load(url: str, bodies: list[bytes], senders: int) -> tuple[float, list[float], list[bytes]]:
    """Post every body from ``senders`` threads; the wall time, each latency, the acknowledged bodies."""
    target = Target.parse(url)
    latencies: list[float] = []
    acknowledged: list[bytes] = []
    lock = threading.Lock()

    def sender(share: list[bytes]) -> None:
        for body in share:
            answer = post(target, body, HEADERS, timeout=30)
            with lock:
                latencies.append(answer.latency)
                if answer.ok:
                    acknowledged.append(body)

    threads = [threading.Thread(target=sender, args=(bodies[n::senders],)) for n in range(senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, acknowledged


@dataclass(frozen=True)
class Peer:
    """One server and app measured: ``server`` groups it with the bare app on the same server."""

    server: str
    app: str
    command: list[str]
    capture: Path | None = None
    bare: bool = False

    @property
    def name(self) -> str:
        return f"{self.app} on {self.server}"


def measure(peer: Peer, bodies: list[bytes], senders: int, home: Path) -> Run:
    capture = peer.capture
    if capture is not None:
        capture.unlink(missing_ok=True)  # each run records afresh
    with tempfile.TemporaryFile() as out:
        env = {
            **AS_INSTALLED,
            "QASE_WEBHOOK_SECRET": HEADERS["X-Qase-Secret"],
            "HOME": str(home),  # gunicorn 24+ keeps a control socket under $HOME/.gunicorn
            **({"QASE_CONTRACT_RECORD": str(capture)} if capture is not None else {}),
        }
        process = subprocess.Popen(
            peer.command, cwd=home, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        try:
            url = _wait_for_url(out, process)
            elapsed, latencies, acknowledged = load(url, bodies, senders)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    lost = None
    if capture is not None:
        recorded = collections.Counter(
            record.body for _, record in iter_capture(capture) if not isinstance(record, Exception)
        )
        # Nothing lost: every acknowledged delivery recorded exactly once, and nothing else.
        lost = sum(recorded[body] != 1 for body in acknowledged) + abs(recorded.total() - len(acknowledged))
    latencies.sort()
    return Run(
        elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        len(acknowledged),
        lost,
    )


def _wait_for_url(out: Any, process: subprocess.Popen[bytes]) -> str:
    """The URL the server announces: ``listening on URL`` (ours), ``Listening at: URL`` (gunicorn)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        out.seek(0)
        found = re.search(rb"(?:listening on|Listening at:) (http://\S+?)/?\s", out.read())
        if found:
            return found.group(1).decode()
        if process.poll() is not None:
            break
        time.sleep(0.05)
    out.seek(0)
    raise SystemExit(f"the server did not start:\n{out.read().decode(errors='replace')}")


# Peers, run in their own processes by ``--serve``.


def bare_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


def serve(kind: str, capture: str | None) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if kind == "bare":
        server = Server(bare_app, "127.0.0.1", 0).start()
        print(f"listening on {server.url} ", flush=True)
        threading.Event().wait()
    app = Receiver(
        writer=CaptureWriter(capture) if capture else None, secret=HEADERS["X-Qase-Secret"]
    ).warm_up()
    if kind == "werkzeug":
        from werkzeug.serving import WSGIRequestHandler as WerkzeugHandler
        from werkzeug.serving import make_server as werkzeug_server

        class QuietWerkzeug(WerkzeugHandler):
            def log_request(self, *args: Any) -> None:
                pass

        httpd: Any = werkzeug_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietWerkzeug)
    else:

        class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
            daemon_threads = True
            request_queue_size = 128

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

        httpd = make_server("127.0.0.1", 0, app, server_class=ThreadingServer, handler_class=QuietHandler)
    print(f"listening on http://127.0.0.1:{httpd.server_address[1]} ", flush=True)
    httpd.serve_forever()


def gunicorn(workers: int, app: str) -> list[str]:
    return [
        *(sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", str(workers)),
        *("--worker-class", "gthread", "--threads", str(GUNICORN_THREADS), "--backlog", "1024"),
        *("--preload", "--pythonpath", str(HERE), app),
    ]


def peers_of(folder: Path) -> list[Peer]:
    """Every server measured, each receiver next to the bare app on the same server."""
    listen = [sys.executable, "-m", "qase_contract", "listen", "--port", "0", "--record"]
    me = [sys.executable, __file__]
    capture = folder / "listen.jsonl"
    peers = [
        Peer("waitress", "qase-contract listen", [*listen, str(capture)], capture),
        Peer("waitress", "bare app", [*me, "--serve", "bare"], bare=True),
    ]
    if importlib.util.find_spec("gunicorn") is not None:
        for workers in GUNICORN_WORKERS:
            server = f"gunicorn, {workers} worker{'s' if workers > 1 else ''}"
            capture = folder / f"gunicorn-{workers}.jsonl"
            receiver = gunicorn(workers, "qase_contract.live:create_app()")
            peers.append(Peer(server, "create_app()", receiver, capture))
            peers.append(Peer(server, "bare app", gunicorn(workers, "bench_receiver:bare_app"), bare=True))
    capture = folder / "wsgiref.jsonl"
    peers.append(
        Peer(
            "wsgiref+ThreadingMixIn",
            "receiver",
            [*me, "--serve", "wsgiref", "--record", str(capture)],
            capture,
        )
    )
    if importlib.util.find_spec("werkzeug") is not None:
        capture = folder / "werkzeug.jsonl"
        command = [*me, "--serve", "werkzeug", "--record", str(capture)]
        peers.append(Peer("werkzeug threaded", "receiver", command, capture))
    return peers


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_options(parser, runs=3)
    parser.add_argument("--count", type=int, default=None, help="deliveries per run (5,000)")
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--serve", choices=["bare", "wsgiref", "werkzeug"], help=argparse.SUPPRESS)
    parser.add_argument("--record", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(options.serve, options.record)
        return
    runs = runs_of(options)
    report = Report("bench_receiver.py", "The receiver under load, against its peers", PACKAGES)

    bodies = deliveries(options.count or (1_000 if options.quick else 5_000))
    with tempfile.TemporaryDirectory() as folder:
        peers = peers_of(Path(folder))
        measures = {
            peer.name: partial(measure, peer, bodies, options.senders, Path(folder)) for peer in peers
        }
        results = interleaved(measures, runs)
    report.say(
        f"{len(bodies):,} deliveries per run from {options.senders} concurrent senders, one connection "
        f"each, over loopback; each server in its own process, {runs} rounds, interleaved. gunicorn "
        f"runs gthread workers with {GUNICORN_THREADS} threads each and --preload, all writing one "
        f"capture file. Min / median over the rounds (deliveries/s from the min and the median time); "
        f"2xx is the fewest acknowledged in a run; lost the most acknowledged deliveries not recorded "
        f"exactly once. The last column is the receiver's speed as a share of the bare app's (which "
        f"only reads the body) on the same server."
    )
    times = {name: Spread.of(run.seconds for run in runs_) for name, runs_ in results.items()}
    bare = {peer.server: times[peer.name] for peer in peers if peer.bare}
    rows = []
    for peer in peers:
        runs_ = results[peer.name]
        losses = [run.lost for run in runs_ if run.lost is not None]
        against = bare.get(peer.server)
        rows.append(
            [
                peer.server,
                peer.app,
                f"{len(bodies) / times[peer.name].min:,.0f} / {len(bodies) / times[peer.name].median:,.0f}",
                Spread.of(run.p50_ms for run in runs_).format(".1f"),
                Spread.of(run.p99_ms for run in runs_).format(".1f"),
                str(min(run.acknowledged for run in runs_)),
                str(max(losses)) if losses else "-",
                "" if peer.bare or against is None else format_ratio(ratio(against, times[peer.name])),
            ]
        )
    report.table(
        ["server", "app", "deliveries/s", "p50 ms", "p99 ms", "2xx", "lost", "share of the bare app's speed"],
        rows,
    )
    listen_name = peers[0].name
    subject = results[listen_name]
    p99 = Spread.of(run.p99_ms for run in subject).median
    speed = len(bodies) / times[listen_name].median
    met = speed >= 1000 and p99 < 50 and all(run.lost == 0 for run in subject)
    report.say(
        f"Goal for listen, at least 1,000 deliveries/s and p99 under 50 ms (medians), none lost: "
        f"{'met' if met else 'NOT met'}."
    )
    scaled = [peer for peer in peers if peer.app == "create_app()"]
    if scaled:
        one = times[scaled[0].name]
        lines = "; ".join(
            f"{peer.server.removeprefix('gunicorn, ')}: {format_ratio(ratio(one, times[peer.name]))}"
            for peer in scaled[1:]
        )
        lost = max((run.lost or 0) for peer in scaled for run in results[peer.name])
        report.say(
            f"gunicorn's speed against one worker (min / median): {lines}; acknowledged deliveries "
            f"lost or recorded twice across all gunicorn runs: {lost}."
        )
    report.publish(results_path(options))


if __name__ == "__main__":
    main()
