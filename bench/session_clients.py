"""The session load test's client in several processes (bench_session.py, BENCH_CLIENTS).

One Python process running thousands of journeys needs about a whole core at the open
(a key a millisecond), and its event loop then lags: the latency it measures is partly
its own queue. So the candidates can be split across K processes, each with its own
event loop and its own slice of the candidates, on the plan the parent decided (login
times, the open, the close: absolute times, one clock). Each process sends its progress
every few seconds and, at the end, its Stats and the answers the server acknowledged,
which the parent merges. The processes are started with "spawn" (nothing inherited but
what is passed), bounded by the run's limit; one that dies or never reports is printed
and its candidates counted (not followed, or stopped at the limit), so the run fails
rather than hangs.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Coroutine
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, TypeVar

import uvloop
from session_stats import PHASES, Stats, quantile

PRINT_EVERY = 30.0  # the progress line, so a run that goes wrong shows where
SEND_EVERY = 5.0  # a client process's progress to the parent
LAG_TICK = 0.1  # the event loop's lag, sampled
# After the limit, a process cancels its journeys and sends its figures; then it is killed.
GRACE = 60.0
FULL_COLLECTIONS_NEVER = 1_000_000  # the third threshold: young collections before a full one
# The client processes' scheduling group's nice (BENCH_CLIENT_NICE; Linux autogroups).
CLIENT_NICE = int(os.environ.get("BENCH_CLIENT_NICE", -10))
# The client's event loop: uvloop (libuv), or asyncio's own (BENCH_CLIENT_LOOP=asyncio).
CLIENT_LOOP = os.environ.get("BENCH_CLIENT_LOOP", "uvloop")

T = TypeVar("T")
Journey = Callable[[int, dict, Stats, dict, dict, str], Coroutine]


def default_clients(n: int) -> int:
    """One process for a small run (make test's 30 candidates), two from a few thousand."""
    return 1 if n < 2000 else 2


def run_clients(
    journey: Journey,
    plans: list[dict],
    keys: dict,
    base: str,
    clients: int,
    ends_at: float,
    open_at: float,
) -> tuple[Stats, dict]:
    """Every candidate's journey (candidate ``i`` follows ``plans[i]``), in ``clients``
    processes (in this one if 1), stopped at ``ends_at``; the merged Stats and the
    acknowledged answers by candidate."""
    if clients <= 1:
        return run_loop(
            run_slice(journey, dict(enumerate(plans)), keys, base, ends_at, PRINT_EVERY,
                      lambda stats: print(progress_line([stats.progress()], open_at), flush=True))
        )  # fmt: skip
    context = multiprocessing.get_context("spawn")
    children: dict[Connection, tuple[int, multiprocessing.Process, int]] = {}
    try:
        for number in range(clients):
            mine = {i: plans[i] for i in range(number, len(plans), clients)}
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(
                target=_client, args=(journey, mine, keys, base, ends_at, sending),
                name=f"load client {number}", daemon=True,
            )  # fmt: skip
            process.start()
            sending.close()  # the child's end: at its exit the parent reads EOF
            children[receiving] = (number, process, len(mine))
        return _gather(children, ends_at, open_at)
    finally:
        for _, process, _ in children.values():
            if process.is_alive():
                process.kill()
            process.join()


def _client(
    journey: Journey, plans: dict, keys: dict, base: str, ends_at: float, parent: Connection
) -> None:
    """A client process: its slice of the journeys, then its figures to the parent."""
    _ahead_of_the_server()
    stats, acknowledged = run_loop(
        run_slice(journey, plans, keys, base, ends_at, SEND_EVERY,
                  lambda stats: parent.send(("progress", stats.progress())))
    )  # fmt: skip
    parent.send(("done", stats, acknowledged))
    parent.close()


def run_loop(work: Coroutine[Any, Any, T], loop: str = CLIENT_LOOP) -> T:
    """``work`` run to its end in a new event loop of ``loop``'s kind (``CLIENT_LOOP``).

    Why uvloop: the client shares the server's two cores, ahead of it (``CLIENT_NICE``),
    so what it spends is taken from the server at the open and at the close, where
    phones would spend their own. aiohttp on asyncio's loop spent 0.71 ms of CPU a request
    on a new connection and 0.30 ms on a kept-alive one, on uvloop 0.66 and 0.26 ms
    (bench/bench_client_loop.py; bench/RESULTS.md, session 31): a few per cent of the
    client, which spends more on its journeys' own work."""
    if loop == "asyncio":
        return asyncio.run(work)
    return uvloop.run(work)


def _ahead_of_the_server() -> None:
    """This process in a scheduling group of its own, ahead of the server's (``CLIENT_NICE``).

    Linux shares the cores between autogroups (one per session: the app started by
    honcho, PostgreSQL by pg_ctl, this client) before any nice value within them counts.
    An equal of the app's group, busy at the open, in the last minute and at a close,
    the client waited for the cores then (its loops woke up to 2.4 s late): it sent those
    crowds late and spread out, a gentler load than phones, which have cores of their
    own, send, and it timed its own wait into the server's latencies. Ahead, it takes
    what it needs (well under a core) and sends on time, and the server has the rest.
    Without the right to raise a priority (not root), it stays an equal and says so."""
    try:
        os.setsid()
        Path("/proc/self/autogroup").write_text(str(CLIENT_NICE))
    except OSError as error:
        print(f"load client {os.getpid()}: its priority left as is ({error.strerror})")


def _gather(
    children: dict[Connection, tuple[int, multiprocessing.Process, int]],
    ends_at: float,
    open_at: float,
) -> tuple[Stats, dict]:
    """The client processes' progress printed together, and their figures merged as they
    come; a process that ends without its figures is counted and said."""
    stats, acknowledged = Stats(), {}
    progress: dict[int, dict[str, tuple[int, int]]] = {}
    waiting = dict(children)
    print_at = time.time() + PRINT_EVERY
    while waiting:
        if time.time() > ends_at + GRACE:
            for number, _, candidates in waiting.values():
                print(f"client process {number} sent nothing {GRACE:.0f} s after the limit: "
                      f"its {candidates} journeys counted as stopped at the limit")  # fmt: skip
                stats.unfinished += candidates
            break
        wait(list(waiting), timeout=max(0.1, min(print_at, ends_at + GRACE) - time.time()))
        for connection in [c for c in waiting if c.poll()]:
            number, process, candidates = waiting[connection]
            try:
                kind, *payload = connection.recv()
            except EOFError:  # it exited (or was killed) before sending its figures
                process.join()
                print(f"client process {number} ended (exit code {process.exitcode}) without "
                      f"its figures: its {candidates} journeys counted as not followed")  # fmt: skip
                stats.crashed += candidates
                del waiting[connection]
                continue
            if kind == "progress":
                progress[number] = payload[0]
            else:
                theirs, answers = payload
                stats.add(theirs)
                acknowledged.update(answers)
                progress[number] = theirs.progress()
                del waiting[connection]
        if time.time() >= print_at:
            print(progress_line(list(progress.values()), open_at), flush=True)
            print_at += PRINT_EVERY
    return stats, acknowledged


async def run_slice(
    journey: Journey,
    plans: dict[int, dict],
    keys: dict,
    base: str,
    ends_at: float,
    every: float,
    on_progress: Callable[[Stats], None],
) -> tuple[Stats, dict]:
    """These journeys in this event loop; at ``ends_at`` the unfinished ones are stopped
    and counted, so the figures still print."""
    stats, acknowledged = Stats(), {}
    began: list[float] = []

    def full_collections(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                began[:] = [time.perf_counter()]
            elif began:
                stats.gc_pauses.append((time.time(), time.perf_counter() - began[0]))

    gc.callbacks.append(full_collections)
    # A full collection walks every candidate's objects: up to 2.5 s at 5,000 journeys a
    # process (84 of them, 61 s in all, in a 10,000 run), a pause every request in flight
    # then counted. Young objects are still collected; the old stay until the end.
    thresholds = gc.get_threshold()
    gc.set_threshold(*thresholds[:2], FULL_COLLECTIONS_NEVER)
    tasks = [
        asyncio.create_task(journey(number, plan, stats, acknowledged, keys, base))
        for number, plan in plans.items()
    ]
    progress = asyncio.create_task(_every(every, lambda: on_progress(stats)))
    lag = asyncio.create_task(_watch_lag(stats))
    done, pending = await asyncio.wait(tasks, timeout=max(0.0, ends_at - time.time()))
    progress.cancel()
    lag.cancel()
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    gc.callbacks.remove(full_collections)
    gc.set_threshold(*thresholds)
    stats.unfinished = len(pending)
    stats.crashed = sum(task.exception() is not None for task in done)
    return stats, acknowledged


async def _every(seconds: float, then: Callable[[], None]) -> None:
    while True:
        await asyncio.sleep(seconds)
        then()


async def _watch_lag(stats: Stats) -> None:
    """A journey's timer fires late when the loop is busy: what the client adds to every
    latency it measures then."""
    while True:
        began = time.perf_counter()
        await asyncio.sleep(LAG_TICK)
        stats.loop_lags.append((time.time(), time.perf_counter() - began - LAG_TICK))


def report_lag(stats: Stats, clients: int, windows: list[tuple[str, float, float]]) -> None:
    """How late the client's event loops woke, in each (name, from, to) window."""
    print(
        f"the load client's event loops ({clients} process{'es' * (clients > 1)}), late to wake by:"
    )
    for name, begin, end in windows:
        lags = sorted(lag for when, lag in stats.loop_lags if begin < when <= end)
        if lags:
            print(f"  {name}: p50 {quantile(lags, 0.5) * 1000:.0f} ms, "
                  f"p99 {quantile(lags, 0.99) * 1000:.0f} ms, max {lags[-1] * 1000:.0f} ms")  # fmt: skip


def progress_line(progress: list[dict[str, tuple[int, int]]], open_at: float) -> str:
    """Per phase, requests answered / failed, summed over the client processes."""
    done = ", ".join(
        f"{phase} {sum(p.get(phase, (0, 0))[0] for p in progress)}/"
        f"{sum(p.get(phase, (0, 0))[1] for p in progress)} failed"
        for phase in PHASES
    )
    return f"[{time.time() - open_at:+5.0f} s from the open] {done}"
