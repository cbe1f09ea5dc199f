"""The receiver under load against its peers, in one run over loopback.

32 concurrent senders post 5,000 deliveries (cycling through the examples, each one told
apart by its timestamp), one connection per delivery as Qase sends them, to:
  * ``qase-contract listen --record``: the real command (waitress, validation, capture, live lines);
  * a bare app on the same waitress server that only reads the body (the server's ceiling);
  * the same receiver on stdlib ``wsgiref`` with ``socketserver.ThreadingMixIn``;
  * the same receiver on werkzeug's threaded development server (when werkzeug is installed);
each in its own process. The last two are the alternatives measured before choosing
waitress. Prints deliveries per second, p50 and p99 latency, and checks that nothing is
lost: the capture holds exactly the acknowledged deliveries.
Goal (issue 5): at least 1,000 deliveries/s and p99 under 50 ms on 2 cores.
Usage: ``python benchmarks/bench_receiver.py [--count N] [--senders N]``.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import orjson

from qase_contract.live._receiver import Receiver
from qase_contract.live._sender import Target, post
from qase_contract.live._server import Server
from qase_contract.sources._capture import CaptureWriter, iter_capture

EXAMPLES = Path(__file__).resolve().parent.parent / "schemas" / "examples"
HEADERS = {"Content-Type": "application/json", "X-Qase-Secret": "bench-secret"}


def deliveries(count: int) -> list[bytes]:
    examples = [orjson.loads(path.read_bytes()) for path in sorted(EXAMPLES.glob("*/canonical.json"))]
    return [
        orjson.dumps({**examples[n % len(examples)], "timestamp": 1_700_000_000 + n}) for n in range(count)
    ]


@dataclass
class Run:
    name: str
    per_second: float
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


def measure(name: str, command: list[str], bodies: list[bytes], senders: int, capture: Path | None) -> Run:
    with tempfile.TemporaryFile() as out:
        env = {**os.environ, "QASE_WEBHOOK_SECRET": HEADERS["X-Qase-Secret"]}
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            url = _wait_for_url(out, process)
            elapsed, latencies, acknowledged = load(url, bodies, senders)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
    lost = None
    if capture is not None:
        recorded = [record.body for _, record in iter_capture(capture) if not isinstance(record, Exception)]
        # Nothing lost: the capture holds every acknowledged delivery, and no more than were sent.
        lost = len(set(acknowledged) - set(recorded)) + abs(len(recorded) - len(acknowledged))
    latencies.sort()
    return Run(
        name,
        len(bodies) / elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        len(acknowledged),
        lost,
    )


def _wait_for_url(out: Any, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        out.seek(0)
        found = re.search(rb"listening on (http://\S+?)/? ", out.read())
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--serve", choices=["bare", "wsgiref", "werkzeug"], help=argparse.SUPPRESS)
    parser.add_argument("--record", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(options.serve, options.record)
        return

    bodies = deliveries(options.count)
    me = [sys.executable, __file__]
    with tempfile.TemporaryDirectory() as folder:
        captures = {name: Path(folder, f"{name}.jsonl") for name in ("listen", "wsgiref", "werkzeug")}
        listen = [
            sys.executable,
            "-m",
            "qase_contract",
            "listen",
            "--port",
            "0",
            "--record",
            str(captures["listen"]),
        ]
        peers = [
            ("qase-contract listen (waitress)", listen, captures["listen"]),
            ("bare app on waitress, no checks", [*me, "--serve", "bare"], None),
            (
                "receiver on wsgiref+ThreadingMixIn",
                [*me, "--serve", "wsgiref", "--record", str(captures["wsgiref"])],
                captures["wsgiref"],
            ),
        ]
        if importlib.util.find_spec("werkzeug") is not None:
            command = [*me, "--serve", "werkzeug", "--record", str(captures["werkzeug"])]
            peers.append(("receiver on werkzeug threaded", command, captures["werkzeug"]))
        runs = [measure(name, command, bodies, options.senders, capture) for name, command, capture in peers]
    print(
        f"{options.count} deliveries from {options.senders} concurrent senders, one connection each, "
        f"over loopback on {os.cpu_count()} CPUs"
    )
    print(f"{'server':<38}{'deliveries/s':>13}{'p50 ms':>9}{'p99 ms':>9}{'2xx':>7}{'lost':>6}")
    for run in runs:
        lost = "-" if run.lost is None else str(run.lost)
        print(
            f"{run.name:<38}{run.per_second:>13.0f}{run.p50_ms:>9.1f}{run.p99_ms:>9.1f}"
            f"{run.acknowledged:>7}{lost:>6}"
        )
    subject = runs[0]
    print(
        "listen throughput / peer: "
        + ", ".join(f"{run.name} {subject.per_second / run.per_second:.2f}x" for run in runs[1:])
    )
    met = subject.per_second >= 1000 and subject.p99_ms < 50 and subject.lost == 0
    print(f"goal (>= 1,000/s, p99 < 50 ms, 0 lost) for listen: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
