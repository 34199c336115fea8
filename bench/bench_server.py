"""The HTTP server's own CPU per request, measured from outside, beside the app's.

The app is served as deployed (web_server.py, as the Procfile starts it) on a free
loopback port and a temporary SQLite database prepared as bench_session.py prepares it.
An asyncio client sends a fixed number of real requests on kept-alive connections, a few
at a time (at saturation), of three kinds: a tiny one (a static file, almost no app work),
a candidate's save (POST JSON, a write) and the status poll. The server's CPU is the
user + system time of its whole process tree (master and workers) from /proc, divided by
the requests; the app's is the same request's CPU in-process (Flask's test client, as
bench_requests.py measures it), so the server's share is the difference. The machine is
shared: read the ratios to the first server of the same run, not the absolute figures.

    .venv/bin/python bench/bench_server.py
    BENCH_SERVERS="granian:2x4 granian:4x4 gunicorn:4x4"  (kind:processes x threads; granian
      is web_server.py; gunicorn, the server before it, gthread as it was configured but
      without freezing each worker's loaded heap, is compared only where it is installed:
      pip install gunicorn==27.0.1)
    BENCH_SERVER_N=1000 (requests of each kind per server), BENCH_SERVER_CONCURRENCY=16,
      BENCH_SERVER_WARM_UP=200 (requests of each kind before measuring)
    BENCH_SERVER_MODE=paced: browsers that save every 10 s (BENCH_PACED_CLIENTS=200 per
      server, BENCH_PACED_SECONDS=40, all servers at once), by default granian at
      WEB_KEEPALIVE 30 s (as deployed) against 5 s (server@seconds): a kept-alive connection
      idle between saves against a reconnect for each save.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from aiohttp.http import SERVER_SOFTWARE
from bench_session import EXAM
from server_load import (
    Candidate,
    drive,
    paced_saves,
    request_of,
    start_candidates,
    tree_cpu_seconds,
)
from session_app import create_test_sitting, free_port, prepare, stop_server, wait_until_serving

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODE = os.environ.get("BENCH_SERVER_MODE", "saturated")
SERVERS = os.environ.get(
    "BENCH_SERVERS",
    "granian:2x4 granian:4x4 gunicorn:4x4"
    if MODE == "saturated"
    else "granian:2x4@30 granian:2x4@5",
).split()
COUNT = int(os.environ.get("BENCH_SERVER_N", 1000))
CONCURRENCY = int(os.environ.get("BENCH_SERVER_CONCURRENCY", 16))
ROUNDS = 5
IDLE_SECONDS = 5  # paced: the servers measured idle first
# Requests of each kind before measuring: each worker's first ones compile.
WARM_UP = int(os.environ.get("BENCH_SERVER_WARM_UP", 200))
KINDS = ("tiny", "save", "status")
CANDIDATES = 8


def command(server: str, port: int) -> tuple[list[str], dict] | None:
    """The command line and environment of a server variant (kind:processes x threads, and
    @seconds a kept-alive connection may stay idle); None where not installed."""
    server, _, keepalive = server.partition("@")
    kind, _, shape = server.partition(":")
    keepalive = keepalive or ("5" if kind == "gunicorn" else "30")  # as each was deployed
    processes, threads = shape.split("x") if shape else ("4", "4")
    env = {"PORT": str(port), "WEB_CONCURRENCY": processes, "WEB_THREADS": threads,
           "WEB_KEEPALIVE": keepalive}  # fmt: skip
    if kind == "granian":
        return [sys.executable, "web_server.py"], env
    if kind == "gunicorn" and (BIN / "gunicorn").exists():
        return [
            str(BIN / "gunicorn"), "--worker-class", "gthread", "--workers", processes,
            "--threads", threads, "--bind", f"127.0.0.1:{port}", "--backlog", "4096",
            "--worker-connections", "10000", "--keep-alive", keepalive, "--timeout", "120",
            "--log-level", "warning", "app:create_app()",
        ], env  # fmt: skip
    return None


class Serving:
    """One server variant, running for the length of a ``with`` block, then stopped."""

    def __init__(self, argv: list[str], env: dict, log: Path) -> None:
        self.port = int(env["PORT"])
        self.base = f"http://127.0.0.1:{self.port}"
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                argv, cwd=ROOT, env={**os.environ, **env}, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def __enter__(self) -> Serving:
        try:
            wait_until_serving(self.port)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        stop_server(self.process, group=True)

    def cpu(self) -> float:
        return tree_cpu_seconds(self.process.pid)


def measure(servers: list[Serving], candidates: list[Candidate]) -> list[dict]:
    """Each kind's server CPU per request (ms) and requests per second, for each server.

    The servers run side by side and take turns: each round sends a batch of each kind to
    one server after the other, so that the shared machine's noise falls on all alike."""
    cpu = [dict.fromkeys(KINDS, 0.0) for _ in servers]
    wall = [dict.fromkeys(KINDS, 0.0) for _ in servers]
    batch = COUNT // ROUNDS
    for serving in servers:
        for kind in KINDS:
            asyncio.run(drive(serving.base, kind, candidates, WARM_UP, CONCURRENCY))
    for _round in range(ROUNDS):
        for kind in KINDS:
            for number, serving in enumerate(servers):
                began = serving.cpu()
                wall[number][kind] += asyncio.run(
                    drive(serving.base, kind, candidates, batch, CONCURRENCY)
                )
                cpu[number][kind] += serving.cpu() - began
    return [
        {kind: (cpu[n][kind] * 1000 / (batch * ROUNDS), batch * ROUNDS / wall[n][kind]) for kind in KINDS}
        for n in range(len(servers))
    ]  # fmt: skip


def in_process_cpu_ms(candidates: list[Candidate]) -> dict[str, float]:
    """Each kind's CPU per request in this process (Flask's test client, as bench_requests),
    sent with the cookies and the user agent the HTTP client sent."""
    from app import create_app

    web = create_app().test_client(use_cookies=False)
    cpu_ms = {}
    for kind in KINDS:
        for requests in (WARM_UP, COUNT):
            began = time.process_time()
            for turn in range(requests):
                method, path, options = request_of(
                    kind, candidates, turn % CONCURRENCY, turn // CONCURRENCY
                )
                headers = {**options.get("headers", {}), "User-Agent": SERVER_SOFTWARE}
                response = web.open(path, method=method, json=options.get("json"), headers=headers)
                response.get_data()
                assert response.status_code == 200, (kind, response.status_code)
            cpu_ms[kind] = (time.process_time() - began) * 1000 / requests
    return cpu_ms


def installed() -> list[tuple[str, tuple[list[str], dict]]]:
    """The servers of BENCH_SERVERS that are installed, each with its command."""
    found = []
    for server in SERVERS:
        if (serving := command(server, free_port())) is None:
            print(f"{server}: not installed, left out")
        else:
            found.append((server, serving))
    return found


def compare(tmp: str, sitting_id: int) -> None:
    found = installed()
    with ExitStack() as running:
        servers = [running.enter_context(Serving(*f, Path(tmp) / "server.log")) for _, f in found]
        candidates = asyncio.run(start_candidates(servers[0].base, 0, CANDIDATES, sitting_id))
        results = list(zip([name for name, _ in found], measure(servers, candidates), strict=True))
    app_ms = in_process_cpu_ms(candidates)
    first = results[0][1]
    print(f"{COUNT} requests of each kind per server in {ROUNDS} turns, {CONCURRENCY} kept-alive "
          f"connections, after {WARM_UP} to warm up; CPU per request in ms (ratio to {results[0][0]})")  # fmt: skip
    print(f"{'server':<14} {'request':<7} {'app':>6} {'server total':>19} {'server share':>19} {'requests/s':>16}")  # fmt: skip
    for server, figures in results:
        for kind in KINDS:
            total, rate = figures[kind]
            share, base_share = total - app_ms[kind], first[kind][0] - app_ms[kind]
            print(
                f"{server:<14} {kind:<7} {app_ms[kind]:>6.2f} {total:>11.2f} ({total / first[kind][0]:>4.2f})"
                f" {share:>11.2f} ({share / base_share:>4.2f}) {rate:>8.0f} ({rate / first[kind][1]:>4.2f})"
            )  # fmt: skip


def paced(tmp: str, sitting_id: int) -> None:
    """Browsers saving every 10 s, the servers side by side and loaded at the same time,
    their idle CPU measured first: at 5 s WEB_KEEPALIVE each save reconnects, at 20 s
    the connection waits idle for the next."""
    clients = int(os.environ.get("BENCH_PACED_CLIENTS", 200))
    seconds = float(os.environ.get("BENCH_PACED_SECONDS", 40))
    found = installed()
    with ExitStack() as running:
        servers = [running.enter_context(Serving(*f, Path(tmp) / "server.log")) for _, f in found]
        candidates = asyncio.run(start_candidates(servers[0].base, 0, CANDIDATES, sitting_id))
        began = [serving.cpu() for serving in servers]
        time.sleep(IDLE_SECONDS)
        idle = [
            (serving.cpu() - b) / IDLE_SECONDS for serving, b in zip(servers, began, strict=True)
        ]
        began = [serving.cpu() for serving in servers]

        async def together() -> list[tuple[int, int]]:
            return await asyncio.gather(*(
                paced_saves(serving.base, candidates, clients, 10, seconds) for serving in servers
            ))  # fmt: skip

        done = asyncio.run(together())
        used = [serving.cpu() - b for serving, b in zip(servers, began, strict=True)]
    print(f"{clients} browsers per server each saving every 10 s for {seconds:.0f} s, all servers "
          f"at once (@ WEB_KEEPALIVE; ratio to {found[0][0]})")  # fmt: skip
    per_save = [cpu * 1000 / saves for cpu, (saves, _) in zip(used, done, strict=True)]
    for (name, _), cpu_ms, rate, (saves, opened) in zip(found, per_save, idle, done, strict=True):
        print(f"{name:<20} {saves:>5} saves on {opened:>4} connections; server CPU {cpu_ms:.2f} ms "
              f"per save ({cpu_ms / per_save[0]:.2f}); idle {rate * 1000:.0f} ms/s")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        env = {
            "INSTANCE_PATH": tmp, "SECRET_KEY": "bench-server", "DATABASE_URL": f"sqlite:///{tmp}/app.db",
            "JOB_QUEUE_URL": f"sqlite:///{tmp}/jobs.db", "JOBS_IMMEDIATE": "0",
            "PATH": f"{BIN}:{os.environ['PATH']}",
        }  # fmt: skip
        prepare(env, CANDIDATES, EXAM)
        sitting_id = create_test_sitting(time.time() - 60, time.time() + 3 * 3600, CANDIDATES)
        began = os.getloadavg()[0]
        if MODE == "paced":
            paced(tmp, sitting_id)
        else:
            compare(tmp, sitting_id)
        print(f"load average at the start {began:.2f}, at the end {os.getloadavg()[0]:.2f} "
              f"(1-minute; the machine is shared)")  # fmt: skip


if __name__ == "__main__":
    main()
