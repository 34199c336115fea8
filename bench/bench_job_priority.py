"""The web's latency while the job workers use every core, as at a close: with the job
processes at the web's own CPU priority, and behind it as ``flask jobs worker`` runs
scoring and certificates (``JOB_NICE``, app/jobs/priority.py), against the web alone (the
baseline, same run). As deployed by honcho (``make run``): the web in a session of its
own, and each job process in one of its own, as the worker forks them, its session's
scheduling group (Linux autogroups) at the job's priority.

The deployed web (web_server.py's defaults, SQLite) gets an open-loop stream of
requests for the login page (a cheap GET that renders a page, as the close's status
polls and result pages are) at ``BENCH_PRIORITY_RATE`` a second. The job workers are
stood in for by ``JOB_WORKERS`` processes that only burn CPU: a close's scoring and
certificates are CPU work, and a busy loop asks for the cores the same way without
timing its own database work. Each condition runs ``BENCH_PRIORITY_SECONDS``, in turns,
``BENCH_PRIORITY_ROUNDS`` times (2); it prints the requests' p50/p99/max and how much CPU the stand-ins still got
(the jobs are not starved: they take what the web leaves).

    BENCH_PRIORITY_RATE=150 BENCH_PRIORITY_SECONDS=10 .venv/bin/python bench/bench_job_priority.py
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.synchronize
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from server_load import tree_cpu_seconds
from session_app import free_port, stop_server, wait_until_serving

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.jobs.priority import set_group_nice, yield_to_the_web  # noqa: E402  (after the path)

RATE = float(os.environ.get("BENCH_PRIORITY_RATE", 150))
SECONDS = float(os.environ.get("BENCH_PRIORITY_SECONDS", 10))
ROUNDS = int(os.environ.get("BENCH_PRIORITY_ROUNDS", 2))
WORKERS = int(os.environ.get("JOB_WORKERS", 2))
NICE = int(os.environ.get("JOB_NICE", 10))


def busy(niceness: int, running: multiprocessing.synchronize.Event) -> None:
    """A job process with nothing but CPU work, as the worker forks one and runs a job
    behind the web (``niceness`` 0: at the web's priority)."""
    yield_to_the_web(niceness)
    os.setsid()
    set_group_nice(niceness)
    running.set()
    while True:
        pass


async def latencies(base: str) -> list[float]:
    """Requests sent at ``RATE`` a second whatever the answers' pace (open loop)."""
    found: list[float] = []

    async def one(web: aiohttp.ClientSession) -> None:
        began = time.perf_counter()
        async with web.get("/login") as response:
            await response.read()
            assert response.status == 200, response.status
        found.append(time.perf_counter() - began)

    async with aiohttp.ClientSession(base, timeout=aiohttp.ClientTimeout(total=60)) as web:
        sent, start = [], time.perf_counter()
        for n in range(int(RATE * SECONDS)):
            await asyncio.sleep(max(0, start + n / RATE - time.perf_counter()))
            sent.append(asyncio.create_task(one(web)))
        await asyncio.gather(*sent)
    return found


def measure(base: str, niceness: int | None) -> tuple[list[float], float]:
    """The requests' latencies, and the stand-ins' CPU seconds (None: no jobs)."""
    context = multiprocessing.get_context("spawn")
    running = [context.Event() for _ in range(WORKERS if niceness is not None else 0)]
    jobs = [context.Process(target=busy, args=(niceness, event)) for event in running]
    for job in jobs:
        job.start()
    for event in running:  # a spawned process imports first, then spins
        if not event.wait(timeout=120):
            raise SystemExit("a busy job process did not start within 120 s")
    before = sum(tree_cpu_seconds(job.pid) for job in jobs)
    found = asyncio.run(latencies(base))
    used = sum(tree_cpu_seconds(job.pid) for job in jobs) - before
    for job in jobs:
        job.kill()
        job.join()
    return found, used


def line(name: str, found: list[float], used: float, baseline: float) -> str:
    ordered = sorted(found)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    jobs = f"; the jobs got {used / SECONDS:.2f} cores" if used else ""
    return (
        f"{name:<28} p50 {statistics.median(ordered) * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
        f" ({p99 / baseline:5.1f}× alone)  max {ordered[-1] * 1000:7.1f} ms{jobs}"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-job-priority-") as tmp:
        env = {**os.environ, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench-job-priority",
               "DATABASE_URL": f"sqlite:///{tmp}/app.db", "FLASK_APP": "app"}  # fmt: skip
        subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, capture_output=True)  # fmt: skip
        port = free_port()
        # In a session of its own, as honcho starts it: Linux schedules each session's
        # processes as a group (autogroup) before a nice counts within one.
        server = subprocess.Popen(
            [sys.executable, "web_server.py"],
            cwd=ROOT, env={**env, "PORT": str(port)}, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until_serving(port)
            run(f"http://127.0.0.1:{port}")
        finally:
            stop_server(server)


def run(base: str) -> None:
    print(f"the login page at {RATE:g} requests/s for {SECONDS:g} s each, on the deployed web "
          f"(web_server.py defaults); {WORKERS} busy job processes, {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    asyncio.run(latencies(base))  # warm: every web process has rendered the page
    for round_ in range(1, ROUNDS + 1):
        alone, _ = measure(base, None)
        baseline = sorted(alone)[int(len(alone) * 0.99)]
        print(f"round {round_}")
        print(line("the web alone", alone, 0, baseline))
        for name, niceness in (
            ("jobs at the web's priority", 0),
            (f"jobs' groups at nice +{NICE}", NICE),
        ):
            found, used = measure(base, niceness)
            print(line(name, found, used, baseline))


if __name__ == "__main__":
    main()
