"""The session load test's client CPU per request on asyncio's event loop and on uvloop's
(bench/session_clients.py, ``BENCH_CLIENT_LOOP``).

The client shares the server's two cores, ahead of it, so what it spends is taken from
the server at the open and at the close. Here a bare JSON route under web_server.py (the
deployed web server) answers ``BENCH_LOOP_N`` candidates, each with its own aiohttp session
as in bench_session.py, 50 at a time: first a request on a new connection (as a paper key
at the open or a first poll at the close), then one on the kept-alive connection (as a
save). Each loop is measured in a fresh process, alternated over ``BENCH_LOOP_ROUNDS``
rounds; the CPU is the client process's own (``time.process_time``).

    .venv/bin/python bench/bench_client_loop.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from session_app import free_port, stop_server, wait_until_serving

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_LOOP_N", 3000))
ROUNDS = int(os.environ.get("BENCH_LOOP_ROUNDS", 3))
LOOPS = ("asyncio", "uvloop")


def create_app() -> Flask:
    """What the client talks to: a key-sized JSON answer, so the client's side dominates."""
    app = Flask(__name__)
    app.get("/key")(lambda: {"key": "k" * 44, "deadline": "2026-12-04T20:00:00Z"})
    return app


async def candidates(base: str) -> tuple[float, float]:
    """CPU ms per request on new connections, then on the kept-alive ones. (The client's
    imports are here: the server process imports this module for ``create_app``.)"""
    import aiohttp

    limit = asyncio.Semaphore(50)
    sessions = [aiohttp.ClientSession(base) for _ in range(N)]

    async def ask(web: aiohttp.ClientSession) -> None:
        async with limit, web.get("/key") as response:
            await response.json()

    figures = []
    for _ in ("new", "kept"):
        began = time.process_time()
        await asyncio.gather(*(ask(web) for web in sessions))
        figures.append((time.process_time() - began) / N * 1000)
    await asyncio.gather(*(web.close() for web in sessions))
    return figures[0], figures[1]


def client(loop: str, base: str) -> None:
    """One measurement in this (fresh) process, on the loop the load test runs with that
    name (``session_clients.run_loop``), printed as two numbers."""
    from session_clients import run_loop

    new, kept = run_loop(candidates(base), loop)
    print(new, kept)


def main() -> None:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}"}
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "web_server.py"), "bench_client_loop:create_app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_serving(port)
        found: dict[str, list[tuple[float, float]]] = {loop: [] for loop in LOOPS}
        for _ in range(ROUNDS):
            for loop in LOOPS:
                out = subprocess.run(
                    [sys.executable, __file__, loop, f"http://127.0.0.1:{port}"],
                    env=env, check=True, capture_output=True, text=True, timeout=600,
                ).stdout  # fmt: skip
                new, kept = map(float, out.split())
                found[loop].append((new, kept))
    finally:
        stop_server(server)
    print(f"client CPU per request, {N} candidates, {ROUNDS} rounds alternated (median, ms):")
    print(f"{'loop':<8} {'new connection':>15} {'kept-alive':>11}")
    for loop, rounds in found.items():
        new = statistics.median(r[0] for r in rounds)
        kept = statistics.median(r[1] for r in rounds)
        print(f"{loop:<8} {new:>15.3f} {kept:>11.3f}")
    ratios = [u[0] / a[0] for a, u in zip(found["asyncio"], found["uvloop"], strict=True)]
    print(
        f"uvloop / asyncio on new connections, per round: {', '.join(f'{r:.2f}' for r in ratios)}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3:
        client(sys.argv[1], sys.argv[2])
    else:
        main()
