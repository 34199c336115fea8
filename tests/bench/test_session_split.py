"""Where a load test's request waited (bench/session_client.py, session_stats.py): the web
says in ``WALL_HEADER`` when the request entered the app and when its answer left it, and
the client splits the latency it saw into before, in and after the app."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from session_client import Browser
from session_stats import WALL_HEADER, Stats

BEFORE, INSIDE, AFTER = 0.3, 0.5, 0.2  # seconds the server waits in each part


async def serve_with_walls(header: bool):
    """A server that waits BEFORE, then 'runs the app' for INSIDE, then waits AFTER before
    it answers, saying when the app began and ended (as request_cpu.py's web does)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(BEFORE)
        entered = time.time()
        await asyncio.sleep(INSIDE)
        left = time.time()
        await asyncio.sleep(AFTER)
        walls = f"{WALL_HEADER}: {entered:.6f} {left:.6f}\r\n" if header else ""
        writer.write(
            f"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n{walls}Connection: close\r\n\r\nok".encode()
        )
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def one_request(header: bool) -> Stats:
    server = await serve_with_walls(header)
    stats = Stats()
    base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with Browser(base, stats) as browser:
        await browser.call("status", lambda: browser.web.get("/status"))
    server.close()
    await server.wait_closed()
    return stats


def test_a_request_is_split_into_before_in_and_after_the_app(capsys):
    stats = asyncio.run(one_request(header=True))
    [(before, inside, after)] = stats.split["status"]
    assert BEFORE <= before < BEFORE + 0.15
    assert INSIDE <= inside < INSIDE + 0.15
    assert AFTER <= after < AFTER + 0.15
    stats.report_split()
    line = next(line for line in capsys.readouterr().out.splitlines() if "status" in line)
    # p50 / p99 in ms: of one request, its own split (a loaded machine adds to each part).
    for name, seconds in (("before", before), ("in", inside), ("after", after)):
        assert f"{name} {seconds * 1000:.0f} / {seconds * 1000:.0f} ms" in line
    assert f"1 of 1 s or more: before {before:.2f} s" in line


def test_without_the_header_nothing_is_split_or_printed(capsys):
    stats = asyncio.run(one_request(header=False))
    assert stats.times["status"] and not stats.split
    stats.report_split()
    assert capsys.readouterr().out == ""
