"""The session load test's browser (bench/session_client.py) against a server that closes
a kept-alive connection just as the next request arrives on it (the web server closes one
idle for WEB_KEEPALIVE seconds): the request is sent again on a new connection, as a
browser does, and counted apart; a request that fails on a new connection is a failure,
not sent again."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from session_client import Browser
from session_stats import Stats

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


async def serve(answered_per_connection: int):
    """A server that answers the first ``answered_per_connection`` requests of each
    connection and closes it on reading the next one, without a byte of response."""
    connections = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        answered = 0
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                 if line.lower().startswith(b"content-length:")), 0,
            )  # fmt: skip
            await reader.readexactly(length)
            if answered == answered_per_connection:
                writer.close()
                return
            writer.write(OK)
            await writer.drain()
            answered += 1

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, connections


async def two_requests(
    answered_per_connection: int, method: str = "POST"
) -> tuple[Stats, list[int], int]:
    server, connections = await serve(answered_per_connection)
    stats = Stats()
    base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with Browser(base, stats) as browser:
        statuses = [
            (
                await browser.call(
                    "save", lambda n=n: browser.web.request(method, "/answers", json={"n": n})
                )
            )[0]
            for n in range(2)
        ]
    server.close()
    await server.wait_closed()
    return stats, statuses, len(connections)


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_request_on_a_connection_the_server_just_closed_is_sent_again_and_counted_apart(
    method,
):
    """A save (POST) as a browser does; a GET too, which aiohttp would retry unseen."""
    stats, statuses, connections = asyncio.run(two_requests(1, method))
    assert statuses == [200, 200]
    assert stats.resent == {"save": 1} and not stats.failures
    assert len(stats.times["save"]) == 2 and connections == 2


def test_a_request_failing_on_a_new_connection_is_a_failure_and_not_sent_again():
    stats, statuses, connections = asyncio.run(two_requests(0))
    assert statuses == [0, 0]
    assert stats.failures == {"save": 2} and not stats.resent
    assert dict(stats.failure_kinds["save"]) == {"ServerDisconnectedError": 2}
    assert connections == 2
