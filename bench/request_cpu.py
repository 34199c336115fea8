"""The app as deployed, with each request's CPU written down: for bench_session.py's
``BENCH_REQUEST_CPU=1``, to say which requests took the web's cores in a window of the
journey (the session's own CPU sampler sees only the processes).

``create_app()`` is the app's own factory plus two request hooks. Each web process
appends ``ended endpoint cpu wall`` lines to ``$REQUEST_CPU_DIR/<pid>.log``: when the
request ended (epoch seconds), its endpoint, the CPU its thread used from before the first
request hook to the teardown (``thread_time``: time on a core, not time waiting for one
or for the GIL) and the wall time between the two. Wall much above CPU is time the request
waited inside the app (for a core, the GIL or SQLite's write lock); what the client saw
above that wall waited before the app (for a thread of the server) or in the client.
Lines are flushed every few seconds, so a process stopped at the end loses at most its
last ones. Each answer also carries ``WALL_HEADER``: when the request entered the app and
when its answer left it (epoch seconds, the client's clock: one machine), from which the
load client splits each latency into before, in and after the app (session_client.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from pathlib import Path

from flask import Flask, Response, g, request
from session_stats import WALL_HEADER, quantile

import app as the_app

FLUSH_SECONDS = 5.0
_lock = threading.Lock()
_pending: list[str] = []
_flushed_at = [time.monotonic()]


def _record(line: str) -> None:
    with _lock:
        _pending.append(line)
        if time.monotonic() - _flushed_at[0] < FLUSH_SECONDS:
            return
        lines, _pending[:] = list(_pending), []
        _flushed_at[0] = time.monotonic()
    with open(Path(os.environ["REQUEST_CPU_DIR"], f"{os.getpid()}.log"), "a") as log:
        log.writelines(lines)


def create_app() -> Flask:
    app = the_app.create_app()

    def _began() -> None:
        g.cpu_began, g.entered = time.thread_time(), time.time()

    app.before_request_funcs.setdefault(None, []).insert(0, _began)  # before the app's own

    def _left(response: Response) -> Response:
        if "entered" in g:
            response.headers[WALL_HEADER] = f"{g.entered:.6f} {time.time():.6f}"
        return response

    # after the app's own (after_request hooks run last registered first)
    app.after_request_funcs.setdefault(None, []).insert(0, _left)

    @app.teardown_request
    def _ended(_error: BaseException | None) -> None:
        if "cpu_began" not in g:
            return
        cpu, ended = time.thread_time() - g.cpu_began, time.time()
        _record(f"{ended:.3f} {request.endpoint} {cpu:.6f} {ended - g.entered:.6f}\n")

    return app


def report(directory: Path, windows: list[tuple[str, float, float]]) -> None:
    """Per window: the web's requests by endpoint, their CPU per request and in all, and
    their wall time in the app (p50/p99/max)."""
    rows = [line.split() for log in directory.glob("*.log") for line in log.open()]
    print("the web's CPU by endpoint (thread CPU from the first request hook to the teardown):")
    for name, begin, end in windows:
        cpu: dict[str, list[float]] = defaultdict(list)
        walls: dict[str, list[float]] = defaultdict(list)
        for ended, endpoint, used, wall in rows:
            if begin <= float(ended) < end:
                cpu[endpoint].append(float(used))
                walls[endpoint].append(float(wall))
        total = sum(sum(v) for v in cpu.values())
        print(f"  {name} ({end - begin:.0f} s): {total:.1f} CPU-s in requests")
        for endpoint, used in sorted(cpu.items(), key=lambda kv: -sum(kv[1]))[:8]:
            print(f"    {endpoint:<28} {len(used):>7} requests {sum(used) / len(used) * 1000:6.2f} ms "
                  f"each, {sum(used):6.1f} CPU-s ({sum(used) / max(total, 1e-9):.0%}); in the app "
                  f"{_spread(walls[endpoint])}")  # fmt: skip


def _spread(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    at = [quantile(ordered, q) for q in (0.5, 0.99, 1)]
    return "p50 {:.3f} s, p99 {:.3f} s, max {:.3f} s".format(*at)
