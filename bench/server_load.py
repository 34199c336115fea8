"""The HTTP side of bench_server.py: candidates logged in and started over HTTP, a bounded
keep-alive load of one kind of request, and the CPU of a server's process tree from /proc."""

from __future__ import annotations

import asyncio
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
JUDGE = re.compile(r'<fieldset class="question"[^>]*data-position="(\d+)" data-type="judge"')
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Candidate:
    """What a started candidate's browser holds: its cookie, its paper, its API token."""

    cookie: str
    attempt_path: str
    api_token: str
    positions: list[int]  # its true/false questions, each answered true and false in turn


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU of a process and all its descendants (threads included)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / TICK
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(times.get(pid, 0.0) for pid in tree)


async def start_candidates(base: str, first: int, count: int, sitting_id: int) -> list[Candidate]:
    """Log in and start (its answer is the test page) as a browser does, one after another."""
    started = []
    for number in range(first, first + count):
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(base, cookie_jar=jar) as web:
            async with web.get("/login") as page:
                token = TOKEN.search(await page.text()).group(1)
            form = {"username": f"load{number}", "password": "load-password-1", "csrf_token": token}
            async with web.post("/login", data=form, allow_redirects=False) as login:
                assert login.status == 302, login.status
            async with web.get(f"/sessions/{sitting_id}") as page:
                token = TOKEN.search(await page.text()).group(1)
            # The start answers the test page itself, which names its own address.
            async with web.post(f"/sessions/{sitting_id}", data={"csrf_token": token}) as page:
                text = await page.text()
            attempt_path = re.search(r'data-page-url="([^"]+)"', text).group(1)
            cookie = "; ".join(f"{c.key}={c.value}" for c in jar)
            api_token = re.search(r'data-csrf="([^"]+)"', text).group(1)
            positions = [int(found) for found in JUDGE.findall(text)]
            started.append(Candidate(cookie, attempt_path, api_token, positions))
    return started


def request_of(
    kind: str, candidates: list[Candidate], client: int, turn: int
) -> tuple[str, str, dict]:
    """(method, path, aiohttp keyword arguments) of a client's ``turn``-th request. Each
    client saves its own question: two saves of one answer at once could arrive out of
    order, and the older would be refused (409) as a stale tab's is."""
    candidate = candidates[client % len(candidates)]
    headers = {"Cookie": candidate.cookie}
    if kind == "tiny":
        return "GET", "/static/favicon.svg", {}
    if kind == "status":
        return "GET", f"{candidate.attempt_path}/status", {"headers": headers}
    payload = {
        "position": candidate.positions[client // len(candidates) % len(candidate.positions)],
        "response": turn % 2 == 0,
        "changed_at": int(time.time() * 1000),
    }  # fmt: skip
    headers["X-CSRFToken"] = candidate.api_token
    return "POST", f"{candidate.attempt_path}/answers", {"json": payload, "headers": headers}


async def drive(
    base: str, kind: str, candidates: list[Candidate], count: int, concurrency: int
) -> float:
    """``count`` requests of a kind on ``concurrency`` kept-alive connections, each client
    sending its next request once answered; returns the seconds it took. Any answer but
    200 stops the run: a failed request is not a cheap one."""
    connector = aiohttp.TCPConnector(limit=concurrency, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=60)
    sent = iter(range(count))
    async with aiohttp.ClientSession(
        base, connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as web:

        async def client(me: int) -> None:
            for turn, _ in enumerate(sent):
                method, path, options = request_of(kind, candidates, me, turn)
                async with web.request(method, path, **options) as response:
                    await response.read()
                    assert response.status == 200, (kind, response.status)

        began = time.perf_counter()
        await asyncio.gather(*(client(me) for me in range(concurrency)))
        return time.perf_counter() - began


async def paced_saves(
    base: str, candidates: list[Candidate], clients: int, every: float, seconds: float
) -> tuple[int, int]:
    """``clients`` browsers, each with its own connection, saving every ``every`` s (random
    phase) for ``seconds``: what a session's pages do while candidates answer. Returns the
    saves and the connections opened for them."""
    opened = 0

    async def counted(*_args) -> None:
        nonlocal opened
        opened += 1

    trace = aiohttp.TraceConfig()
    trace.on_connection_create_end.append(counted)

    async def browser(me: int) -> int:
        connector = aiohttp.TCPConnector(limit=1, keepalive_timeout=60)
        saved = 0
        async with aiohttp.ClientSession(
            base, connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trace_configs=[trace]
        ) as web:
            web._retry_connection = False
            await asyncio.sleep(every * me / clients)
            ends = time.monotonic() + seconds - every
            while time.monotonic() < ends:
                _, path, options = request_of("save", candidates, me, saved)
                async with web.post(path, **options) as response:
                    await response.read()
                    # 409: another browser's save of the same answer overtook this one
                    assert response.status in (200, 409), response.status
                saved += 1
                await asyncio.sleep(every)
        return saved

    saves = sum(await asyncio.gather(*(browser(me) for me in range(clients))))
    return saves, opened
